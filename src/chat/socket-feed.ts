import type { Socket } from 'socket.io';
import type { EndedEvent } from '../sessions/chat-events.js';
import type { ChatItemDto } from '../transcripts/chat-item.js';
import { toChatItemDto } from '../transcripts/chat-item.js';
import type { ChatItemsRepository } from '../transcripts/chat-items.repository.js';

const PAGE = 500;

type Pending = { kind: 'item'; item: ChatItemDto } | { kind: 'ended'; event: EndedEvent };

/**
 * One browser socket's ordered view of its chat: replays stored items after its cursor, then live
 * items, never the same seq twice and never a gap. A live item that skips ahead (the socket missed
 * something) triggers a replay from the database, which is the source of truth (invariant 1).
 */
export class SocketFeed {
  private replaying = true;
  private pending: Pending[] = [];

  constructor(readonly socket: Socket, readonly chatId: string, private sentSeq: number, private readonly items: ChatItemsRepository) {}

  /**
   * Sends everything stored after the cursor, then `beforeLive` (e.g. the latest receipts), then
   * whatever arrived meanwhile.
   */
  async catchUp(beforeLive?: () => void): Promise<void> {
    this.replaying = true;
    try {
      for (;;) {
        const rows = await this.items.listAfter(this.chatId, this.sentSeq, PAGE);
        for (const row of rows) this.emitItem(toChatItemDto(row));
        if (rows.length < PAGE) break;
      }
      beforeLive?.();
    } finally {
      this.replaying = false;
    }
    this.drain();
  }

  deliver(item: ChatItemDto): void {
    if (this.replaying) {
      this.pending.push({ kind: 'item', item });
      return;
    }
    if (item.seq <= this.sentSeq) return;
    if (item.seq === this.sentSeq + 1) {
      this.emitItem(item);
      return;
    }
    this.pending.push({ kind: 'item', item });
    void this.catchUp().catch(() => this.socket.disconnect(true));
  }

  ended(event: EndedEvent): void {
    if (this.replaying || this.pending.length) this.pending.push({ kind: 'ended', event });
    else this.socket.emit('chat:ended', event);
  }

  get cursor(): number {
    return this.sentSeq;
  }

  private drain(): void {
    const queued = this.pending;
    this.pending = [];
    for (const p of queued) {
      if (p.kind === 'ended') this.socket.emit('chat:ended', p.event);
      else this.deliver(p.item);
      if (this.replaying) {
        this.pending.push(...queued.slice(queued.indexOf(p) + 1));
        return;
      }
    }
  }

  private emitItem(item: ChatItemDto): void {
    if (item.seq <= this.sentSeq) return;
    this.sentSeq = item.seq;
    this.socket.emit('chat:item', item);
  }
}
