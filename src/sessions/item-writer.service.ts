import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnModuleDestroy } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { MetricsService } from '../health/metrics.service.js';
import { ItemStoreRepository } from '../transcripts/item-store.repository.js';
import type { NewChatItem, ReceiptUpdate, StoredReceipt } from '../transcripts/item-store.repository.js';

/** The owner of a chat as the writer sees it: seqs are assigned by it, committed here. */
export interface OwnedChat {
  readonly chatId: string;
  readonly epoch: number;
  committedSeq: number;
  readonly lost: boolean;
  onStored(items: NewChatItem[]): void;
  onReceipts(receipts: StoredReceipt[]): void;
  /** The epoch or last_seq moved under us (another owner, or a conflict): stop writing this chat. */
  onLost(reason: string): void;
}

const MAX_BATCH = 1000;
/**
 * With at least this many items queued a second statement, on other chats, is written while the first is
 * in flight: Postgres then works on two cores (one 1,000-row statement keeps one busy). Each statement
 * then takes at most half a batch, so that the queued chats split between the two.
 */
const SECOND_STATEMENT_MIN = 200;
const MAX_STATEMENTS = 2;

type Entry = { owner: OwnedChat; item: NewChatItem };
/** Hands a committed statement's items to their chats. */
type Delivery = () => void;
/** Above this many queued items the writer reports itself degraded (readiness, metric). */
const BACKLOG_WARN = 50_000;

/**
 * Group commit across chats (DESIGN.md): a flush takes everything queued (up to MAX_BATCH items) in one
 * statement, the next starts when it returns. A quiet system pays a round trip per item, a busy one one
 * per thousand; with a backlog two statements are in flight, each on its own chats, so a chat never has
 * two writes in flight and its seqs commit in order. Browsers see items only after their statement
 * committed (invariant 1).
 */
@Injectable()
export class ItemWriter implements OnModuleDestroy {
  private readonly log = new Logger(ItemWriter.name);
  private queue: Entry[] = [];
  /** Chats with a statement in flight, and how many of their items it carries in all. */
  private readonly busy = new Set<OwnedChat>();
  private inFlight = 0;
  /** Queued items of chats not in flight: work a second statement could take. */
  private free = 0;
  private receipts: { owner: OwnedChat; update: ReceiptUpdate }[] = [];
  private receiptsBusy = false;
  private readonly loops = new Set<Promise<void>>();
  private failures = 0;
  private stopped = false;
  private readonly backlog;
  private readonly backlogBytes;
  private bytes = 0;
  private readonly maxBytes: number;
  private readonly commitDelayMs: number;
  /** When the queue last went from empty to holding items (performance.now()). */
  private queuedSince = 0;
  private readonly flushSize;
  private readonly commitSeconds;
  private readonly writeErrors;
  lastError: string | undefined;

  constructor(private readonly store: ItemStoreRepository, metrics: MetricsService, @Inject(APP_CONFIG) config: AppConfig) {
    this.maxBytes = config.ownership.writeBacklogMaxBytes;
    this.commitDelayMs = config.ownership.commitDelayMs;
    this.backlog = metrics.gauge('gateway_item_write_backlog', 'Items received and not yet stored');
    this.backlogBytes = metrics.gauge('gateway_item_write_backlog_bytes', 'Estimated memory held by items not yet stored (bounded by WRITE_BACKLOG_MAX_MB)');
    this.flushSize = metrics.histogram('gateway_item_flush_size', 'Items per group commit', [1, 2, 5, 10, 50, 100, 500, 1000]);
    this.commitSeconds = metrics.histogram('gateway_item_commit_seconds', 'Duration of a group commit statement (Postgres round trip included)',
      [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1, 5]);
    this.writeErrors = metrics.counter('gateway_item_write_errors_total', 'Failed group commits (retried)');
  }

  enqueue(owner: OwnedChat, items: NewChatItem[]): void {
    if (!this.queue.length) this.queuedSince = performance.now();
    for (const item of items) {
      this.queue.push({ owner, item });
      this.bytes += sizeOf(item);
    }
    if (!this.busy.has(owner)) this.free += items.length;
    this.backlog.set(this.queue.length + this.inFlight);
    this.backlogBytes.set(this.bytes);
    this.kick();
  }

  /** False while the backlog is at its memory limit: owners then fetch from Connect again later. */
  get hasRoom(): boolean {
    return this.bytes < this.maxBytes;
  }

  enqueueReceipt(owner: OwnedChat, update: ReceiptUpdate): void {
    this.receipts.push({ owner, update });
    this.kick();
  }

  get pending(): number {
    return this.queue.length + this.inFlight + this.receipts.length;
  }

