import { createHash } from 'node:crypto';
import type { Logger } from '@nestjs/common';
import { AppError } from '../common/app-error.js';
import type { ConnectChatPort, ConnectionCredentials } from '../connect/connect-chat.port.js';
import { ConnectError } from '../connect/connect-error.js';
import { CONTENT_TYPES, classify, isChatEnded } from '../connect/connect-item.js';
import type { ConnectItem } from '../connect/connect-item.js';
import type { ChatItemDto } from '../transcripts/chat-item.js';
import { toChatItemDto } from '../transcripts/chat-item.js';
import type { ChatItemsRepository } from '../transcripts/chat-items.repository.js';
import type { ItemStoreRepository, NewChatItem, StoredReceipt } from '../transcripts/item-store.repository.js';
import { backoffDelay } from './backoff.js';
import type { ChatEvents, EndReasonPublic, LinkStatus } from './chat-events.js';
import type { ChatRecord } from './chat-record.js';
import type { ChatsRepository } from './chats.repository.js';
import type { Clock } from './clock.js';
import type { ItemWriter, OwnedChat } from './item-writer.service.js';
import { byConnectOrder, newItemToDto, toNewItem } from './item-mapping.js';
import type { Redactor } from './item-mapping.js';
import { fetchMissed } from './transcript-catch-up.js';
import { UpstreamLink } from './upstream-link.js';
import type { LinkDeps, LinkHost, LinkTiming, SocketFactory } from './upstream-link.js';
import type { UpstreamScheduler } from './upstream-scheduler.js';
import { UpstreamPriority } from './upstream-scheduler.js';

export interface SessionDeps {
  port: ConnectChatPort;
  scheduler: UpstreamScheduler;
  writer: Pick<ItemWriter, 'enqueue' | 'enqueueReceipt' | 'hasRoom'>;
  events: ChatEvents;
  chats: ChatsRepository;
  items: ChatItemsRepository;
  store: ItemStoreRepository;
  vault: { seal(plain: string): string; open(sealed: string): string };
  log: Logger;
  timing: SessionTiming;
  clock: Clock;
  openSocket: SocketFactory;
  counters?: LinkDeps['counters'] & { shed(): void };
  /** The registry forgets the session (ended, lost, or stopped). */
  onGone(session: ChatSession, reason: string): void;
}

export interface SessionTiming extends LinkTiming {
  /** How long an echo of our own message waits for SendMessage's answer before it is stored anyway. */
  echoHoldMs: number;
  /** How long a send waits for its echo before a backfill is forced. */
  storeWaitMs: number;
  typingIntervalMs: number;
}

/** Connect's default chat duration: a chat ending about then ran out of time rather than being stopped. */
const DEFAULT_CHAT_DURATION_MS = 25 * 3600_000;
const PUBLIC_REASONS = new Set<string>(['customer', 'agent', 'stopped', 'duration', 'abandoned']);

/**
 * The owner side of one chat (DESIGN.md): de-duplication by Connect Id, `seq` assignment, catch-up after
 * every gap (the link asks for it), the customer's sends and the end. Items reach browsers only through
 * the writer, after they are stored. When the writer's backlog is full (database down for long), live
 * items are dropped and fetched again from Connect once it drains (`shedding`).
 */
export class ChatSession implements OwnedChat, LinkHost {
  readonly chatId: string;
  readonly epoch: number;
  committedSeq = 0;
  lost = false;
  status: LinkStatus = 'starting';

  private nextSeq = 0;
  private readonly known = new Set<string>();
  private readonly stored = new Set<string>();
  private currentContactId: string;
  private lastItem: ConnectItem | undefined;
  private readonly link: UpstreamLink;
  /** Live items held back while an ad-hoc catch-up runs. */
  private holding: ConnectItem[] | null = null;
  private adhoc: Promise<void> | undefined;
  private shedding = false;
  private shedTimer: unknown;
  private stopped = false;
  private endSeq: number | undefined;
  private endReason: EndReasonPublic;
  private endUnseenReason = false;
  private customerLeft: boolean;
  private agentLeft = false;
  private lastTypingSentAt = 0;
  private inflightSends = 0;
  private readonly sentIds = new Map<string, string>();
  private readonly heldEchoes = new Map<string, { item: ConnectItem; timer: unknown }>();
  private readonly pendingSends = new Map<string, { contentType: string; content: string; result: Promise<ChatItemDto> }>();
  private readonly waiters = new Map<string, ((item: NewChatItem | null) => void)[]>();
  private endedWaiters: (() => void)[] = [];

