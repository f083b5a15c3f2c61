import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Keyring } from '../auth/keyring.js';
import { KEYRING } from '../auth/keyring.js';
import { decrypt, encrypt } from '../common/crypto.js';
import type { AppConfig } from '../config/app-config.js';
import { CONNECT_CHAT_PORT } from '../connect/connect-chat.port.js';
import { retryUnavailable } from '../connect/idempotent-retry.js';
import type { ConnectChatPort, ConnectRouting, StartChatInput, StartedChat } from '../connect/connect-chat.port.js';
import { UpstreamSocket } from '../connect/upstream-socket.js';
import { MetricsService } from '../health/metrics.service.js';
import { ReadinessRegistry } from '../health/readiness.registry.js';
import { ChatItemsRepository } from '../transcripts/chat-items.repository.js';
import { ItemStoreRepository } from '../transcripts/item-store.repository.js';
import { ChatEvents } from './chat-events.js';
import type { ChatRecord } from './chat-record.js';
import { ChatSession } from './chat-session.js';
import type { SessionDeps, SessionTiming } from './chat-session.js';
import { ChatsRepository } from './chats.repository.js';
import { SYSTEM_CLOCK } from './clock.js';
import { ItemWriter } from './item-writer.service.js';
import type { Redactor } from './item-mapping.js';
import { RedactorSource } from './redactor-source.js';
import { linkCounters } from './upstream-metrics.js';
import { UpstreamPriority, UpstreamScheduler } from './upstream-scheduler.js';

export const SESSION_TIMING = Symbol('SESSION_TIMING');

export interface RegistryTiming extends SessionTiming {
  leaseMs: number;
  leaseTickMs: number;
}

export const DEFAULT_SESSION_TIMING: RegistryTiming = {
  heartbeatMs: 10_000,
  rotateMs: 59 * 60_000,
  tokenRefreshMarginMs: 60_000,
  echoHoldMs: 3_000,
  storeWaitMs: 5_000,
  backoffBaseMs: 500,
  backoffMaxMs: 30_000,
  typingIntervalMs: 10_000,
  leaseMs: 30_000,
  leaseTickMs: 10_000,
};

/** The configurable timings (README, Reliability); the rest stay at their defaults. */
export function sessionTiming(config: AppConfig): RegistryTiming {
  const { upstream, ownership } = config;
  return {
    ...DEFAULT_SESSION_TIMING,
    heartbeatMs: upstream.heartbeatMs,
    rotateMs: upstream.rotateMs,
    tokenRefreshMarginMs: upstream.tokenRefreshMarginMs,
    backoffBaseMs: upstream.backoffBaseMs,
    backoffMaxMs: Math.max(upstream.backoffBaseMs, upstream.backoffMaxMs),
    leaseMs: ownership.leaseMs,
    leaseTickMs: Math.min(ownership.leaseRenewMs, Math.floor(ownership.leaseMs / 2)),
  };
}

/** Chats taken over per lease tick; fewer while re-dials are already queued (others may have room). */
const TAKEOVER_BATCH = 100;
const MAX_QUEUED_REDIALS = 200;
const SHUTDOWN_DRAIN_MS = 5_000;
/** Lease rows of processes gone for a day, with no open chat left, are deleted about hourly. */
const DEAD_OWNER_SWEEP_TICKS = 360;
const DEAD_OWNER_KEEP_MS = 24 * 3_600_000;
/** A chat start waits at most this long for Connect's StartChatContact quota, then answers 429. */
const START_MAX_WAIT_MS = 10_000;

/**
 * The chats this process owns: one ChatSession each, held under this process's lease in Postgres (one
 * `gateway_owners` row renewed per tick, not one per chat: renewals never touch the rows the group commit
 * writes). Chats of processes whose lease ran out are taken over (epoch bumped) and resumed; their
 * re-dials are paced by the scheduler. At shutdown the lease is handed back at once.
 */
@Injectable()
export class SessionRegistry implements OnApplicationBootstrap, OnModuleDestroy {
  readonly ownerId = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly log = new Logger(SessionRegistry.name);
  private readonly sessions = new Map<string, ChatSession>();
  private readonly starting = new Map<string, Promise<ChatSession>>();
  private tick: NodeJS.Timeout | undefined;
  private ticking = false;
  private ticks = 0;
  private shuttingDown = false;
  private readonly deps: SessionDeps;
  private readonly ownedGauge;
  private readonly linkedGauge;

