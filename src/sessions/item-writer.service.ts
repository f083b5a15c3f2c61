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
/** Above this many queued items the writer reports itself degraded (readiness, metric). */
const BACKLOG_WARN = 50_000;

/**
 * Group commit across chats (DESIGN.md): one flush in flight at a time, each taking everything queued
 * (up to MAX_BATCH items) in one statement. A quiet system pays a round trip per item, a busy one one
 * per thousand. Browsers see items only after their flush committed (invariant 1).
 */
@Injectable()
export class ItemWriter implements OnModuleDestroy {
  private readonly log = new Logger(ItemWriter.name);
  private queue: { owner: OwnedChat; item: NewChatItem }[] = [];
  private receipts: { owner: OwnedChat; update: ReceiptUpdate }[] = [];
  private flushing: Promise<void> | undefined;
  private failures = 0;
  private stopped = false;
  private readonly backlog;
  private readonly backlogBytes;
  private bytes = 0;
  private readonly maxBytes: number;
  private readonly flushSize;
  private readonly writeErrors;
  lastError: string | undefined;

  constructor(private readonly store: ItemStoreRepository, metrics: MetricsService, @Inject(APP_CONFIG) config: AppConfig) {
    this.maxBytes = config.ownership.writeBacklogMaxBytes;
    this.backlog = metrics.gauge('gateway_item_write_backlog', 'Items received and not yet stored');
    this.backlogBytes = metrics.gauge('gateway_item_write_backlog_bytes', 'Estimated memory held by items not yet stored (bounded by WRITE_BACKLOG_MAX_MB)');
    this.flushSize = metrics.histogram('gateway_item_flush_size', 'Items per group commit', [1, 2, 5, 10, 50, 100, 500, 1000]);
    this.writeErrors = metrics.counter('gateway_item_write_errors_total', 'Failed group commits (retried)');
  }

  enqueue(owner: OwnedChat, items: NewChatItem[]): void {
    for (const item of items) {
      this.queue.push({ owner, item });
      this.bytes += sizeOf(item);
    }
    this.backlog.set(this.queue.length);
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
    return this.queue.length + this.receipts.length;
  }

  /** True while the database refuses writes (readiness reports it). */
  get degraded(): boolean {
    return this.failures > 0 || this.queue.length > BACKLOG_WARN;
  }

  /** Resolves when everything queued so far is stored (or the writer stopped). */
  async drain(): Promise<void> {
    while (this.pending && !this.stopped) {
      this.kick();
      await this.flushing;
      if (this.failures) await new Promise((r) => setTimeout(r, 50));
    }
  }

  async onModuleDestroy(): Promise<void> {
    const deadline = Date.now() + 5000;
    while (this.pending && Date.now() < deadline && this.failures === 0) await this.drain();
    this.stopped = true;
  }

  private kick(): void {
    if (this.flushing || this.stopped) return;
    this.flushing = this.flushLoop().finally(() => {
      this.flushing = undefined;
      if (this.pending && !this.stopped) this.kick();
    });
  }

  private async flushLoop(): Promise<void> {
    while (!this.stopped && this.pending) {
      try {
        if (this.queue.length) await this.flushItems();
        if (this.receipts.length) await this.flushReceipts();
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
  }

  private async flushItems(): Promise<void> {
    const batch = this.queue.slice(0, MAX_BATCH).filter((e) => !e.owner.lost);
    const taken = Math.min(MAX_BATCH, this.queue.length);
    const groups = new Map<OwnedChat, NewChatItem[]>();
    for (const { owner, item } of batch) {
      const list = groups.get(owner) ?? [];
      list.push(item);
      groups.set(owner, list);
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
      stored = groups.size ? await this.store.storeBatch(advances, batch.map((e) => e.item)) : new Set();
    } catch (err) {
      if (!isUniqueViolation(err) || groups.size === 1) {
        if (isUniqueViolation(err)) {
          this.take(taken);
          for (const owner of groups.keys()) owner.onLost('duplicate item');
          return;
        }
        throw err;
      }
      // One chat's state is off; store the others one by one to find it.
      stored = await this.storeIndividually(groups);
    }
    this.take(taken);
    this.flushSize.observe(batch.length);
    for (const [owner, items] of groups) {
      if (stored.has(owner.chatId)) {
        owner.committedSeq = items[items.length - 1]!.seq;
        owner.onStored(items);
      } else {
        owner.onLost('lease lost or sequence moved');
      }
    }
  }

  private take(count: number): void {
    for (const e of this.queue.splice(0, count)) this.bytes -= sizeOf(e.item);
    this.backlog.set(this.queue.length);
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
