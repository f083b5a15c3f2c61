import type { ChatItemDto } from '../transcripts/chat-item.js';
import type { EndedEvent, ReceiptEvent, StateEvent, TypingEvent } from '../sessions/chat-events.js';
import type { ErrorCode } from '../common/app-error.js';

/** The Socket.IO contract of namespace /chat (CONTRACT.md §3), one place for both directions. */
export interface ServerToClientEvents {
  'chat:item': (item: ChatItemDto) => void;
  'chat:typing': (event: TypingEvent) => void;
  'chat:receipt': (event: ReceiptEvent) => void;
  'chat:state': (event: StateEvent) => void;
  'chat:ended': (event: EndedEvent) => void;
}

export type Ack<T> = { ok: true; data: T } | { ok: false; error: { code: ErrorCode; message: string } };

export const CLIENT_EVENTS = ['chat:send', 'chat:typing', 'chat:read', 'chat:delivered', 'chat:sync', 'chat:end'] as const;
export type ClientEvent = (typeof CLIENT_EVENTS)[number];

export interface HandshakeAuth {
  token?: unknown;
  lastSeq?: unknown;
}

export const CHAT_NAMESPACE = '/chat';
