import { Injectable } from '@nestjs/common';
import { SessionTokenService } from '../auth/session-token.service.js';
import { AppError } from '../common/app-error.js';
import { FrontendsService } from '../frontends/frontends.service.js';
import type { ChatRecord } from '../sessions/chat-record.js';
import { ChatsRepository } from '../sessions/chats.repository.js';
import type { ChatRef } from './chat-actions.service.js';
import { ChatAccessRepository } from './chat-access.repository.js';
import type { ChatAccessRecord } from './chat-access.repository.js';
import { BatchLoader } from './batch-loader.js';

/** Who may touch a chat from a browser: a valid session token for it, from an allowed origin. */
@Injectable()
export class ChatAccessService {
  /** Socket handshakes arrive in bursts (every tab of every visitor after a restart): their chat reads are batched. */
  private readonly socketChats: BatchLoader<ChatAccessRecord>;

  constructor(
    private readonly tokens: SessionTokenService,
    private readonly chats: ChatsRepository,
    private readonly frontends: FrontendsService,
    access: ChatAccessRepository,
  ) {
    this.socketChats = new BatchLoader(async (ids) => new Map((await access.findMany(ids)).map((c) => [c.id, c])), 500, 2);
  }

  /** `urlChatId`: the chat the URL names (a valid token for another chat is 404). */
  async authorize(token: unknown, origin: string | undefined, urlChatId?: string): Promise<ChatRecord> {
    const chatId = this.tokens.verify(token);
    if (urlChatId !== undefined && urlChatId.toLowerCase() !== chatId) throw new AppError('NOT_FOUND', 'Not found.');
    const chat = await this.chats.findById(chatId);
    await this.admit(chat, origin);
    return chat!;
  }

  /** The same rules for a socket handshake, which needs less of the chat. */
  async authorizeSocket(token: unknown, origin: string | undefined): Promise<ChatRef> {
    const chat = await this.socketChats.get(this.tokens.verify(token));
    await this.admit(chat, origin);
    return { id: chat!.id, supportedContentTypes: chat!.supportedContentTypes };
  }

  private async admit(chat: { frontendId: string; endedAt: Date | null } | null | undefined, origin: string | undefined): Promise<void> {
    if (!chat) throw new AppError('UNAUTHENTICATED', 'A valid session token is required.');
    this.tokens.assertChatAdmits(chat);
    if (origin !== undefined) {
      const frontend = await this.frontends.findById(chat.frontendId);
      if (!frontend || !this.frontends.isOriginAllowed(frontend, origin)) {
        throw new AppError('FORBIDDEN', 'This origin is not allowed for this chat.');
      }
    }
  }
}
