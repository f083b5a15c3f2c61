import { Injectable } from '@nestjs/common';
import type { ChatEventListener, EndedEvent, ReceiptEvent, StateEvent, TypingEvent } from '../sessions/chat-events.js';
import type { ChatItemDto } from '../transcripts/chat-item.js';
import { ChatPresence } from './chat-presence.js';
import type { SocketFeed } from './socket-feed.js';

/** Delivers what the owner side publishes to this process's browser sockets of the chat. */
@Injectable()
export class ChatBroadcaster implements ChatEventListener {
  constructor(private readonly presence: ChatPresence) {}

  /**
   * Each item goes once, encoded once, to the sockets that are level with it (the usual case); a socket
   * still replaying or behind gets it through its own feed, which orders it after what it is missing.
   */
  items(chatId: string, items: ChatItemDto[]): void {
    const feeds = this.presence.feeds(chatId);
    for (const item of items) {
      const level: SocketFeed[] = [];
      for (const feed of feeds) {
        if (feed.claimNext(item)) level.push(feed);
        else feed.deliver(item);
      }
      emitToAll(level, 'chat:item', item);
    }
  }

  typing(chatId: string, event: TypingEvent): void {
    for (const feed of this.presence.feeds(chatId)) feed.live({ event: 'chat:typing', data: event });
  }

  receipt(chatId: string, event: ReceiptEvent): void {
    for (const feed of this.presence.feeds(chatId)) feed.live({ event: 'chat:receipt', data: event });
  }

  state(chatId: string, event: StateEvent): void {
    for (const feed of this.presence.feeds(chatId)) feed.live({ event: 'chat:state', data: event });
  }

  ended(chatId: string, event: EndedEvent): void {
    for (const feed of this.presence.feeds(chatId)) feed.live({ event: 'chat:ended', data: event });
  }
}

/**
 * One packet to several sockets of this process: Socket.IO encodes it and builds its WebSocket frame once
 * for a broadcast, instead of once per socket. `local`: other processes deliver to their own sockets.
 */
function emitToAll(feeds: SocketFeed[], event: string, data: unknown): void {
  if (feeds.length === 1) feeds[0]!.socket.emit(event, data);
  else if (feeds.length > 1) feeds[0]!.socket.nsp.local.to(feeds.map((f) => f.socket.id)).emit(event, data);
}