  /** True while the database refuses writes (readiness reports it). */
  get degraded(): boolean {
    return this.failures > 0 || this.queue.length > BACKLOG_WARN;
  }

  /** Resolves when everything queued so far is stored (or the writer stopped). */
  async drain(): Promise<void> {
    while (this.pending && !this.stopped) {
      this.kick();
      await Promise.all(this.loops);
      if (this.failures) await new Promise((r) => setTimeout(r, 50));
    }
  }

  async onModuleDestroy(): Promise<void> {
    const deadline = Date.now() + 5000;
    while (this.pending && Date.now() < deadline && this.failures === 0) await this.drain();
    this.stopped = true;
  }

  /** Starts a flush loop if none runs, and a second one while there is a backlog of other chats' items. */
  private kick(): void {
    while (!this.stopped && this.loops.size < MAX_STATEMENTS) {
      // A second statement only for a backlog of chats not in flight, and not while writes fail (retries back off).
      if (this.loops.size && (this.failures || this.queue.length < SECOND_STATEMENT_MIN || !this.free)) return;
      if (!this.queue.length && !this.receipts.length) return;
      const loop: Promise<void> = this.flushLoop().finally(() => {
        this.loops.delete(loop);
        this.kick();
      });
      this.loops.add(loop);
    }
  }

  /**
   * One statement after another. The items of a statement are handed to their chats (and so to browsers)
   * only once the next statement is on its way: Postgres works on it while this process emits.
   */
  private async flushLoop(): Promise<void> {
    let deliver: Delivery | undefined;
    try {
      while (!this.stopped) {
        const wait = this.gatherWait();
        if (wait > 0) {
          // What the last statement stored goes out first: waiting is for the next statement only.
          deliver?.();
          deliver = undefined;
          await new Promise((r) => setTimeout(r, wait));
        }
        const batch = this.takeBatch(this.loops.size > 1 || this.queue.length >= SECOND_STATEMENT_MIN ? MAX_BATCH / 2 : MAX_BATCH);
        const receipts = !this.receiptsBusy && this.receipts.length > 0;
        if (!batch.length && !receipts) return;
        try {
          const writing = batch.length ? this.flushItems(batch) : undefined;
          deliver?.();
          deliver = await writing;
          if (receipts && !this.receiptsBusy) {
            // A receipt may name an item of the statement that just returned: the item goes first.
            deliver?.();
            deliver = undefined;
            this.receiptsBusy = true;
            await this.flushReceipts().finally(() => (this.receiptsBusy = false));
          }
          this.failures = 0;
          this.lastError = undefined;
        } catch (err) {
          this.failures++;
          this.writeErrors.inc();
          this.lastError = err instanceof Error ? err.message.slice(0, 200) : 'write failed';
          if (this.failures === 1 || this.failures % 20 === 0) this.log.warn(`item write failed (${this.failures}x), retrying: ${this.lastError}`);
          await new Promise((r) => setTimeout(r, Math.min(5000, 50 * 2 ** Math.min(this.failures, 7))));
        }
      }
    } finally {
      deliver?.();
    }
  }

  /**
   * ITEM_COMMIT_DELAY_MS: how much longer the next statement waits so that it carries more items (fewer
   * statements, less CPU here and in Postgres, each item later by up to the delay). Never with a backlog.
   */
  private gatherWait(): number {
    if (!this.commitDelayMs || !this.queue.length || this.queue.length >= MAX_BATCH / 2) return 0;
    return this.queuedSince + this.commitDelayMs - performance.now();
  }

  /**
   * Up to `max` queued items in queue order, skipping chats with a statement in flight (their items wait,
   * in order, for it) and dropping those of chats this process lost. The chats taken are busy until
   * their statement returns.
   */
  private takeBatch(max: number): Entry[] {
    const batch: Entry[] = [];
    if (!this.queue.length) return batch;
    const rest: Entry[] = [];
    for (const e of this.queue) {
      if (batch.length >= max || this.busy.has(e.owner)) rest.push(e);
      else if (e.owner.lost) this.bytes -= sizeOf(e.item);
      else batch.push(e);
    }
    this.queue = rest;
    for (const e of batch) this.busy.add(e.owner);
    this.inFlight += batch.length;
    this.countFree();
    this.backlog.set(this.queue.length + this.inFlight);
    this.backlogBytes.set(this.bytes);
    return batch;
  }

  private countFree(): void {
    this.free = 0;
    for (const e of this.queue) if (!this.busy.has(e.owner)) this.free++;
  }

