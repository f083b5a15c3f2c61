/** An item as Connect sends it (GetTranscript `Transcript[]` and `aws/chat` frames), PascalCase. */
export interface ConnectItem {
  Id: string;
  AbsoluteTime: string;
  Type: string;
  ContentType?: string;
  Content?: string;
  ParticipantId?: string;
  DisplayName?: string;
  ParticipantRole?: string;
  Attachments?: { ContentType?: string; AttachmentId?: string; AttachmentName?: string; Status?: string }[];
  MessageMetadata?: {
    MessageId?: string;
    Receipts?: { DeliveredTimestamp?: string; ReadTimestamp?: string; RecipientParticipantId?: string }[];
  };
  ContactId?: string;
  InitialContactId?: string;
  RelatedContactId?: string;
}

export const EVENT_PREFIX = 'application/vnd.amazonaws.connect.event.';
export const CONTENT_TYPES = {
  typing: `${EVENT_PREFIX}typing`,
  delivered: `${EVENT_PREFIX}message.delivered`,
  read: `${EVENT_PREFIX}message.read`,
  metadata: `${EVENT_PREFIX}message.metadata`,
  joined: `${EVENT_PREFIX}participant.joined`,
  left: `${EVENT_PREFIX}participant.left`,
  ended: `${EVENT_PREFIX}chat.ended`,
} as const;

/** Events a transcript keeps (CONTRACT.md ChatItem); everything else on the socket is live-only. */
const STORED_EVENTS = new Set(
  ['participant.invited', 'participant.joined', 'participant.left', 'chat.ended', 'transfer.succeeded', 'transfer.failed']
    .map((s) => `${EVENT_PREFIX}${s}`),
);

export type ItemKind = 'stored' | 'typing' | 'receipt' | 'live-only';

export function classify(item: ConnectItem): ItemKind {
  if (item.Type === 'MESSAGEMETADATA' || item.ContentType === CONTENT_TYPES.metadata) return 'receipt';
  if (item.Type === 'MESSAGE' || item.Type === 'ATTACHMENT') return 'stored';
  if (item.ContentType === CONTENT_TYPES.typing || item.Type === 'TYPING') return 'typing';
  if (item.ContentType && STORED_EVENTS.has(item.ContentType)) return 'stored';
  return 'live-only';
}

export function isChatEnded(item: ConnectItem): boolean {
  return item.ContentType === CONTENT_TYPES.ended;
}

/** Parses an untrusted JSON value into a ConnectItem, or null when it lacks what an item must have. */
export function parseConnectItem(value: unknown): ConnectItem | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (typeof v.Type !== 'string') return null;
  if (v.Type !== 'MESSAGEMETADATA' && (typeof v.Id !== 'string' || !v.Id || typeof v.AbsoluteTime !== 'string')) return null;
  if (typeof v.AbsoluteTime === 'string' && Number.isNaN(Date.parse(v.AbsoluteTime))) return null;
  for (const key of ['Content', 'ContentType', 'ParticipantId', 'DisplayName', 'ParticipantRole', 'ContactId', 'InitialContactId']) {
    if (v[key] !== undefined && typeof v[key] !== 'string') return null;
  }
  return v as unknown as ConnectItem;
}
