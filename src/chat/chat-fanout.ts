import { Injectable } from '@nestjs/common';
import type { ChatEventListener, EndedEvent, ReceiptEvent, StateEvent, TypingEvent } from '../sessions/chat-events.js';
import type { ChatItemDto } from '../transcripts/chat-item.js';
import { ChatBroadcaster } from './chat-broadcaster.js';
import { ChatCluster } from './chat-cluster.js';

/** What the owner side publishes: to this process's sockets, and to the other processes' (cluster). */
@Injectable()
export class ChatFanout implements ChatEventListener {
  constructor(private readonly local: ChatBroadcaster, private readonly cluster: ChatCluster) {}

  items(chatId: string, items: ChatItemDto[]): void {
    this.local.items(chatId, items);
    this.cluster.relay('items', chatId, items);
  }

  typing(chatId: string, event: TypingEvent): void {
    this.local.typing(chatId, event);
    this.cluster.relay('typing', chatId, event);
  }

  receipt(chatId: string, event: ReceiptEvent): void {
    this.local.receipt(chatId, event);
    this.cluster.relay('receipt', chatId, event);
  }

  state(chatId: string, event: StateEvent): void {
    this.local.state(chatId, event);
    this.cluster.relay('state', chatId, event);
  }

  ended(chatId: string, event: EndedEvent): void {
    this.local.ended(chatId, event);
    this.cluster.relay('ended', chatId, event);
  }
}