  constructor(private readonly record: ChatRecord, private readonly redact: Redactor, private readonly deps: SessionDeps) {
    this.chatId = record.id;
    this.epoch = record.ownerEpoch;
    this.currentContactId = record.currentContactId;
    this.customerLeft = record.status === 'ending';
    this.endReason = record.endReason && PUBLIC_REASONS.has(record.endReason) ? (record.endReason as EndReasonPublic) : 'unknown';
    this.link = new UpstreamLink({
      chatId: record.id,
      instanceId: record.connectInstanceId,
      region: record.connectRegion,
      participantToken: deps.vault.open(record.participantTokenEnc ?? ''),
    }, this, {
      port: deps.port,
      scheduler: deps.scheduler,
      clock: deps.clock,
      timing: deps.timing,
      openSocket: deps.openSocket,
      log: { log: (m) => deps.log.log(m), warn: (m) => deps.log.warn(m) },
      counters: deps.counters,
    });
  }

  get lastSeq(): number {
    return this.committedSeq;
  }

  /** Loads what is stored, connects, catches up. Resolves after the first link attempt. */
  async start(): Promise<void> {
    await this.loadState();
    if (!this.stopped) await this.link.start();
  }

  private async loadState(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        const state = await this.deps.store.ownerState(this.chatId);
        this.committedSeq = this.nextSeq = state.lastSeq;
        for (const id of state.knownIds) {
          this.known.add(id);
          this.stored.add(id);
        }
        if (state.last) this.lastItem = { Id: state.last.connectItemId, AbsoluteTime: state.last.absoluteTime.toISOString(), Type: state.last.type };
        return;
      } catch (err) {
        this.deps.log.warn(`chat ${this.chatId}: cannot load its stored state (${describe(err)}); retrying`);
        await this.sleep(backoffDelay(attempt, this.deps.timing.backoffBaseMs, this.deps.timing.backoffMaxMs));
      }
    }
  }

  // ---- the link (LinkHost) ---------------------------------------------------------------------

  ingest(items: ConnectItem[]): void {
    if (this.holding) this.holding.push(...items);
    else this.accept(items);
  }

  async catchUp(promote: () => ConnectItem[]): Promise<void> {
    const fetched = await this.fetchMissed(UpstreamPriority.Backfill);
    this.accept(merged(fetched, promote()));
  }

  linkChanged(state: 'reconnecting' | 'active'): void {
    if (state === 'reconnecting') return this.setStatus('reconnecting');
    const first = this.status === 'starting';
    this.setStatus(this.customerLeft ? 'ending' : 'active');
    if (first && this.record.status === 'starting') {
      this.deps.chats.updateOwned(this.chatId, this.epoch, { status: 'active' })
        .catch((err: unknown) => this.deps.log.warn(`chat ${this.chatId}: could not record it active (${describe(err)})`));
    }
  }

  chatOver(gapless: boolean): void {
    void this.endUnseen(gapless);
  }

  tokenChanged(credentials: ConnectionCredentials): void {
    this.deps.chats.updateOwned(this.chatId, this.epoch, {
      connectionTokenEnc: this.deps.vault.seal(credentials.connectionToken), connectionExpiresAt: credentials.connectionExpiresAt,
    }).catch(() => undefined);
  }

  /** Fetches what Connect has after our newest item and stores it with whatever arrives meanwhile. */
  private catchUpNow(priority: UpstreamPriority): Promise<void> {
    this.adhoc ??= (async () => {
      this.holding = [];
      let fetched: ConnectItem[] = [];
      try {
        fetched = await this.fetchMissed(priority);
        this.shedding = false;
      } finally {
        const held = this.holding ?? [];
        this.holding = null;
        this.accept(merged(fetched, held));
      }
    })().finally(() => {
      this.adhoc = undefined;
    });
    return this.adhoc;
  }

  private fetchMissed(priority: UpstreamPriority): Promise<ConnectItem[]> {
    return fetchMissed(
      (query) => this.callUpstream('GetTranscript', priority, (token) => this.deps.port.getTranscript(this.record.connectRegion, token, query), 5),
      this.lastItem?.Id,
      (id) => this.known.has(id),
    );
  }

  // ---- ingest ----------------------------------------------------------------------------------

  /** De-duplicates by Connect Id, assigns seq, hands to the writer. `force`: even past the backlog limit. */
  private accept(items: ConnectItem[], force = false): void {
    const batch: NewChatItem[] = [];
    for (const item of items) {
      switch (classify(item)) {
        case 'typing':
          if (item.ParticipantRole !== 'CUSTOMER') {
            this.deps.events.typing(this.chatId, { participantRole: item.ParticipantRole ?? 'AGENT', displayName: item.DisplayName ?? '', at: item.AbsoluteTime ?? new Date().toISOString() });
          }
          continue;
        case 'receipt':
          this.onReceiptItem(item);
          continue;
        case 'live-only':
          continue;
      }
      if (this.known.has(item.Id) || this.endSeq !== undefined) continue;
      if (!force && (this.shedding || !this.deps.writer.hasRoom)) {
        this.startShedding();
        continue;
      }
      if (this.isUnclaimedEcho(item)) {
        this.holdEcho(item);
        continue;
      }
      batch.push(this.assign(item));
    }
    if (batch.length) this.deps.writer.enqueue(this, batch);
  }

  private assign(item: ConnectItem): NewChatItem {
    this.known.add(item.Id);
    if (!this.lastItem || byConnectOrder(this.lastItem, item) < 0) this.lastItem = item;
    const seq = ++this.nextSeq;
    if (item.ContentType === CONTENT_TYPES.left) {
      if (item.ParticipantRole === 'AGENT') this.agentLeft = true;
      if (item.ParticipantRole === 'CUSTOMER') this.customerLeft = true;
    }
    if (isChatEnded(item)) {
      this.endSeq = seq;
      this.endReason = this.reasonForEnd();
    }
    return toNewItem(this.chatId, seq, item, this.sentIds.get(item.Id) ?? null, this.redact);
  }

  private reasonForEnd(): EndReasonPublic {
    if (this.endReason !== 'unknown') return this.endReason;
    if (this.customerLeft) return 'customer';
    if (this.agentLeft) return 'agent';
    if (this.endUnseenReason) return 'unknown';
    if (Date.now() - this.record.startedAt.getTime() >= DEFAULT_CHAT_DURATION_MS - 60_000) return 'duration';
    return 'stopped';
  }

  /** The writer cannot take more: drop live items until it drains, then fetch them again from Connect. */
  private startShedding(): void {
    this.deps.counters?.shed();
    if (this.shedding) return;
    this.shedding = true;
    this.deps.log.warn(`chat ${this.chatId}: item backlog full; items will be fetched from Connect again once it drains`);
    this.scheduleShedRecovery();
  }

  private scheduleShedRecovery(): void {
    if (this.shedTimer !== undefined || this.stopped) return;
    this.shedTimer = this.deps.clock.setTimeout(() => {
      this.shedTimer = undefined;
      if (this.stopped || !this.shedding) return;
      if (!this.deps.writer.hasRoom || this.link.linking) return this.scheduleShedRecovery();
      this.catchUpNow(UpstreamPriority.Backfill).catch(() => undefined).finally(() => {
        if (this.shedding) this.scheduleShedRecovery();
      });
    }, 500);
  }

  private isUnclaimedEcho(item: ConnectItem): boolean {
    return this.inflightSends > 0 && item.Type === 'MESSAGE' && item.ParticipantId === this.record.participantId && !this.sentIds.has(item.Id);
  }

  private holdEcho(item: ConnectItem): void {
    if (this.heldEchoes.has(item.Id)) return;
    const timer = this.deps.clock.setTimeout(() => this.releaseEcho(item.Id), this.deps.timing.echoHoldMs);
    this.heldEchoes.set(item.Id, { item, timer });
  }

  private releaseEcho(id: string): void {
    const held = this.heldEchoes.get(id);
    if (!held) return;
    this.deps.clock.clearTimeout(held.timer);
    this.heldEchoes.delete(id);
    this.accept([held.item]);
  }

  private onReceiptItem(item: ConnectItem): void {
    const messageId = item.MessageMetadata?.MessageId;
    const receipts = item.MessageMetadata?.Receipts ?? [];
    if (!messageId || !receipts.length) return;
    const times = (key: 'DeliveredTimestamp' | 'ReadTimestamp'): Date | null => {
      const ts = receipts.map((r) => r[key]).filter((t): t is string => typeof t === 'string' && !Number.isNaN(Date.parse(t)));
      return ts.length ? new Date(ts.sort()[0]!) : null;
    };
    this.deps.writer.enqueueReceipt(this, { chatId: this.chatId, connectItemId: messageId, deliveredAt: times('DeliveredTimestamp'), readAt: times('ReadTimestamp') });
  }

  // ---- writer callbacks ------------------------------------------------------------------------

  onStored(items: NewChatItem[]): void {
    for (const item of items) this.stored.add(item.connectItemId);
    this.followTransfer(items);
    this.deps.events.items(this.chatId, items.map(newItemToDto));
    for (const item of items) {
      const waiting = this.waiters.get(item.connectItemId);
      this.waiters.delete(item.connectItemId);
      waiting?.forEach((resolve) => resolve(item));
    }
    if (this.endSeq !== undefined && this.committedSeq >= this.endSeq) void this.finishEnd();
  }

  /** After a transfer Connect's items carry the new ContactId: the chat row follows it (staff look it up in Connect). */
  private followTransfer(items: NewChatItem[]): void {
    const contactId = items.findLast((i) => i.contactId)?.contactId;
    if (!contactId || contactId === this.currentContactId) return;
    this.currentContactId = contactId;
    this.deps.chats.updateOwned(this.chatId, this.epoch, { currentContactId: contactId })
      .catch((err: unknown) => this.deps.log.warn(`chat ${this.chatId}: could not record the current contact (${describe(err)})`));
  }

  onReceipts(receipts: StoredReceipt[]): void {
    for (const r of receipts) {
      this.deps.events.receipt(this.chatId, {
        messageId: r.connectItemId, seq: r.seq,
        ...(r.deliveredAt ? { deliveredAt: r.deliveredAt.toISOString() } : {}),
        ...(r.readAt ? { readAt: r.readAt.toISOString() } : {}),
      });
    }
  }

  onLost(reason: string): void {
    if (this.lost) return;
    this.lost = true;
    this.deps.log.warn(`chat ${this.chatId}: ownership lost (${reason})`);
    this.stop();
    this.deps.onGone(this, reason);
  }

  // ---- end of chat -----------------------------------------------------------------------------

  private async finishEnd(): Promise<void> {
    if (this.status === 'ended') return;
    this.status = 'ended';
    this.link.stop();
    await this.deps.chats.updateOwned(this.chatId, this.epoch, { status: 'ended', endedAt: new Date(), endReason: this.endReason })
      .catch((err: unknown) => this.deps.log.error({ err }, `chat ${this.chatId}: could not record the end`));
    this.deps.events.state(this.chatId, { status: 'ended', lastSeq: this.committedSeq });
    this.deps.events.ended(this.chatId, { lastSeq: this.committedSeq, reason: this.endReason });
    this.endedWaiters.forEach((r) => r());
    this.endedWaiters = [];
    this.stop();
    this.deps.onGone(this, 'ended');
  }

  /**
   * Connect refused the participant token: the chat ended. `gapless` false: it ended while nobody held
   * the chat (or during a gap), and Connect no longer serves what happened meanwhile.
   */
  private async endUnseen(gapless: boolean): Promise<void> {
    if (this.endSeq !== undefined || this.stopped) return;
    this.holding = null;
    this.endUnseenReason = true;
    if (!gapless) {
      await this.deps.chats.updateOwned(this.chatId, this.epoch, { transcriptIncomplete: true })
        .catch((err: unknown) => this.deps.log.warn(`chat ${this.chatId}: could not mark the transcript incomplete (${describe(err)})`));
    }
    this.accept([{ Id: `gateway-ended-${this.chatId}`, Type: 'EVENT', ContentType: CONTENT_TYPES.ended, AbsoluteTime: new Date().toISOString() }], true);
  }

  /** Nobody has had the chat open for the abandonment period: the customer leaves Connect. */
  async abandon(): Promise<void> {
    if (this.stopped || this.endSeq !== undefined || this.customerLeft) return;
    this.deps.log.log(`chat ${this.chatId}: no browser connected for the abandonment period; ending the customer's side`);
    await this.leave('abandoned', UpstreamPriority.Backfill);
  }

  private async leave(reason: EndReasonPublic, priority: UpstreamPriority): Promise<void> {
    this.endReason = reason;
    try {
      await this.callUpstream('DisconnectParticipant', priority, (token) => this.deps.port.disconnect(this.record.connectRegion, token));
    } catch (err) {
      if (!(err instanceof ConnectError && err.failure === 'ended')) throw err instanceof ConnectError ? err.toAppError() : err;
    }
    this.customerLeft = true;
    if (this.endSeq === undefined && this.status !== 'ending') {
      this.setStatus('ending');
      await this.deps.chats.updateOwned(this.chatId, this.epoch, { status: 'ending', endReason: reason }).catch(() => undefined);
    }
  }

  // ---- customer actions ------------------------------------------------------------------------

  async send(clientMessageId: string, contentType: string, content: string): Promise<ChatItemDto> {
    this.assertOpen();
    const pending = this.pendingSends.get(clientMessageId);
    if (pending) {
      if (pending.content !== content || pending.contentType !== contentType) throw conflict();
      return pending.result;
    }
    const existing = await this.deps.items.findByClientMessageId(this.chatId, clientMessageId).catch(storageDown);
    if (existing) {
      const masked = this.redact ? this.redact(content) : content;
      if (existing.content !== masked || existing.contentType !== contentType) throw conflict();
      return toChatItemDto(existing);
    }
    const result = this.doSend(clientMessageId, contentType, content);
    this.pendingSends.set(clientMessageId, { contentType, content, result });
    try {
      return await result;
    } finally {
      this.pendingSends.delete(clientMessageId);
    }
  }

  private async doSend(clientMessageId: string, contentType: string, content: string): Promise<ChatItemDto> {
    this.inflightSends++;
    let id: string;
    try {
      const res = await this.withRetries('SendMessage', UpstreamPriority.CustomerSend, (token) =>
        this.deps.port.sendMessage(this.record.connectRegion, token, { contentType, content, clientToken: clientTokenFor(this.chatId, clientMessageId) }));
      id = res.id;
      this.sentIds.set(id, clientMessageId);
    } finally {
      this.inflightSends--;
    }
    this.releaseEcho(id);
    if (this.inflightSends === 0) for (const held of [...this.heldEchoes.keys()]) this.releaseEcho(held);
    return this.storedItem(id);
  }

  /** Waits until Connect's item is stored; a missing echo forces a backfill (the socket may be dead). */
  private async storedItem(id: string): Promise<ChatItemDto> {
    for (let attempt = 0; attempt < 3; attempt++) {
      if (this.stored.has(id)) {
        const row = await this.deps.items.findByConnectId(this.chatId, id).catch(storageDown);
        if (row) return toChatItemDto(row);
      }
      const item = await new Promise<NewChatItem | null>((resolve) => {
        const timer = this.deps.clock.setTimeout(() => resolve(null), this.deps.timing.storeWaitMs);
        const list = this.waiters.get(id) ?? [];
        list.push((i) => {
          this.deps.clock.clearTimeout(timer);
          resolve(i);
        });
        this.waiters.set(id, list);
      });
      if (item) return newItemToDto(item);
      if (this.stopped) break;
      // Known but not stored yet: the database is slow, not Connect. Otherwise the echo is missing.
      if (!this.known.has(id) && !this.link.linking) await this.catchUpNow(UpstreamPriority.CustomerSend).catch(() => undefined);
    }
    throw new AppError('UPSTREAM_UNAVAILABLE', 'The message was sent but is not stored yet; retry with the same clientMessageId.', { retryAfterSeconds: 2 });
  }

  async typing(): Promise<void> {
    this.assertOpen();
    const now = this.deps.clock.now();
    if (now - this.lastTypingSentAt < this.deps.timing.typingIntervalMs) return;
    this.lastTypingSentAt = now;
    await this.withRetries('SendEvent', UpstreamPriority.ReceiptOrTyping, (token) =>
      this.deps.port.sendEvent(this.record.connectRegion, token, { contentType: CONTENT_TYPES.typing }), 1);
  }

  async receipt(kind: 'read' | 'delivered', messageId: string): Promise<void> {
    this.assertOpen();
    await this.withRetries('SendEvent', UpstreamPriority.ReceiptOrTyping, (token) =>
      this.deps.port.sendEvent(this.record.connectRegion, token, {
        contentType: kind === 'read' ? CONTENT_TYPES.read : CONTENT_TYPES.delivered,
        content: JSON.stringify({ messageId }),
      }), 2);
  }

  /** The customer leaves (DisconnectParticipant); resolves with the status once Connect answered. */
  async end(): Promise<'ending' | 'ended'> {
    if (this.status === 'ended') return 'ended';
    if (this.endSeq === undefined && !this.customerLeft) await this.leave('customer', UpstreamPriority.CustomerSend);
    await Promise.race([
      new Promise<void>((r) => this.endedWaiters.push(r)),
      this.sleep(2000),
    ]);
    return (this.status as LinkStatus) === 'ended' ? 'ended' : 'ending';
  }

  private assertOpen(): void {
    if (this.status === 'ended' || this.endSeq !== undefined) throw new AppError('CHAT_ENDED', 'The chat has ended.');
    if (this.stopped) throw new AppError('UPSTREAM_UNAVAILABLE', 'The chat is moving to another gateway process; retry shortly.', { retryAfterSeconds: 1 });
  }

  /** An upstream call for a browser: our own retries, then one error in the widget's vocabulary. */
  private async withRetries<T>(operation: string, priority: UpstreamPriority, call: (token: string) => Promise<T>, attempts = 4): Promise<T> {
    try {
      return await this.callUpstream(operation, priority, call, attempts);
    } catch (err) {
      throw err instanceof ConnectError ? err.toAppError() : err;
    }
  }

  /**
   * Through the scheduler with the newest connection token. Throttling and 5xx are retried with
   * back-off; a 403 first gets a fresh token (it may have expired) and is final only if Connect refuses
   * the participant token too.
   */
  private async callUpstream<T>(operation: string, priority: UpstreamPriority, call: (token: string) => Promise<T>, attempts = 4): Promise<T> {
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      const token = this.link.connectionToken;
      if (!token) throw new AppError('UPSTREAM_UNAVAILABLE', 'The chat is connecting to Amazon Connect; retry shortly.', { retryAfterSeconds: 1 });
      try {
        return await this.deps.scheduler.run(this.record.connectInstanceId, operation, priority, () => call(token));
      } catch (err) {
        if (!(err instanceof ConnectError)) throw err;
        if (err.failure === 'ended' && !refreshed && !this.stopped) {
          refreshed = true;
          let fresh: boolean;
          try {
            fresh = await this.link.refreshToken();
          } catch {
            throw new ConnectError('unavailable', operation, 'TokenRefreshFailed', undefined);
          }
          if (fresh) {
            attempt--;
            continue;
          }
        }
        if (!err.retryable || attempt >= attempts || this.stopped) throw err;
        await this.sleep(backoffDelay(attempt - 1, this.deps.timing.backoffBaseMs, this.deps.timing.backoffMaxMs));
      }
    }
  }

  private setStatus(status: LinkStatus): void {
    const current: LinkStatus = this.status;
    if (current === status || current === 'ended') return;
    this.status = status;
    this.deps.events.state(this.chatId, { status, lastSeq: this.committedSeq });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.deps.clock.setTimeout(resolve, ms));
  }

  /** Stops everything local (shutdown, lost lease); Connect is not told anything. */
  stop(): void {
    this.stopped = true;
    this.link.stop();
    if (this.shedTimer !== undefined) this.deps.clock.clearTimeout(this.shedTimer);
    for (const { timer } of this.heldEchoes.values()) this.deps.clock.clearTimeout(timer);
    this.heldEchoes.clear();
    for (const list of this.waiters.values()) list.forEach((resolve) => resolve(null));
    this.waiters.clear();
  }
}

function merged(a: ConnectItem[], b: ConnectItem[]): ConnectItem[] {
  return [...a, ...b].sort(byConnectOrder);
}

function conflict(): AppError {
  return new AppError('CONFLICT', 'This clientMessageId was already used for a different message.');
}

function storageDown(): never {
  throw new AppError('UPSTREAM_UNAVAILABLE', 'Message storage is unavailable; retry shortly with the same clientMessageId.', { retryAfterSeconds: 2 });
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : 'error';
}

/** Connect's ClientToken for a customer send: stable per chat and clientMessageId, so retries never post twice. */
export function clientTokenFor(chatId: string, clientMessageId: string): string {
  const h = createHash('sha256').update(`${chatId}\u0000${clientMessageId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
