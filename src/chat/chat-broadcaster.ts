import { Injectable } from '@nestjs/common';
import type { ChatEventListener, EndedEvent, ReceiptEvent, StateEvent, TypingEvent } from '../sessions/chat-events.js';
import type { ChatItemDto } from '../transcripts/chat-item.js';
import { ChatPresence } from './chat-presence.js';

/** Delivers what the owner side publishes to this process's browser sockets of the chat. */
@Injectable()
export class ChatBroadcaster implements ChatEventListener {
  constructor(private readonly presence: ChatPresence) {}

  items(chatId: string, items: ChatItemDto[]): void {
    for (const feed of this.presence.feeds(chatId)) for (const item of items) feed.deliver(item);
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
