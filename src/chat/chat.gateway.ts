import { Inject, Logger } from '@nestjs/common';
import type { OnApplicationShutdown } from '@nestjs/common';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { OnGatewayDisconnect, OnGatewayInit } from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import { AppError } from '../common/app-error.js';
import { ReadinessRegistry } from '../health/readiness.registry.js';
import { ChatEvents } from '../sessions/chat-events.js';
import type { EndedEvent, ReceiptEvent } from '../sessions/chat-events.js';
import type { ChatRecord } from '../sessions/chat-record.js';
import { ChatsRepository } from '../sessions/chats.repository.js';
import { SessionRegistry } from '../sessions/session-registry.service.js';
import type { ChatItemDto } from '../transcripts/chat-item.js';
import { toChatItemDto } from '../transcripts/chat-item.js';
import { ChatItemsRepository } from '../transcripts/chat-items.repository.js';
import { ChatAccessService } from './chat-access.service.js';
import { ChatActionsService } from './chat-actions.service.js';
import { CHAT_NAMESPACE } from './chat-socket.events.js';
import type { Ack, HandshakeAuth } from './chat-socket.events.js';
import { ChatBroadcaster } from './chat-broadcaster.js';
import { ChatCluster } from './chat-cluster.js';
import { ChatFanout } from './chat-fanout.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { ChatPresence } from './chat-presence.js';
import { SocketFeed } from './socket-feed.js';
import { checkInt, isObject } from './widget-validation.js';

interface SocketData {
  chat: ChatRecord;
  feed: SocketFeed;
  lastSeq: number;
}

/** Socket.IO namespace /chat (CONTRACT.md §3): handshake auth, replay then live, acks for every action. */
@WebSocketGateway({ namespace: CHAT_NAMESPACE, transports: ['websocket', 'polling'], cors: { origin: true } })
export class ChatGateway implements OnGatewayInit, OnGatewayDisconnect, OnApplicationShutdown {
  @WebSocketServer() private readonly ns!: Namespace;
  private readonly log = new Logger(ChatGateway.name);

  constructor(
    private readonly access: ChatAccessService,
    private readonly actions: ChatActionsService,
    private readonly items: ChatItemsRepository,
    private readonly registry: SessionRegistry,
    private readonly presence: ChatPresence,
    private readonly chats: ChatsRepository,
    @Inject(ChatEvents) events: ChatEvents,
    fanout: ChatFanout,
    private readonly broadcaster: ChatBroadcaster,
    private readonly cluster: ChatCluster,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    readiness: ReadinessRegistry,
  ) {
    events.attach(fanout);
    events.providePresence(presence);
    readiness.register('socketio', async () => {
      if (!this.ns) throw new Error('Socket.IO server not initialised');
      return { sockets: this.ns.sockets.size };
    });
  }

  afterInit(ns: Namespace): void {
    if (this.config.redisUrl) this.cluster.bind(ns, this.broadcaster);
    ns.use((socket, next) => {
      this.authenticate(socket).then(() => next(), (err: unknown) => {
        const code = err instanceof AppError ? err.code : 'UNAUTHENTICATED';
        const error = new Error(code) as Error & { data?: unknown };
        error.data = { code, message: err instanceof AppError ? err.message : 'Authentication failed.' };
        next(error);
      });
    });
    ns.on('connection', (socket) => void this.onConnection(socket));
  }

  private async authenticate(socket: Socket): Promise<void> {
    const auth = (isObject(socket.handshake.auth) ? socket.handshake.auth : {}) as HandshakeAuth;
    const lastSeq = auth.lastSeq === undefined || auth.lastSeq === null ? 0 : auth.lastSeq;
    if (typeof lastSeq !== 'number' || !Number.isSafeInteger(lastSeq) || lastSeq < 0) {
      throw AppError.validation([{ field: 'lastSeq', message: 'must be a whole number' }]);
    }
    const origin = socket.handshake.headers.origin;
    const chat = await this.access.authorize(auth.token, origin);
    const data = socket.data as SocketData;
    data.chat = chat;
    data.lastSeq = lastSeq;
  }

