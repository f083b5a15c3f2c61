import type { ConnectChatPort, ConnectionCredentials } from '../connect/connect-chat.port.js';
import { ConnectError } from '../connect/connect-error.js';
import type { ConnectItem } from '../connect/connect-item.js';
import type { UpstreamSocketEvents } from '../connect/upstream-socket.js';
import { backoffDelay } from './backoff.js';
import type { Clock } from './clock.js';
import type { UpstreamScheduler } from './upstream-scheduler.js';
import { UpstreamPriority } from './upstream-scheduler.js';

export interface LinkTiming {
  heartbeatMs: number;
  /** Make-before-break rotation interval (ChatJS: 59 min); jittered 10 % earlier, never later. */
  rotateMs: number;
  /** Refresh the connection token this long before it expires (at the latest at half its life). */
  tokenRefreshMarginMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

/** The socket as the link needs it (UpstreamSocket in production, a fake in unit specs). */
export interface LinkSocket {
  open(url: string): Promise<void>;
  close(): void;
  readonly isOpen: boolean;
}

export type SocketFactory = (events: UpstreamSocketEvents, heartbeatMs: number) => LinkSocket;

/** What the chat's session does for the link. */
export interface LinkHost {
  /** Items the live socket delivered. */
  ingest(items: ConnectItem[]): void;
  /**
   * A new socket is subscribed; what it delivers is held back. Fetch what the gap missed, then call
   * `promote()` — it makes the new socket the live one and returns what it delivered so far — and store
   * both together, in Connect's order.
   */
  catchUp(promote: () => ConnectItem[]): Promise<void>;
  linkChanged(state: 'reconnecting' | 'active'): void;
  /** Connect refused the participant token: the chat is over. `gapless`: a live socket saw everything until then. */
  chatOver(gapless: boolean): void;
  tokenChanged(credentials: ConnectionCredentials): void;
}

export interface LinkDeps {
  port: Pick<ConnectChatPort, 'createConnection' | 'refreshConnectionToken'>;
  scheduler: Pick<UpstreamScheduler, 'run'>;
  clock: Clock;
  timing: LinkTiming;
  openSocket: SocketFactory;
  log: { log(message: string): void; warn(message: string): void };
  random?: () => number;
  counters?: { reconnected(): void; rotated(): void; tokenRefreshed(): void };
}

export interface LinkTarget {
  chatId: string;
  instanceId: string;
  region: string;
  participantToken: string;
}

/**
 * One chat's connection to Connect (connect-protocol.md §3.5, §5): a fresh CreateParticipantConnection
 * for every socket; after any loss an immediate re-dial, then exponential back-off with jitter; 429 and
 * 5xx are retried forever, 403 means the chat is over. Every new socket is caught up (the host backfills)
 * before it goes live. Rotation is make-before-break: the old socket stays live until the new one is
 * caught up. The connection token is refreshed before it expires. One attempt at a time.
 */
export class UpstreamLink {
  private token: string | undefined;
  private tokenExpiresAt = 0;
  private primary: LinkSocket | undefined;
  private pending: LinkSocket | undefined;
  private buffer: ConnectItem[] = [];
  private busy: Promise<void> | undefined;
  private refreshing: Promise<boolean> | undefined;
  private attempts = 0;
  private refreshAttempts = 0;
  private everLinked = false;
  private over = false;
  private stopped = false;
  private retryTimer: unknown;
  private rotateTimer: unknown;
  private refreshTimer: unknown;
  private overTimer: unknown;

  constructor(private readonly target: LinkTarget, private readonly host: LinkHost, private readonly deps: LinkDeps) {}

  /** The newest connection token (every CreateParticipantConnection replaces it). */
  get connectionToken(): string | undefined {
    return this.token;
  }

  /** True while a caught-up socket is live and no re-dial is in progress. */
  get live(): boolean {
    return !!this.primary?.isOpen && !this.stopped && !this.over;
  }

  /** True while a new socket is being opened and caught up (a re-dial or rotation). */
  get linking(): boolean {
    return this.busy !== undefined;
  }

