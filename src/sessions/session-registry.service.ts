import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Keyring } from '../auth/keyring.js';
import { KEYRING } from '../auth/keyring.js';
import { decrypt, encrypt } from '../common/crypto.js';
import { CONNECT_CHAT_PORT } from '../connect/connect-chat.port.js';
import type { ConnectChatPort } from '../connect/connect-chat.port.js';
import { MetricsService } from '../health/metrics.service.js';
import { ReadinessRegistry } from '../health/readiness.registry.js';
import { ChatItemsRepository } from '../transcripts/chat-items.repository.js';
import { ItemStoreRepository } from '../transcripts/item-store.repository.js';
import { ChatEvents } from './chat-events.js';
import type { ChatRecord } from './chat-record.js';
import { ChatSession } from './chat-session.js';
import type { SessionDeps, SessionTiming } from './chat-session.js';
import { ChatsRepository } from './chats.repository.js';
import { ItemWriter } from './item-writer.service.js';
import type { Redactor } from './item-mapping.js';
import { RedactorSource } from './redactor-source.js';
import { UpstreamScheduler } from './upstream-scheduler.js';

export const SESSION_TIMING = Symbol('SESSION_TIMING');

export const DEFAULT_SESSION_TIMING: SessionTiming & { leaseMs: number; leaseTickMs: number } = {
  heartbeatMs: 10_000,
  echoHoldMs: 3_000,
  storeWaitMs: 5_000,
  backoffBaseMs: 500,
  backoffMaxMs: 30_000,
  typingIntervalMs: 10_000,
  leaseMs: 30_000,
  leaseTickMs: 10_000,
};

/**
 * The chats this process owns: one ChatSession each, held under a lease in Postgres that is renewed in
 * one statement per tick. Expired leases of other (dead) processes are taken over and resumed.
 */
@Injectable()
export class SessionRegistry implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly ownerId = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly log = new Logger(SessionRegistry.name);
  private readonly sessions = new Map<string, ChatSession>();
  private readonly starting = new Map<string, Promise<ChatSession>>();
  private tick: NodeJS.Timeout | undefined;
  private shuttingDown = false;
  private readonly deps: SessionDeps;
  private readonly ownedGauge;

  constructor(
    @Inject(CONNECT_CHAT_PORT) port: ConnectChatPort,
    @Inject(KEYRING) keyring: Keyring,
    @Inject(SESSION_TIMING) private readonly timing: typeof DEFAULT_SESSION_TIMING,
    scheduler: UpstreamScheduler,
    private readonly writer: ItemWriter,
    events: ChatEvents,
    private readonly chats: ChatsRepository,
    items: ChatItemsRepository,
    store: ItemStoreRepository,
    private readonly redactors: RedactorSource,
    metrics: MetricsService,
    readiness: ReadinessRegistry,
  ) {
    const key = keyring.encryptionKey;
    this.deps = {
      port, scheduler, writer, events, chats, items, store,
      vault: { seal: (s) => encrypt(key, s), open: (s) => decrypt(key, s) },
      log: this.log,
      timing,
      onGone: (session, reason) => this.forget(session, reason),
    };
    this.ownedGauge = metrics.gauge('gateway_chats_owned', 'Chats whose Connect connection this process holds');
    readiness.register('transcriptWriter', async () => {
      if (this.writer.degraded) throw new Error(`item writes failing: ${this.writer.lastError ?? 'backlog'}`);
      return { backlog: this.writer.pending };
    });
  }

  onApplicationBootstrap(): void {
    this.tick = setInterval(() => void this.leaseTick(), this.timing.leaseTickMs);
    this.tick.unref();
    void this.leaseTick();
  }

  async onApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    clearInterval(this.tick);
    await this.writer.drain().catch(() => undefined);
    const ids = [...this.sessions.keys()];
    for (const s of this.sessions.values()) s.stop();
    this.sessions.clear();
    await this.chats.release(this.ownerId, ids).catch(() => undefined);
  }

  get(chatId: string): ChatSession | undefined {
    return this.sessions.get(chatId);
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Starts the session of a chat this process just created (it holds the lease already). */
  async adopt(record: ChatRecord): Promise<ChatSession> {
    return this.begin(record);
  }

  private begin(record: ChatRecord): Promise<ChatSession> {
    const existing = this.sessions.get(record.id);
    if (existing) return Promise.resolve(existing);
    let pending = this.starting.get(record.id);
    if (!pending) {
      pending = (async () => {
        const redact: Redactor = await this.redactors.forFrontend(record.frontendId);
        const session = new ChatSession(record, redact, this.deps);
        this.sessions.set(record.id, session);
        this.ownedGauge.set(this.sessions.size);
        await session.start();
        return session;
      })().finally(() => this.starting.delete(record.id));
      this.starting.set(record.id, pending);
    }
    return pending;
  }

  private forget(session: ChatSession, reason: string): void {
    if (this.sessions.get(session.chatId) === session) this.sessions.delete(session.chatId);
    this.ownedGauge.set(this.sessions.size);
    if (reason !== 'ended') this.log.log(`chat ${session.chatId} released: ${reason}`);
  }

  private async leaseTick(): Promise<void> {
    if (this.shuttingDown) return;
    try {
      const held = [...this.sessions.values()].map((s) => ({ id: s.chatId, epoch: s.epoch }));
      const renewed = await this.chats.renew(this.ownerId, held, this.timing.leaseMs);
      for (const s of [...this.sessions.values()]) if (!renewed.has(s.chatId) && s.status !== 'ended') s.onLost('lease not renewed');
      const taken = await this.chats.acquireExpired(this.ownerId, this.timing.leaseMs, 100);
      for (const record of taken) {
        this.log.log(`taking over chat ${record.id} (epoch ${record.ownerEpoch})`);
        this.begin(record).catch((err: unknown) => this.log.error({ err }, `could not resume chat ${record.id}`));
      }
    } catch (err) {
      this.log.warn(`lease tick failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