  constructor(
    @Inject(CONNECT_CHAT_PORT) port: ConnectChatPort,
    @Inject(KEYRING) keyring: Keyring,
    @Inject(SESSION_TIMING) private readonly timing: RegistryTiming,
    private readonly scheduler: UpstreamScheduler,
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
      clock: SYSTEM_CLOCK,
      openSocket: (socketEvents, heartbeatMs) => new UpstreamSocket(socketEvents, { heartbeatMs }),
      counters: linkCounters(metrics),
      onGone: (session, reason) => this.forget(session, reason),
    };
    this.ownedGauge = metrics.gauge('gateway_chats_owned', 'Chats whose Connect connection this process holds');
    this.linkedGauge = metrics.gauge('gateway_chats_linked', 'Owned chats whose upstream socket is live and caught up');
    readiness.register('transcriptWriter', async () => {
      if (this.writer.degraded) throw new Error(`item writes failing: ${this.writer.lastError ?? 'backlog'}`);
      return { backlog: this.writer.pending };
    });
  }

  /** The first tick is awaited: chats this process creates must never look ownerless to others. */
  async onApplicationBootstrap(): Promise<void> {
    this.tick = setInterval(() => void this.leaseTick(), this.timing.leaseTickMs);
    this.tick.unref();
    await this.leaseTick();
  }

  /** Before the database closes: stop the upstreams, store what is queued, hand the leases back. */
  async onModuleDestroy(): Promise<void> {
    this.shuttingDown = true;
    clearInterval(this.tick);
    const ids = [...this.sessions.keys()];
    for (const s of this.sessions.values()) s.stop();
    this.sessions.clear();
    this.scheduler.close();
    await Promise.race([this.writer.drain(), new Promise((r) => setTimeout(r, SHUTDOWN_DRAIN_MS).unref())]).catch(() => undefined);
    try {
      await this.chats.release(this.ownerId);
      if (ids.length) this.log.log(`handed back the lease of ${ids.length} chats`);
    } catch (err) {
      this.log.warn(`could not hand back leases (they expire in ${this.timing.leaseMs} ms): ${describe(err)}`);
    }
  }

  get(chatId: string): ChatSession | undefined {
    return this.sessions.get(chatId);
  }

  get size(): number {
    return this.sessions.size;
  }

  /**
   * StartChatContact, paced like every upstream call (customer priority); a long queue is a 429 at once.
   * Connect unreachable or 5xx: tried again with the same ClientToken (never a second chat).
   */
  startChat(routing: ConnectRouting, input: StartChatInput): Promise<StartedChat> {
    return retryUnavailable(() => this.scheduler.run(routing.instanceId, 'StartChatContact', UpstreamPriority.CustomerSend,
      () => this.deps.port.startChat(routing, input), START_MAX_WAIT_MS));
  }

  ownedChatIds(): string[] {
    return [...this.sessions.keys()];
  }

  /** Starts the session of a chat this process just created (it holds the lease already). */
  async adopt(record: ChatRecord): Promise<ChatSession> {
    return this.begin(record);
  }

  private begin(record: ChatRecord): Promise<ChatSession> {
    const existing = this.sessions.get(record.id);
    if (existing && existing.epoch === record.ownerEpoch) return Promise.resolve(existing);
    // Our own lease lapsed (database outage) and we took the chat again under a new epoch.
    if (existing) existing.onLost('re-acquired under a new epoch');
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
    if (this.shuttingDown || this.ticking) return;
    this.ticking = true;
    try {
      const sessions = [...this.sessions.values()];
      const held = sessions.map((s) => ({ id: s.chatId, epoch: s.epoch }));
      const renewed = await this.chats.renew(this.ownerId, held, this.timing.leaseMs);
      if (++this.ticks % DEAD_OWNER_SWEEP_TICKS === 0) await this.chats.forgetDeadOwners(DEAD_OWNER_KEEP_MS);
      // Only sessions the check covered: one started meanwhile was not asked about.
      for (const s of sessions) if (!renewed.has(s.chatId) && s.status !== 'ended') s.onLost('lease not renewed');
      this.linkedGauge.set([...this.sessions.values()].filter((s) => s.status === 'active' || s.status === 'ending').length);
      const room = Math.min(TAKEOVER_BATCH, MAX_QUEUED_REDIALS - this.scheduler.waiting('CreateParticipantConnection'));
      if (room <= 0 || this.shuttingDown) return;
      const taken = await this.chats.acquireExpired(this.ownerId, room);
      if (taken.length) this.log.log(`taking over ${taken.length} chats`);
      for (const record of taken) {
        this.begin(record).catch((err: unknown) => this.log.error({ err }, `could not resume chat ${record.id}`));
      }
    } catch (err) {
      this.log.warn(`lease tick failed: ${describe(err)}`);
    } finally {
      this.ticking = false;
    }
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message.slice(0, 200) : String(err);
}