  /** The first link; resolves after the first attempt, successful or not (failures retry in the background). */
  start(): Promise<void> {
    return this.connect('link');
  }

  stop(): void {
    this.stopped = true;
    for (const t of [this.retryTimer, this.rotateTimer, this.refreshTimer, this.overTimer]) if (t !== undefined) this.deps.clock.clearTimeout(t);
    this.retryTimer = this.rotateTimer = this.refreshTimer = this.overTimer = undefined;
    this.primary?.close();
    this.pending?.close();
    this.primary = this.pending = undefined;
    this.buffer = [];
  }

  /**
   * Gets a fresh connection token now (a call was refused with 403: the token may have expired).
   * Resolves false when Connect refuses the participant token too: the chat is over.
   */
  refreshToken(): Promise<boolean> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  // ---- attempts ----------------------------------------------------------------------------------

  private connect(kind: 'link' | 'rotate'): Promise<void> {
    if (this.stopped || this.over) return Promise.resolve();
    this.busy ??= this.attempt(kind).finally(() => {
      this.busy = undefined;
    });
    return this.busy;
  }

  private async attempt(kind: 'link' | 'rotate'): Promise<void> {
    const rotation = kind === 'rotate' && !!this.primary;
    const priority = !this.everLinked ? UpstreamPriority.CustomerSend : rotation ? UpstreamPriority.Backfill : UpstreamPriority.Redial;
    let socket: LinkSocket | undefined;
    try {
      const conn = await this.deps.scheduler.run(this.target.instanceId, 'CreateParticipantConnection', priority,
        () => this.deps.port.createConnection(this.target.region, this.target.participantToken));
      if (this.stopped || this.over) return;
      this.setToken({ connectionToken: conn.connectionToken, connectionExpiresAt: conn.connectionExpiresAt });
      const s: LinkSocket = this.deps.openSocket({
        onItem: (item) => this.onItem(s, item),
        onClosed: (reason) => this.onClosed(s, reason),
      }, this.deps.timing.heartbeatMs);
      socket = s;
      this.pending = s;
      this.buffer = [];
      await s.open(conn.websocketUrl);
      if (this.stopped || this.over) return;
      await this.host.catchUp(() => this.promote(s));
      if (this.stopped || this.over) return;
      if (this.pending === s) this.host.ingest(this.promote(s));
      if (!s.isOpen) {
        if (this.primary === s) this.primary = undefined;
        throw new Error('the new socket closed while catching up');
      }
      const wasLinked = this.everLinked;
      this.attempts = 0;
      this.everLinked = true;
      this.armRotation();
      this.host.linkChanged('active');
      if (rotation) this.deps.counters?.rotated();
      else if (wasLinked) this.deps.counters?.reconnected();
    } catch (err) {
      if (socket && this.pending === socket) {
        this.pending = undefined;
        this.buffer = [];
      }
      if (socket && this.primary !== socket) socket.close();
      if (this.stopped || this.over) return;
      if (err instanceof ConnectError && err.failure === 'ended') return this.chatIsOver();
      this.deps.log.warn(`chat ${this.target.chatId}: ${rotation ? 'rotation' : 'link'} failed (${describe(err)}); retrying`);
      this.scheduleRetry();
    }
  }

