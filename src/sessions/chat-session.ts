import { createHash } from 'node:crypto';
import type { Logger } from '@nestjs/common';
import { AppError } from '../common/app-error.js';
import { ConnectError } from '../connect/connect-error.js';
import type { ConnectChatPort } from '../connect/connect-chat.port.js';
import { CONTENT_TYPES, classify, isChatEnded } from '../connect/connect-item.js';
import type { ConnectItem } from '../connect/connect-item.js';
import { UpstreamSocket } from '../connect/upstream-socket.js';
import type { ChatItemDto } from '../transcripts/chat-item.js';
import { toChatItemDto } from '../transcripts/chat-item.js';
import type { ChatItemsRepository } from '../transcripts/chat-items.repository.js';
import type { ItemStoreRepository, NewChatItem, StoredReceipt } from '../transcripts/item-store.repository.js';
import type { ChatEvents, EndReasonPublic, LinkStatus } from './chat-events.js';
import type { ChatRecord } from './chat-record.js';
import type { ChatsRepository } from './chats.repository.js';
import type { ItemWriter, OwnedChat } from './item-writer.service.js';
import { byConnectOrder, newItemToDto, toNewItem } from './item-mapping.js';
import type { Redactor } from './item-mapping.js';
import type { UpstreamScheduler } from './upstream-scheduler.js';
import { UpstreamPriority } from './upstream-scheduler.js';

export interface SessionDeps {
  port: ConnectChatPort;
  scheduler: UpstreamScheduler;
  writer: ItemWriter;
  events: ChatEvents;
  chats: ChatsRepository;
  items: ChatItemsRepository;
  store: ItemStoreRepository;
  vault: { seal(plain: string): string; open(sealed: string): string };
  log: Logger;
  timing: SessionTiming;
  /** The registry forgets the session (ended, lost, or stopped). */
  onGone(session: ChatSession, reason: string): void;
}

export interface SessionTiming {
  heartbeatMs: number;
  /** How long an echo of our own message waits for SendMessage's answer before it is stored anyway. */
  echoHoldMs: number;
  /** How long a send waits for its echo before a backfill is forced. */
  storeWaitMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  typingIntervalMs: number;
}

/** Connect's default chat duration: a chat ending about then ran out of time rather than being stopped. */
const DEFAULT_CHAT_DURATION_MS = 25 * 3600_000;

/**
 * The owner side of one chat (DESIGN.md): its upstream socket, catch-up after every gap, de-duplication
 * by Connect Id, `seq` assignment and the customer's sends. Items reach browsers only through the
 * writer, after they are stored.
 */
export class ChatSession implements OwnedChat {
  readonly chatId: string;
  readonly epoch: number;
  committedSeq = 0;
  lost = false;
  status: LinkStatus = 'starting';

  private nextSeq = 0;
  private readonly known = new Set<string>();
  private readonly stored = new Set<string>();
  private lastItem: ConnectItem | undefined;
  private participantToken: string;
  private connectionToken: string | undefined;
  private socket: UpstreamSocket | undefined;
  private catchingUp = false;
  private buffer: ConnectItem[] = [];
  private linking: Promise<void> | undefined;
  private attempts = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private endSeq: number | undefined;
  private endReason: EndReasonPublic = 'unknown';
  private customerLeft = false;
  private agentLeft = false;
  private lastTypingSentAt = 0;
  private inflightSends = 0;
  private readonly sentIds = new Map<string, string>();
  private readonly heldEchoes = new Map<string, { item: ConnectItem; timer: NodeJS.Timeout }>();
  private readonly pendingSends = new Map<string, { contentType: string; content: string; result: Promise<ChatItemDto> }>();
  private readonly waiters = new Map<string, ((item: NewChatItem | null) => void)[]>();
  private endedWaiters: (() => void)[] = [];

  constructor(private readonly record: ChatRecord, private readonly redact: Redactor, private readonly deps: SessionDeps) {
    this.chatId = record.id;
    this.epoch = record.ownerEpoch;
    this.participantToken = deps.vault.open(record.participantTokenEnc ?? '');
  }

  get lastSeq(): number {
    return this.committedSeq;
  }

