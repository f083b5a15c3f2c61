import type { ConnectItem } from '../connect/connect-item.js';
import type { AttachmentDto, ChatItemDto } from '../transcripts/chat-item.js';
import type { NewChatItem } from '../transcripts/item-store.repository.js';

export type Redactor = ((text: string) => string) | null;

const ITEM_TYPES = new Set(['MESSAGE', 'EVENT', 'ATTACHMENT']);

/** A Connect item as the row we store; customer text goes through the front end's redactor first. */
export function toNewItem(chatId: string, seq: number, item: ConnectItem, clientMessageId: string | null, redact: Redactor): NewChatItem {
  const fromCustomer = item.ParticipantRole === 'CUSTOMER';
  const mask = (text: string | undefined): string | null => (text === undefined ? null : fromCustomer && redact ? redact(text) : text);
  return {
    chatId,
    seq,
    connectItemId: item.Id,
    type: ITEM_TYPES.has(item.Type) ? item.Type : 'EVENT',
    contentType: item.ContentType ?? null,
    content: mask(item.Content),
    participantRole: item.ParticipantRole ?? null,
    participantId: item.ParticipantId ?? null,
    displayName: mask(item.DisplayName),
    absoluteTime: new Date(item.AbsoluteTime),
    attachments: item.Attachments?.length
      ? item.Attachments.map((a) => ({ attachmentId: a.AttachmentId ?? '', name: a.AttachmentName ?? '', contentType: a.ContentType ?? '', status: a.Status ?? '' }))
      : null,
    clientMessageId,
    contactId: item.ContactId ?? null,
  };
}

/**
 * The contract's item for a just-stored row (no receipts yet): what `toChatItemDto` makes of it, built
 * directly because copying the row first (a spread) cost several times the rest on every live item.
 */
export function newItemToDto(item: NewChatItem): ChatItemDto {
  const dto: ChatItemDto = { seq: item.seq, id: item.connectItemId, type: item.type as ChatItemDto['type'], absoluteTime: item.absoluteTime.toISOString() };
  if (item.contentType !== null) dto.contentType = item.contentType;
  if (item.content !== null) dto.content = item.content;
  if (item.participantRole !== null) dto.participantRole = item.participantRole;
  if (item.participantId !== null) dto.participantId = item.participantId;
  if (item.displayName !== null) dto.displayName = item.displayName;
  if (item.attachments?.length) dto.attachments = item.attachments as AttachmentDto[];
  if (item.clientMessageId !== null) dto.clientMessageId = item.clientMessageId;
  return dto;
}

/** Connect's own order: AbsoluteTime (ISO strings with milliseconds sort as text), then Id. */
export function byConnectOrder(a: ConnectItem, b: ConnectItem): number {
  const t = Date.parse(a.AbsoluteTime) - Date.parse(b.AbsoluteTime);
  return t !== 0 ? t : a.Id < b.Id ? -1 : a.Id > b.Id ? 1 : 0;
}
