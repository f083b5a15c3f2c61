/** A stored chat item as the contract's ChatItem (CONTRACT.md §2). */
export interface ChatItemDto {
  seq: number;
  id: string;
  type: 'MESSAGE' | 'EVENT' | 'ATTACHMENT';
  contentType?: string;
  content?: string;
  participantRole?: string;
  participantId?: string;
  displayName?: string;
  absoluteTime: string;
  attachments?: AttachmentDto[];
  clientMessageId?: string;
  receipts?: { deliveredAt?: string; readAt?: string };
}

export interface AttachmentDto {
  attachmentId: string;
  name: string;
  contentType: string;
  status: string;
}

/** The row shape the repositories return (camelCase columns of chat_items). */
export interface ChatItemRecord {
  chatId: string;
  seq: number;
  connectItemId: string;
  type: string;
  contentType: string | null;
  content: string | null;
  participantRole: string | null;
  participantId: string | null;
  displayName: string | null;
  absoluteTime: Date;
  attachments: unknown;
  clientMessageId: string | null;
  deliveredAt: Date | null;
  readAt: Date | null;
}

export function toChatItemDto(r: ChatItemRecord): ChatItemDto {
  const dto: ChatItemDto = {
    seq: r.seq,
    id: r.connectItemId,
    type: r.type as ChatItemDto['type'],
    absoluteTime: r.absoluteTime.toISOString(),
  };
  if (r.contentType !== null) dto.contentType = r.contentType;
  if (r.content !== null) dto.content = r.content;
  if (r.participantRole !== null) dto.participantRole = r.participantRole;
  if (r.participantId !== null) dto.participantId = r.participantId;
  if (r.displayName !== null) dto.displayName = r.displayName;
  if (Array.isArray(r.attachments) && r.attachments.length) dto.attachments = r.attachments as AttachmentDto[];
  if (r.clientMessageId !== null) dto.clientMessageId = r.clientMessageId;
  if (r.deliveredAt || r.readAt) {
    dto.receipts = {};
    if (r.deliveredAt) dto.receipts.deliveredAt = r.deliveredAt.toISOString();
    if (r.readAt) dto.receipts.readAt = r.readAt.toISOString();
  }
  return dto;
}

/** The text full-text search indexes: written with the row as to_tsvector('simple', …). */
export const SEARCH_VECTOR_SQL = `to_tsvector('simple', coalesce(display_name, '') || ' ' || coalesce(content, ''))`;
