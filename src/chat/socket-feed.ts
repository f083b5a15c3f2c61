import type { Socket } from 'socket.io';
import type { EndedEvent, ReceiptEvent, StateEvent, TypingEvent } from '../sessions/chat-events.js';
import type { ChatItemDto } from '../transcripts/chat-item.js';
import { toChatItemDto } from '../transcripts/chat-item.js';
import type { ChatItemsRepository } from '../transcripts/chat-items.repository.js';
import { REPLAY_PAGE } from './replay-reader.js';
import type { ReplayHead } from './replay-reader.js';

type LiveEvent =
  | { event: 'chat:typing'; data: TypingEvent }
  | { event: 'chat:receipt'; data: ReceiptEvent }
  | { event: 'chat:state'; data: StateEvent }
  | { event: 'chat:ended'; data: EndedEvent };

type Pending = { kind: 'item'; item: ChatItemDto } | { kind: 'event'; live: LiveEvent };

/**
 * One browser socket's ordered view of its chat: `chat:state` first, then the stored items after its
 * cursor, then live events — never the same seq twice and never a gap. It is registered before the
 * first database read, so nothing published meanwhile is lost: it waits in `pending`. A live item that
 * skips ahead (the socket missed something) triggers a replay from the database, the source of truth.
 */
export class SocketFeed {
  private replaying = true;
  private pending: Pending[] = [];

  constructor(readonly socket: Socket, readonly chatId: string, private sentSeq: number, private readonly items: ChatItemsRepository) {}

  /**
   * The first replay. `head` reads where the socket starts (after it is registered, so that nothing is
   * missed); `first` is emitted before anything else, `last` after the stored items.
   */
  async open(head: () => Promise<ReplayHead>, first: (head: ReplayHead) => void, last: (head: ReplayHead) => void): Promise<void> {
    try {
      const start = await head();
      first(start);
      for (const item of start.items) this.emitItem(item);
      if (start.items.length >= REPLAY_PAGE) await this.replayStored();
      last(start);
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

  /**
   * True when `item` is exactly this socket's next and nothing waits before it. The item then counts as
   * sent, and the caller must emit it at once: ChatBroadcaster sends one encoded copy to every socket
   * of the chat that claimed it.
   */
  claimNext(item: ChatItemDto): boolean {
    if (this.replaying || this.pending.length || item.seq !== this.sentSeq + 1) return false;
    this.sentSeq = item.seq;
    return true;
  }

  /** Typing, receipts, state and end: in order with the items around them. */
  live(live: LiveEvent): void {
    if (this.replaying || this.pending.length) this.pending.push({ kind: 'event', live });
    else this.socket.emit(live.event, live.data);
  }

  get cursor(): number {
    return this.sentSeq;
  }

  private async catchUp(): Promise<void> {
    this.replaying = true;
    try {
      await this.replayStored();
    } finally {
      this.replaying = false;
    }
    this.drain();
  }

  private async replayStored(): Promise<void> {
    for (;;) {
      const rows = await this.items.listAfter(this.chatId, this.sentSeq, REPLAY_PAGE);
      for (const row of rows) this.emitItem(toChatItemDto(row));
      if (rows.length < REPLAY_PAGE) return;
    }
  }

  private drain(): void {
    while (this.pending.length && !this.replaying) {
      const next = this.pending.shift()!;
      if (next.kind === 'event') this.socket.emit(next.live.event, next.live.data);
      else this.deliver(next.item);
    }
  }

  private emitItem(item: ChatItemDto): void {
    if (item.seq <= this.sentSeq) return;
    this.sentSeq = item.seq;
    this.socket.emit('chat:item', item);
  }
}