  /**
   * Writes one batch; on a failure to retry, its items go back to the front of the queue. Chats that lost
   * their epoch are told at once; the stored items are handed over by the returned delivery.
   */
  private async flushItems(batch: Entry[]): Promise<Delivery | undefined> {
    const groups = new Map<OwnedChat, NewChatItem[]>();
    for (const { owner, item } of batch) {
      const list = groups.get(owner);
      if (list) list.push(item);
      else groups.set(owner, [item]);
    }
    const advances = [...groups].map(([owner, items]) => ({
      chatId: owner.chatId,
      epoch: owner.epoch,
      prevSeq: owner.committedSeq,
      lastSeq: items[items.length - 1]!.seq,
      lastMessageAt: latestMessageTime(items),
    }));
    let stored: Set<string>;
    try {
      try {
        const started = performance.now();
        stored = await this.store.storeBatch(advances, batch.map((e) => e.item));
        this.commitSeconds.observe((performance.now() - started) / 1000);
      } catch (err) {
        if (!isUniqueViolation(err) || groups.size === 1) {
          if (isUniqueViolation(err)) {
            this.done(batch, groups.keys());
            for (const owner of groups.keys()) owner.onLost('duplicate item');
            return undefined;
          }
          throw err;
        }
        // One chat's state is off; store the others one by one to find it.
        stored = await this.storeIndividually(groups);
      }
    } catch (err) {
      this.inFlight -= batch.length;
      for (const owner of groups.keys()) this.busy.delete(owner);
      this.queue = batch.concat(this.queue);
      this.countFree();
      this.backlog.set(this.queue.length + this.inFlight);
      throw err;
    }
    this.flushSize.observe(batch.length);
    for (const [owner, items] of groups) {
      if (stored.has(owner.chatId)) owner.committedSeq = items[items.length - 1]!.seq;
    }
    this.done(batch, groups.keys());
    for (const owner of groups.keys()) if (!stored.has(owner.chatId)) owner.onLost('lease lost or sequence moved');
    return () => {
      for (const [owner, items] of groups) {
        if (!stored.has(owner.chatId)) continue;
        // The items are stored whatever a chat's delivery does; one chat's failure must not skip the others.
        try {
          owner.onStored(items);
        } catch (err) {
          this.log.error({ err }, `chat ${owner.chatId}: delivering stored items failed`);
        }
      }
    };
  }

  /** A batch left the writer (stored, or dropped with its chats): its chats may be written again. */
  private done(batch: Entry[], owners: Iterable<OwnedChat>): void {
    this.inFlight -= batch.length;
    for (const owner of owners) this.busy.delete(owner);
    this.countFree();
    for (const e of batch) this.bytes -= sizeOf(e.item);
    this.backlog.set(this.queue.length + this.inFlight);
    this.backlogBytes.set(this.bytes);
  }

  private async storeIndividually(groups: Map<OwnedChat, NewChatItem[]>): Promise<Set<string>> {
    const stored = new Set<string>();
    for (const [owner, items] of groups) {
      const advance = [{ chatId: owner.chatId, epoch: owner.epoch, prevSeq: owner.committedSeq, lastSeq: items[items.length - 1]!.seq, lastMessageAt: latestMessageTime(items) }];
      try {
        if ((await this.store.storeBatch(advance, items)).size) stored.add(owner.chatId);
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
    }
    return stored;
  }

  private async flushReceipts(): Promise<void> {
    const batch = this.receipts.slice(0, MAX_BATCH);
    const results = await this.store.applyReceipts(batch.map((b) => b.update));
    this.receipts.splice(0, batch.length);
    const owners = new Map(batch.map((b) => [b.owner.chatId, b.owner]));
    const byChat = new Map<string, StoredReceipt[]>();
    for (const r of results) byChat.set(r.chatId, [...(byChat.get(r.chatId) ?? []), r]);
    for (const [chatId, receipts] of byChat) owners.get(chatId)?.onReceipts(receipts);
  }
}

/** A rough in-memory size: fixed overhead plus UTF-16 text. */
function sizeOf(item: NewChatItem): number {
  return 400 + 2 * ((item.content?.length ?? 0) + (item.displayName?.length ?? 0));
}

function latestMessageTime(items: NewChatItem[]): Date | null {
  let latest: Date | null = null;
  for (const i of items) if ((i.type === 'MESSAGE' || i.type === 'ATTACHMENT') && (!latest || i.absoluteTime > latest)) latest = i.absoluteTime;
  return latest;
}

function isUniqueViolation(err: unknown): boolean {
  const text = err instanceof Error ? `${err.message} ${JSON.stringify(err)}` : String(err);
  return text.includes('23505') || /unique constraint/i.test(text);
}
