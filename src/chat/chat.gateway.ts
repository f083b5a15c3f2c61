import { Inject, Logger } from '@nestjs/common';
import type { OnApplicationShutdown } from '@nestjs/common';
import { WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { OnGatewayInit } from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import { AppError } from '../common/app-error.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { ReadinessRegistry } from '../health/readiness.registry.js';
import { ChatEvents } from '../sessions/chat-events.js';
import type { EndedEvent, ReceiptEvent } from '../sessions/chat-events.js';
import { SessionRegistry } from '../sessions/session-registry.service.js';
import type { ChatItemDto } from '../transcripts/chat-item.js';
import { ChatItemsRepository } from '../transcripts/chat-items.repository.js';
import { ChatAccessService } from './chat-access.service.js';
import { ChatActionsService } from './chat-actions.service.js';
import type { ChatRef } from './chat-actions.service.js';
import { ChatBroadcaster } from './chat-broadcaster.js';
import { ChatCluster } from './chat-cluster.js';
import { ChatFanout } from './chat-fanout.js';
import { ChatPresence } from './chat-presence.js';
import { clientEventListeners } from './chat-socket-handlers.js';
import { CHAT_NAMESPACE } from './chat-socket.events.js';
import type { HandshakeAuth } from './chat-socket.events.js';
import { ReplayReader } from './replay-reader.js';
import type { ReplayHead } from './replay-reader.js';
import { SocketFeed } from './socket-feed.js';
import { isObject } from './widget-validation.js';

interface SocketData {
  chat: ChatRef;
  lastSeq: number;
  feed?: SocketFeed;
}

/** Socket.IO namespace /chat (CONTRACT.md §3): handshake auth, replay then live, acks for every action. */
@WebSocketGateway({ namespace: CHAT_NAMESPACE, transports: ['websocket', 'polling'], cors: { origin: true } })
export class ChatGateway implements OnGatewayInit, OnApplicationShutdown {
  @WebSocketServer() private readonly ns!: Namespace;
  private readonly log = new Logger(ChatGateway.name);
  private readonly listeners: ReturnType<typeof clientEventListeners>;
  private readonly onDisconnect: (this: Socket) => void;

  constructor(
    private readonly access: ChatAccessService,
    actions: ChatActionsService,
    private readonly items: ChatItemsRepository,
    private readonly replay: ReplayReader,
    private readonly registry: SessionRegistry,
    private readonly presence: ChatPresence,
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
    this.listeners = clientEventListeners(actions, (socket) => (socket.data as SocketData).chat);
    this.onDisconnect = function onDisconnect(this: Socket) {
      const feed = (this.data as SocketData).feed;
      if (feed) presence.remove(feed.chatId, feed);
    };
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
    const data: SocketData = { chat: await this.access.authorizeSocket(auth.token, origin), lastSeq };
    socket.data = data;
  }

  private async onConnection(socket: Socket): Promise<void> {
    const data = socket.data as SocketData;
    for (const [event, listener] of this.listeners) socket.on(event, listener);
    socket.on('disconnect', this.onDisconnect);
    const chatId = data.chat.id;
    // Registered before the replay reads: whatever the owner publishes from now on waits in the feed.
    const feed = new SocketFeed(socket, chatId, data.lastSeq, this.items);
    data.feed = feed;
    this.presence.add(chatId, feed);
    try {
      await feed.open(
        async () => {
          const head = await this.replay.head(chatId, data.lastSeq);
          if (!head) throw new Error('the chat is gone');
          return head;
        },
        // The chat as read with the replay, after the feed was registered: never older than what follows.
        (head) => socket.emit('chat:state', this.stateOf(chatId, head)),
        (head) => {
          for (const item of [head.delivered, head.read]) if (item) socket.emit('chat:receipt', receiptOf(item));
          if (head.chat.status === 'ended') socket.emit('chat:ended', { lastSeq: head.chat.lastSeq, reason: publicReason(head.chat.endReason) });
        },
      );
    } catch (err) {
      this.log.warn(`replay failed for a socket of chat ${chatId}: ${err instanceof Error ? err.message : 'error'}`);
      socket.disconnect(true);
    }
  }

  private stateOf(chatId: string, head: ReplayHead): { status: string; lastSeq: number } {
    const live = this.registry.get(chatId);
    const lastStored = head.items.length ? head.items[head.items.length - 1]!.seq : 0;
    const lastSeq = Math.max(head.chat.lastSeq, lastStored, live?.lastSeq ?? 0);
    return { status: live?.status ?? (head.chat.status === 'active' ? 'reconnecting' : head.chat.status), lastSeq };
  }

  onApplicationShutdown(): void {
    this.ns?.disconnectSockets(true);
  }
}

function receiptOf(item: ChatItemDto): ReceiptEvent {
  return { messageId: item.id, seq: item.seq, ...item.receipts };
}

function publicReason(reason: string | null): EndedEvent['reason'] {
  const known = ['customer', 'agent', 'stopped', 'duration', 'abandoned'];
  return (reason && known.includes(reason) ? reason : 'unknown') as EndedEvent['reason'];
}