  /** Loads what is stored, connects, catches up. Resolves once the chat is live (or ended). */
  async start(): Promise<void> {
    const state = await this.deps.store.ownerState(this.chatId);
    this.committedSeq = this.nextSeq = state.lastSeq;
    for (const id of state.knownIds) {
      this.known.add(id);
      this.stored.add(id);
    }
    if (state.last) this.lastItem = { Id: state.last.connectItemId, AbsoluteTime: state.last.absoluteTime.toISOString(), Type: state.last.type };
    await this.link();
  }

  // ---- upstream link -------------------------------------------------------------------------

  private link(): Promise<void> {
    this.linking ??= this.doLink().finally(() => {
      this.linking = undefined;
    });
    return this.linking;
  }

  private async doLink(): Promise<void> {
    if (this.stopped || this.endSeq !== undefined) return;
    if (this.status !== 'starting') this.setStatus('reconnecting');
    let socket: UpstreamSocket | undefined;
    try {
      const conn = await this.deps.scheduler.run(this.record.connectInstanceId, 'CreateParticipantConnection',
        this.status === 'starting' ? UpstreamPriority.CustomerSend : UpstreamPriority.Redial,
        () => this.deps.port.createConnection(this.record.connectRegion, this.participantToken));
      if (this.stopped) return;
      this.connectionToken = conn.connectionToken;
      await this.deps.chats.updateOwned(this.chatId, this.epoch, {
        connectionTokenEnc: this.deps.vault.seal(conn.connectionToken), connectionExpiresAt: conn.connectionExpiresAt,
      });
      socket = new UpstreamSocket({
        onItem: (item) => this.onSocketItem(socket!, item),
        onClosed: (reason) => this.onSocketClosed(socket!, reason),
      }, { heartbeatMs: this.deps.timing.heartbeatMs });
      this.catchingUp = true;
      this.buffer = [];
      this.socket?.close();
      this.socket = socket;
      await socket.open(conn.websocketUrl);
      await this.backfill();
      this.attempts = 0;
      this.finishCatchUp();
      if (!this.stopped && this.endSeq === undefined) this.setStatus('active');
    } catch (err) {
      this.catchingUp = false;
      if (err instanceof ConnectError && err.failure === 'ended') return this.endedWhileAway();
      if (this.stopped) return;
      socket?.close();
      this.deps.log.warn(`chat ${this.chatId}: link failed (${err instanceof Error ? err.message : 'error'}); retrying`);
      this.scheduleRelink();
    }
  }

