import { Injectable } from '@nestjs/common';
import type { ChatItemDto } from '../transcripts/chat-item.js';

export type LinkStatus = 'starting' | 'active' | 'reconnecting' | 'ending' | 'ended';
export type EndReasonPublic = 'customer' | 'agent' | 'stopped' | 'duration' | 'abandoned' | 'unknown';

export interface TypingEvent { participantRole: string; displayName: string; at: string }
export interface ReceiptEvent { messageId: string; seq: number; deliveredAt?: string; readAt?: string }
export interface StateEvent { status: LinkStatus; lastSeq: number }
export interface EndedEvent { lastSeq: number; reason: EndReasonPublic }

/** What the owner side publishes for browsers; `chat/` delivers it over Socket.IO. */
export interface ChatEventListener {
  items(chatId: string, items: ChatItemDto[]): void;
  typing(chatId: string, event: TypingEvent): void;
  receipt(chatId: string, event: ReceiptEvent): void;
  state(chatId: string, event: StateEvent): void;
  ended(chatId: string, event: EndedEvent): void;
}

export interface BrowserPresence {
  chatIds(): string[];
}

/**
 * The seam between the owner side and the transports: sessions publish, the Socket.IO gateway listens.
 * Keeps sessions/ free of Socket.IO types and breaks the module cycle.
 */
@Injectable()
export class ChatEvents implements ChatEventListener {
  private listener: ChatEventListener | undefined;
  private presence: BrowserPresence | undefined;

  attach(listener: ChatEventListener): void {
    this.listener = listener;
  }

  /** Where browsers are connected to this process (abandonment bookkeeping). */
  providePresence(presence: BrowserPresence): void {
    this.presence = presence;
  }

  /** Chats with at least one browser socket connected to this process. */
  connectedChatIds(): string[] {
    return this.presence?.chatIds() ?? [];
  }

  items(chatId: string, items: ChatItemDto[]): void {
    this.listener?.items(chatId, items);
  }

  typing(chatId: string, event: TypingEvent): void {
    this.listener?.typing(chatId, event);
  }

  receipt(chatId: string, event: ReceiptEvent): void {
    this.listener?.receipt(chatId, event);
  }

  state(chatId: string, event: StateEvent): void {
    this.listener?.state(chatId, event);
  }

  ended(chatId: string, event: EndedEvent): void {
    this.listener?.ended(chatId, event);
  }
}
