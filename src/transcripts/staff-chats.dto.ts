import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ParamReader, isUuid } from '../auth/staff-params.js';
import { AppError } from '../common/app-error.js';
import type { ChatSearchQuery } from './staff-chats.service.js';
import { EXPORT_FORMATS } from './transcript-format.js';
import type { ExportFormat } from './transcript-format.js';

export const CHAT_STATUSES = ['starting', 'active', 'ending', 'ended'] as const;

export class StaffChatResponse {
  @ApiProperty({ format: 'uuid' }) chatId!: string;
  @ApiProperty({ format: 'uuid' }) frontendId!: string;
  @ApiProperty({ enum: CHAT_STATUSES }) status!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty({ nullable: true, type: String }) customerId!: string | null;
  @ApiProperty({ description: "Connect's InitialContactId." }) contactId!: string;
  @ApiProperty({ description: 'The newest ContactId of the chat (differs from contactId after a transfer).' }) currentContactId!: string;
  @ApiProperty() startedAt!: string;
  @ApiProperty({ nullable: true, type: String }) endedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) endReason!: string | null;
  @ApiProperty({ description: 'Number of stored items (= lastSeq).' }) itemCount!: number;
  @ApiProperty({ nullable: true, type: String }) lastMessageAt!: string | null;
  @ApiProperty() transcriptIncomplete!: boolean;
  @ApiPropertyOptional({ description: 'With q: matching text, hits between [[ and ]] (plain text; render it as text).' })
  snippet?: string;
}

export class StaffChatListResponse {
  @ApiProperty({ type: [StaffChatResponse] }) chats!: StaffChatResponse[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next page; null at the end.' }) nextCursor!: string | null;
}

export class StaffTranscriptResponse {
  @ApiProperty({ type: StaffChatResponse }) chat!: StaffChatResponse;
  @ApiProperty({ type: 'array', items: { type: 'object' }, description: 'ChatItem objects in seq order (CONTRACT.md §2).' }) items!: object[];
}

export function parseChatSearch(query: Record<string, unknown>): ChatSearchQuery {
  const r = new ParamReader(query);
  const parsed: ChatSearchQuery = {
    frontendId: r.uuid('frontendId'),
    status: r.oneOf('status', CHAT_STATUSES),
    from: r.date('from'),
    to: r.date('to'),
    q: r.string('q', { max: 256 }),
    customerId: r.string('customerId', { max: 256 }),
    contactId: r.string('contactId', { max: 256 }),
    cursor: r.string('cursor', { max: 512 }),
    limit: r.int('limit', 1, 100) ?? 50,
  };
  if (parsed.q !== undefined && parsed.q.trim() === '') r.problem('q', 'must contain something to search for');
  if (parsed.from && parsed.to && parsed.from >= parsed.to) r.problem('to', 'must be after from');
  r.done();
  return parsed;
}

export function parseChatId(chatId: string): string {
  if (!isUuid(chatId)) throw AppError.validation([{ field: 'chatId', message: 'must be a UUID' }]);
  return chatId.toLowerCase();
}

export function parseExportFormat(query: Record<string, unknown>): ExportFormat {
  const r = new ParamReader(query);
  const format = r.oneOf('format', EXPORT_FORMATS) ?? 'json';
  r.done();
  return format;
}

export function parseForce(query: Record<string, unknown>): boolean {
  const r = new ParamReader(query);
  const force = r.bool('force') ?? false;
  r.done();
  return force;
}
