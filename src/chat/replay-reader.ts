import { Injectable } from '@nestjs/common';
import type { ChatStatus } from '../sessions/chat-record.js';
import type { ChatItemDto } from '../transcripts/chat-item.js';
import { toChatItemDto } from '../transcripts/chat-item.js';
import { ChatItemsRepository } from '../transcripts/chat-items.repository.js';
import type { ReplayHeadRecord, ReplayRequest } from '../transcripts/chat-items.repository.js';

/** Items per replay page (the first page comes with the head). */
export const REPLAY_PAGE = 500;
/** Sockets answered by one statement. */
const BATCH = 250;
/** Statements in flight at once: the rest of the pool stays free for the writer and the owner side. */
const IN_FLIGHT = 3;

/** A socket's starting point, shared read-only by every socket of the chat with the same cursor. */
export interface ReplayHead {
  chat: { status: ChatStatus; lastSeq: number; endReason: string | null };
  items: ChatItemDto[];
  delivered: ChatItemDto | null;
  read: ChatItemDto | null;
}

interface Waiting extends ReplayRequest {
  key: string;
  resolve(head: ReplayHead | null): void;
  reject(err: unknown): void;
}

/**
 * The first replay read of every connecting socket. A reconnect storm would otherwise run one
 * statement per socket: requests queue while IN_FLIGHT statements run and then go out together, and
 * the sockets of one chat with the same cursor (a visitor's tabs) share one answer.
 */
@Injectable()
export class ReplayReader {
  private readonly queue: Waiting[] = [];
  private readonly pending = new Map<string, Promise<ReplayHead | null>>();
  private inFlight = 0;
  private scheduled = false;

  constructor(private readonly items: ChatItemsRepository) {}

  head(chatId: string, afterSeq: number): Promise<ReplayHead | null> {
    const key = `${chatId}:${afterSeq}`;
    let promise = this.pending.get(key);
    if (!promise) {
      promise = new Promise((resolve, reject) => this.queue.push({ key, chatId, afterSeq, resolve, reject }));
      this.pending.set(key, promise);
      this.schedule();
    }
    return promise;
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= IN_FLIGHT || !this.queue.length) return;
    this.scheduled = true;
    // One turn of the event loop lets the sockets of the same burst join the batch.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < IN_FLIGHT && this.queue.length) {
      const batch = this.queue.splice(0, BATCH);
      this.inFlight++;
      // Answered requests leave `pending` first: a socket arriving later reads afresh.
      for (const w of batch) this.pending.delete(w.key);
      this.items.replayHeads(batch, REPLAY_PAGE).then(
        (heads) => batch.forEach((w, i) => w.resolve(heads[i] ? toHead(heads[i]) : null)),
        (err: unknown) => batch.forEach((w) => w.reject(err)),
      ).finally(() => {
        this.inFlight--;
        this.schedule();
      });
    }
  }
}

function toHead(record: ReplayHeadRecord): ReplayHead {
  return {
    chat: record.chat,
    items: record.items.map(toChatItemDto),
    delivered: record.delivered && toChatItemDto(record.delivered),
    read: record.read && toChatItemDto(record.read),
  };
}