  private async onConnection(socket: Socket): Promise<void> {
    const data = socket.data as SocketData;
    // Registered before any await: whatever the owner publishes from now on waits in the feed.
    const feed = new SocketFeed(socket, data.chat.id, data.lastSeq, this.items);
    data.feed = feed;
    this.presence.add(data.chat.id, feed);
    // A returning visitor counts as present at once, not only at the next presence tick.
    this.chats.touchBrowserSeen([data.chat.id]).catch(() => undefined);
    try {
      const chat = (await this.access.refresh(data.chat)) ?? data.chat;
      const live = this.registry.get(chat.id);
      const status = live?.status ?? (chat.status === 'active' ? 'reconnecting' : chat.status);
      await feed.open(
        () => socket.emit('chat:state', { status, lastSeq: chat.lastSeq }),
        async () => {
          const receipts = await this.items.latestReceipts(chat.id);
          return () => {
            for (const r of [receipts.delivered, receipts.read]) if (r) socket.emit('chat:receipt', receiptOf(toChatItemDto(r)));
            if (chat.status === 'ended') socket.emit('chat:ended', { lastSeq: chat.lastSeq, reason: publicReason(chat.endReason) });
          };
        },
      );
    } catch (err) {
      this.log.warn(`replay failed for a socket of chat ${data.chat.id}: ${err instanceof Error ? err.message : 'error'}`);
      socket.disconnect(true);
    }
  }

  handleDisconnect(socket: Socket): void {
    const data = socket.data as Partial<SocketData>;
    if (data.feed) this.presence.remove(data.feed.chatId, data.feed);
  }

  onApplicationShutdown(): void {
    this.ns?.disconnectSockets(true);
  }

  // ---- client → server -------------------------------------------------------------------------

  @SubscribeMessage('chat:send')
  send(@ConnectedSocket() s: Socket, @MessageBody() p: unknown): Promise<Ack<{ item: ChatItemDto }>> {
    return ack(async () => ({ item: await this.actions.send(chatOf(s), p) }));
  }

  @SubscribeMessage('chat:typing')
  typing(@ConnectedSocket() s: Socket, @MessageBody() p: unknown): Promise<Ack<Record<string, never>>> {
    return ack(async () => {
      if (p !== undefined && p !== null && !isObject(p)) throw AppError.validation([{ field: 'payload', message: 'must be an object' }]);
      await this.actions.typing(chatOf(s));
      return {};
    });
  }

  @SubscribeMessage('chat:read')
  read(@ConnectedSocket() s: Socket, @MessageBody() p: unknown): Promise<Ack<Record<string, never>>> {
    return ack(async () => {
      await this.actions.receipt(chatOf(s), 'read', p);
      return {};
    });
  }

  @SubscribeMessage('chat:delivered')
  delivered(@ConnectedSocket() s: Socket, @MessageBody() p: unknown): Promise<Ack<Record<string, never>>> {
    return ack(async () => {
      await this.actions.receipt(chatOf(s), 'delivered', p);
      return {};
    });
  }

  @SubscribeMessage('chat:sync')
  sync(@ConnectedSocket() s: Socket, @MessageBody() p: unknown): Promise<Ack<{ items: ChatItemDto[]; hasMore: boolean }>> {
    return ack(async () => {
      if (!isObject(p)) throw AppError.validation([{ field: 'payload', message: 'must be an object' }]);
      checkInt(p.afterSeq, 'afterSeq', 0, 2_147_483_647);
      return this.actions.itemsAfter(chatOf(s), p);
    });
  }

  @SubscribeMessage('chat:end')
  end(@ConnectedSocket() s: Socket): Promise<Ack<{ status: string }>> {
    return ack(() => this.actions.end(chatOf(s)));
  }
}

function chatOf(socket: Socket): ChatRecord {
  return (socket.data as SocketData).chat;
}

async function ack<T>(fn: () => Promise<T>): Promise<Ack<T>> {
  try {
    return { ok: true, data: await fn() };
  } catch (err) {
    if (err instanceof AppError) return { ok: false, error: { code: err.code, message: err.message } };
    return { ok: false, error: { code: 'INTERNAL', message: 'Something went wrong on our side.' } };
  }
}

function receiptOf(item: ChatItemDto): ReceiptEvent {
  return { messageId: item.id, seq: item.seq, ...item.receipts };
}

function publicReason(reason: string | null): EndedEvent['reason'] {
  const known = ['customer', 'agent', 'stopped', 'duration', 'abandoned'];
  return (reason && known.includes(reason) ? reason : 'unknown') as EndedEvent['reason'];
}
