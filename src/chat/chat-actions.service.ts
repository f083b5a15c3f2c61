import { Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error.js';
import type { ErrorCode } from '../common/app-error.js';
import type { ChatRecord } from '../sessions/chat-record.js';
import type { ChatSession } from '../sessions/chat-session.js';
import { ChatsRepository } from '../sessions/chats.repository.js';
import { SessionRegistry } from '../sessions/session-registry.service.js';
import type { ChatItemDto } from '../transcripts/chat-item.js';
import { toChatItemDto } from '../transcripts/chat-item.js';
import { ChatItemsRepository } from '../transcripts/chat-items.repository.js';
import { ChatCluster, unwrap } from './chat-cluster.js';
import type { OwnerAction } from './chat-cluster.js';
import type { Ack } from './chat-socket.events.js';
import { checkClientMessageId, checkContent, checkInt, checkMessageId, isObject } from './widget-validation.js';

export interface ChatView {
  chatId: string;
  status: string;
  displayName: string;
  startedAt: string;
  endedAt: string | null;
  lastSeq: number;
  transcriptIncomplete?: boolean;
}

/** What actions need of a chat: sockets keep only this for their whole life. */
export type ChatRef = Pick<ChatRecord, 'id' | 'supportedContentTypes'>;

/**
 * What a browser can do with its chat; shared by the REST controller and the Socket.IO gateway.
 * Actions run on the process that holds the chat's Connect connection (locally, or via the cluster).
 */
@Injectable()
export class ChatActionsService {
  constructor(
    private readonly registry: SessionRegistry,
    private readonly chats: ChatsRepository,
    private readonly items: ChatItemsRepository,
    private readonly cluster: ChatCluster,
  ) {
    cluster.onAction((chatId, action) => {
      const session = this.registry.get(chatId);
      return session ? toAck(() => this.runLocally(session, action)) : null;
    });
  }

  view(chat: ChatRecord): ChatView {
    const view: ChatView = {
      chatId: chat.id,
      status: chat.status,
      displayName: chat.displayName,
      startedAt: chat.startedAt.toISOString(),
      endedAt: chat.endedAt?.toISOString() ?? null,
      lastSeq: chat.lastSeq,
    };
    if (chat.transcriptIncomplete) view.transcriptIncomplete = true;
    return view;
  }

  /** `{ afterSeq, limit }` from a query string or a socket payload. */
  async itemsAfter(chat: ChatRef, input: { afterSeq?: unknown; limit?: unknown }): Promise<{ items: ChatItemDto[]; hasMore: boolean }> {
    const afterSeq = checkInt(input.afterSeq, 'afterSeq', 0, 2_147_483_647, 0);
    const limit = checkInt(input.limit, 'limit', 1, 500, 100);
    const rows = await this.items.listAfter(chat.id, afterSeq, limit + 1);
    return { items: rows.slice(0, limit).map(toChatItemDto), hasMore: rows.length > limit };
  }

  async send(chat: ChatRef, payload: unknown): Promise<ChatItemDto> {
    if (!isObject(payload)) throw AppError.validation([{ field: 'body', message: 'must be an object' }]);
    const clientMessageId = checkClientMessageId(payload.clientMessageId);
    const { contentType, content } = checkContent(payload, chat.supportedContentTypes);
    return this.onOwner<ChatItemDto>(chat, { kind: 'send', clientMessageId, contentType, content });
  }

  async typing(chat: ChatRef): Promise<void> {
    await this.onOwner(chat, { kind: 'typing' });
  }

  async receipt(chat: ChatRef, receipt: 'read' | 'delivered', payload: unknown): Promise<void> {
    const messageId = checkMessageId(isObject(payload) ? payload.messageId : undefined);
    await this.onOwner(chat, { kind: 'receipt', receipt, messageId });
  }

  async end(chat: ChatRef): Promise<{ status: 'ending' | 'ended' }> {
    const current = await this.chats.findById(chat.id);
    if (!current || current.status === 'ended') return { status: 'ended' };
    return { status: await this.onOwner<'ending' | 'ended'>(current, { kind: 'end' }) };
  }

  private async runLocally(session: ChatSession, action: OwnerAction): Promise<unknown> {
    switch (action.kind) {
      case 'send':
        return session.send(action.clientMessageId, action.contentType, action.content);
      case 'typing':
        return session.typing();
      case 'receipt':
        return session.receipt(action.receipt, action.messageId);
      case 'end':
        return session.end();
    }
  }

  private async onOwner<T>(chat: ChatRef, action: OwnerAction): Promise<T> {
    const local = this.registry.get(chat.id);
    if (local) return (await this.runLocally(local, action)) as T;
    const remote = await this.cluster.callOwner(chat.id, action);
    if (remote) return unwrap<T>(remote, (code, message) => new AppError(code as ErrorCode, message, code === 'RATE_LIMITED' || code === 'UPSTREAM_UNAVAILABLE' ? { retryAfterSeconds: 1 } : {}));
    const current = await this.chats.findById(chat.id);
    if (!current || current.status === 'ended') throw new AppError('CHAT_ENDED', 'The chat has ended.');
    throw new AppError('UPSTREAM_UNAVAILABLE', 'The chat is reconnecting to Amazon Connect; retry shortly.', { retryAfterSeconds: 1 });
  }
}

async function toAck(fn: () => Promise<unknown>): Promise<Ack<unknown>> {
  try {
    const data = await fn();
    return { ok: true, data: data ?? {} };
  } catch (err) {
    if (err instanceof AppError) return { ok: false, error: { code: err.code, message: err.message } };
    return { ok: false, error: { code: 'INTERNAL', message: 'Something went wrong on our side.' } };
  }
}