  private scheduleRetry(): void {
    if (this.stopped || this.over || this.retryTimer !== undefined) return;
    const { backoffBaseMs, backoffMaxMs } = this.deps.timing;
    const delay = backoffDelay(this.attempts++, backoffBaseMs, backoffMaxMs, this.deps.random);
    this.retryTimer = this.deps.clock.setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect(this.primary ? 'rotate' : 'link');
    }, delay);
  }

  private promote(socket: LinkSocket): ConnectItem[] {
    if (this.pending !== socket) return [];
    const old = this.primary;
    this.primary = socket;
    this.pending = undefined;
    const held = this.buffer;
    this.buffer = [];
    if (old && old !== socket) old.close();
    return held;
  }

  // ---- socket events -----------------------------------------------------------------------------

  private onItem(socket: LinkSocket, item: ConnectItem): void {
    if (this.stopped) return;
    if (socket === this.pending) this.buffer.push(item);
    else if (socket === this.primary) this.host.ingest([item]);
  }

  private onClosed(socket: LinkSocket, reason: string): void {
    // A pending socket's loss surfaces in its attempt (open() rejects, or isOpen is false after catch-up).
    if (this.stopped || socket !== this.primary) return;
    this.primary = undefined;
    this.cancelRotation();
    this.deps.log.log(`chat ${this.target.chatId}: upstream lost (${reason})`);
    if (this.over) return;
    this.host.linkChanged('reconnecting');
    if (!this.busy && this.retryTimer === undefined) void this.connect('link');
  }

  // ---- rotation and token refresh ----------------------------------------------------------------

  private armRotation(): void {
    this.cancelRotation();
    const jitter = 0.9 + 0.1 * (this.deps.random ?? Math.random)();
    this.rotateTimer = this.deps.clock.setTimeout(() => {
      this.rotateTimer = undefined;
      if (this.primary) void this.connect('rotate');
    }, Math.round(this.deps.timing.rotateMs * jitter));
  }

  private cancelRotation(): void {
    if (this.rotateTimer !== undefined) this.deps.clock.clearTimeout(this.rotateTimer);
    this.rotateTimer = undefined;
  }

  private setToken(credentials: ConnectionCredentials): void {
    this.token = credentials.connectionToken;
    this.tokenExpiresAt = credentials.connectionExpiresAt.getTime();
    this.host.tokenChanged(credentials);
    this.armRefresh();
  }

  private armRefresh(delay?: number): void {
    if (this.refreshTimer !== undefined) this.deps.clock.clearTimeout(this.refreshTimer);
    if (delay === undefined) {
      const left = this.tokenExpiresAt - this.deps.clock.now();
      delay = Math.max(1000, left - this.deps.timing.tokenRefreshMarginMs, Math.floor(left / 2));
    }
    this.refreshTimer = this.deps.clock.setTimeout(() => {
      this.refreshTimer = undefined;
      this.refreshToken().catch(() => undefined);
    }, delay);
  }

  private async doRefresh(): Promise<boolean> {
    if (this.stopped || this.over) return !this.over;
    try {
      const credentials = await this.deps.scheduler.run(this.target.instanceId, 'CreateParticipantConnection', UpstreamPriority.Backfill,
        () => this.deps.port.refreshConnectionToken(this.target.region, this.target.participantToken));
      if (this.stopped || this.over) return !this.over;
      this.refreshAttempts = 0;
      this.setToken(credentials);
      this.deps.counters?.tokenRefreshed();
      return true;
    } catch (err) {
      if (err instanceof ConnectError && err.failure === 'ended') {
        this.chatIsOver();
        return false;
      }
      if (!this.stopped) {
        this.deps.log.warn(`chat ${this.target.chatId}: token refresh failed (${describe(err)}); retrying`);
        const { backoffBaseMs, backoffMaxMs } = this.deps.timing;
        this.armRefresh(backoffDelay(this.refreshAttempts++, backoffBaseMs, backoffMaxMs, this.deps.random));
      }
      throw err;
    }
  }

  // ---- the end -----------------------------------------------------------------------------------

  /**
   * A live socket normally brings chat.ended itself: give it two heartbeats (a dead socket is noticed
   * by then) before telling the host the chat ended unseen.
   */
  private chatIsOver(): void {
    if (this.over || this.stopped) return;
    this.over = true;
    for (const t of [this.retryTimer, this.rotateTimer, this.refreshTimer]) if (t !== undefined) this.deps.clock.clearTimeout(t);
    this.retryTimer = this.rotateTimer = this.refreshTimer = undefined;
    this.pending?.close();
    this.pending = undefined;
    if (!this.primary?.isOpen) return this.host.chatOver(false);
    this.overTimer = this.deps.clock.setTimeout(() => {
      this.overTimer = undefined;
      if (!this.stopped) this.host.chatOver(!!this.primary?.isOpen);
    }, this.deps.timing.heartbeatMs * 2);
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : 'error';
}