  private scheduleRelink(): void {
    if (this.stopped || this.retryTimer) return;
    const { backoffBaseMs, backoffMaxMs } = this.deps.timing;
    const delay = Math.min(backoffMaxMs, backoffBaseMs * 2 ** Math.min(this.attempts++, 10)) * (0.7 + Math.random() * 0.6);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.link();
    }, delay);
  }

  private onSocketItem(socket: UpstreamSocket, item: ConnectItem): void {
    if (socket !== this.socket || this.stopped) return;
    if (this.catchingUp) this.buffer.push(item);
    else this.ingest([item]);
  }

  private onSocketClosed(socket: UpstreamSocket, reason: string): void {
    if (socket !== this.socket || this.stopped || this.endSeq !== undefined) return;
    this.deps.log.log(`chat ${this.chatId}: upstream lost (${reason})`);
    this.setStatus('reconnecting');
    void this.link();
  }

  /** Pages GetTranscript from the last known item (or back from the newest) until caught up. */
  private async backfill(): Promise<void> {
    const collected: ConnectItem[] = [];
    const anchor = this.lastItem?.Id;
    let nextToken: string | undefined;
    for (let page = 0; page < 1000; page++) {
      const res = await this.deps.scheduler.run(this.record.connectInstanceId, 'GetTranscript', UpstreamPriority.Backfill,
        () => this.deps.port.getTranscript(this.record.connectRegion, this.connectionToken!, anchor
          ? { direction: 'FORWARD', startAfterId: anchor, maxResults: 100, nextToken }
          : { direction: 'BACKWARD', maxResults: 100, nextToken }));
      collected.push(...res.items);
      nextToken = res.nextToken;
      if (!nextToken || (!anchor && res.items.some((i) => this.known.has(i.Id)))) break;
    }
    this.buffer.push(...collected);
  }

  private finishCatchUp(): void {
    const merged = this.buffer.sort(byConnectOrder);
    this.buffer = [];
    this.catchingUp = false;
    this.ingest(merged);
  }

  // ---- ingest ----------------------------------------------------------------------------------

  /** De-duplicates by Connect Id, assigns seq, hands to the writer. */
  private ingest(items: ConnectItem[]): void {
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
    if (Date.now() - this.record.startedAt.getTime() >= DEFAULT_CHAT_DURATION_MS - 60_000) return 'duration';
    return 'stopped';
  }

  private isUnclaimedEcho(item: ConnectItem): boolean {
    return this.inflightSends > 0 && item.Type === 'MESSAGE' && item.ParticipantId === this.record.participantId && !this.sentIds.has(item.Id);
  }

  private holdEcho(item: ConnectItem): void {
    if (this.heldEchoes.has(item.Id)) return;
    const timer = setTimeout(() => this.releaseEcho(item.Id), this.deps.timing.echoHoldMs);
    this.heldEchoes.set(item.Id, { item, timer });
  }

  private releaseEcho(id: string): void {
    const held = this.heldEchoes.get(id);
    if (!held) return;
    clearTimeout(held.timer);
    this.heldEchoes.delete(id);
    this.ingest([held.item]);
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
    this.deps.events.items(this.chatId, items.map(newItemToDto));
    for (const item of items) {
      const waiting = this.waiters.get(item.connectItemId);
      this.waiters.delete(item.connectItemId);
      waiting?.forEach((resolve) => resolve(item));
    }
    if (this.endSeq !== undefined && this.committedSeq >= this.endSeq) void this.finishEnd();
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
    this.socket?.close();
    await this.deps.chats.updateOwned(this.chatId, this.epoch, { status: 'ended', endedAt: new Date(), endReason: this.endReason })
      .catch((err: unknown) => this.deps.log.error({ err }, `chat ${this.chatId}: could not record the end`));
    this.deps.events.state(this.chatId, { status: 'ended', lastSeq: this.committedSeq });
    this.deps.events.ended(this.chatId, { lastSeq: this.committedSeq, reason: this.endReason });
    this.endedWaiters.forEach((r) => r());
    this.endedWaiters = [];
    this.stop();
    this.deps.onGone(this, 'ended');
  }

  /** Connect refused our tokens: the chat ended while nobody held it; what happened meanwhile is gone. */
  private async endedWhileAway(): Promise<void> {
    if (this.endSeq !== undefined || this.stopped) return;
    this.buffer = [];
    this.catchingUp = false;
    await this.deps.chats.updateOwned(this.chatId, this.epoch, { transcriptIncomplete: true }).catch(() => undefined);
    this.ingest([{
      Id: `gateway-ended-${this.chatId}`,
      Type: 'EVENT',
      ContentType: CONTENT_TYPES.ended,
      AbsoluteTime: new Date().toISOString(),
    }]);
  }

  /** Ends with the given reason, as if Connect had sent chat.ended (abandonment, forced erase). */
  endLocally(reason: EndReasonPublic): void {
    this.endReason = reason;
    void this.endedWhileAway();
  }

  // ---- customer actions ------------------------------------------------------------------------

  async send(clientMessageId: string, contentType: string, content: string): Promise<ChatItemDto> {
    this.assertOpen();
    const pending = this.pendingSends.get(clientMessageId);
    if (pending) {
      if (pending.content !== content || pending.contentType !== contentType) throw conflict();
      return pending.result;
    }
    const existing = await this.deps.items.findByClientMessageId(this.chatId, clientMessageId);
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
      const res = await this.withRetries('SendMessage', UpstreamPriority.CustomerSend, () =>
        this.deps.port.sendMessage(this.record.connectRegion, this.token(), { contentType, content, clientToken: clientTokenFor(this.chatId, clientMessageId) }));
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
        const row = await this.deps.items.findByConnectId(this.chatId, id);
        if (row) return toChatItemDto(row);
      }
      const item = await new Promise<NewChatItem | null>((resolve) => {
        const timer = setTimeout(() => resolve(null), this.deps.timing.storeWaitMs);
        const list = this.waiters.get(id) ?? [];
        list.push((i) => {
          clearTimeout(timer);
          resolve(i);
        });
        this.waiters.set(id, list);
      });
      if (item) return newItemToDto(item);
      if (this.stopped) break;
      if (!this.linking && this.connectionToken) {
        this.catchingUp = true;
        await this.backfill().catch(() => undefined);
        this.finishCatchUp();
      }
    }
    throw new AppError('UPSTREAM_UNAVAILABLE', 'The message was sent but has not come back from Amazon Connect yet; retry with the same clientMessageId.', { retryAfterSeconds: 2 });
  }

  async typing(): Promise<void> {
    this.assertOpen();
    const now = Date.now();
    if (now - this.lastTypingSentAt < this.deps.timing.typingIntervalMs) return;
    this.lastTypingSentAt = now;
    await this.withRetries('SendEvent', UpstreamPriority.ReceiptOrTyping, () =>
      this.deps.port.sendEvent(this.record.connectRegion, this.token(), { contentType: CONTENT_TYPES.typing }), 1);
  }

  async receipt(kind: 'read' | 'delivered', messageId: string): Promise<void> {
    this.assertOpen();
    await this.withRetries('SendEvent', UpstreamPriority.ReceiptOrTyping, () =>
      this.deps.port.sendEvent(this.record.connectRegion, this.token(), {
        contentType: kind === 'read' ? CONTENT_TYPES.read : CONTENT_TYPES.delivered,
        content: JSON.stringify({ messageId }),
      }), 2);
  }

  /** The customer leaves (DisconnectParticipant); resolves with the status once Connect answered. */
  async end(): Promise<'ending' | 'ended'> {
    if (this.status === 'ended') return 'ended';
    if (this.endSeq === undefined && !this.customerLeft) {
      this.endReason = 'customer';
      try {
        await this.withRetries('DisconnectParticipant', UpstreamPriority.CustomerSend, () =>
          this.deps.port.disconnect(this.record.connectRegion, this.token()));
      } catch (err) {
        if (!(err instanceof AppError && err.code === 'CHAT_ENDED')) throw err;
        await this.endedWhileAway();
      }
      this.customerLeft = true;
    }
    if (this.endSeq === undefined && this.status !== 'ending') {
      this.setStatus('ending');
      await this.deps.chats.updateOwned(this.chatId, this.epoch, { status: 'ending' }).catch(() => undefined);
    }
    await Promise.race([
      new Promise<void>((r) => this.endedWaiters.push(r)),
      new Promise<void>((r) => setTimeout(r, 2000).unref()),
    ]);
    return (this.status as LinkStatus) === 'ended' ? 'ended' : 'ending';
  }

  private assertOpen(): void {
    if (this.status === 'ended' || this.endSeq !== undefined) throw new AppError('CHAT_ENDED', 'The chat has ended.');
    if (this.stopped) throw new AppError('UPSTREAM_UNAVAILABLE', 'The chat is moving to another gateway process; retry shortly.', { retryAfterSeconds: 1 });
  }

  private token(): string {
    if (!this.connectionToken) throw new AppError('UPSTREAM_UNAVAILABLE', 'The chat is reconnecting to Amazon Connect; retry shortly.', { retryAfterSeconds: 1 });
    return this.connectionToken;
  }

  /** Upstream calls with the gateway's own retries: throttling and 5xx are retried, never fatal. */
  private async withRetries<T>(operation: string, priority: UpstreamPriority, call: () => Promise<T>, attempts = 4): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.deps.scheduler.run(this.record.connectInstanceId, operation, priority, call);
      } catch (err) {
        if (!(err instanceof ConnectError)) throw err;
        if (!err.retryable || attempt >= attempts) throw err.toAppError();
        await new Promise((r) => setTimeout(r, this.deps.timing.backoffBaseMs * 2 ** (attempt - 1) * (0.7 + Math.random() * 0.6)));
      }
    }
  }

  private setStatus(status: LinkStatus): void {
    const current: LinkStatus = this.status;
    if (current === status || current === 'ended') return;
    this.status = status;
    this.deps.events.state(this.chatId, { status, lastSeq: this.committedSeq });
  }

  /** Stops everything local (shutdown, lost lease); Connect is not told anything. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.socket?.close();
    for (const { timer } of this.heldEchoes.values()) clearTimeout(timer);
    this.heldEchoes.clear();
    for (const list of this.waiters.values()) list.forEach((resolve) => resolve(null));
    this.waiters.clear();
  }
}

function conflict(): AppError {
  return new AppError('CONFLICT', 'This clientMessageId was already used for a different message.');
}

/** Connect's ClientToken for a customer send: stable per chat and clientMessageId, so retries never post twice. */
export function clientTokenFor(chatId: string, clientMessageId: string): string {
  const h = createHash('sha256').update(`${chatId}\u0000${clientMessageId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
