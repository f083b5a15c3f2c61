import { Injectable } from '@nestjs/common';
import type { OnModuleDestroy } from '@nestjs/common';
import { ChatsRepository } from '../sessions/chats.repository.js';
import type { SocketFeed } from './socket-feed.js';

/** How long arrivals gather before they are recorded in one statement. */
const ARRIVALS_EVERY_MS = 1000;

/** Which browser sockets of each chat are connected to this process. */
@Injectable()
export class ChatPresence implements OnModuleDestroy {
  private readonly byChat = new Map<string, Set<SocketFeed>>();
  private arrivals = new Set<string>();
  private arrivalsTimer: NodeJS.Timeout | undefined;

  constructor(private readonly chats: ChatsRepository) {}

  add(chatId: string, feed: SocketFeed): void {
    let set = this.byChat.get(chatId);
    if (!set) {
      this.byChat.set(chatId, (set = new Set()));
      this.arrived(chatId);
    }
    set.add(feed);
  }

  remove(chatId: string, feed: SocketFeed): void {
    const set = this.byChat.get(chatId);
    set?.delete(feed);
    if (set && !set.size) this.byChat.delete(chatId);
  }

  feeds(chatId: string): Iterable<SocketFeed> {
    return this.byChat.get(chatId) ?? [];
  }

  /** Chats with at least one browser connected here (abandonment bookkeeping). */
  chatIds(): string[] {
    return [...this.byChat.keys()];
  }

  onModuleDestroy(): void {
    clearTimeout(this.arrivalsTimer);
  }

  /**
   * A returning visitor counts as present at once, not only at the next presence tick (which may be a
   * minute away, and another process may be deciding meanwhile that the chat is abandoned). One
   * statement per second for all arrivals: a reconnect storm is thousands of them.
   */
  private arrived(chatId: string): void {
    this.arrivals.add(chatId);
    if (this.arrivalsTimer) return;
    this.arrivalsTimer = setTimeout(() => {
      const ids = [...this.arrivals];
      this.arrivals = new Set();
      this.arrivalsTimer = undefined;
      this.chats.touchBrowserSeen(ids).catch(() => undefined);
    }, ARRIVALS_EVERY_MS);
    this.arrivalsTimer.unref();
  }
}
