import { Injectable } from '@nestjs/common';
import type { SocketFeed } from './socket-feed.js';

/** Which browser sockets of each chat are connected to this process. */
@Injectable()
export class ChatPresence {
  private readonly byChat = new Map<string, Set<SocketFeed>>();

  add(chatId: string, feed: SocketFeed): void {
    let set = this.byChat.get(chatId);
    if (!set) this.byChat.set(chatId, (set = new Set()));
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
}
