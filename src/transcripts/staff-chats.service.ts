import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { staffActor } from '../audit/audit-actor.js';
import { canSeeFrontend, visibleFrontendIds } from '../auth/staff-principal.js';
import type { StaffPrincipal } from '../auth/staff-principal.js';
import { AppError } from '../common/app-error.js';
import { toChatItemDto } from './chat-item.js';
import type { ChatItemDto } from './chat-item.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { StaffChatsRepository } from './staff-chats.repository.js';
import type { ChatStatus, StaffChatRecord } from './staff-chats.repository.js';
import { EXPORT_FORMATS } from './transcript-format.js';
import type { ExportFormat } from './transcript-format.js';
import { exportChunks } from './transcript-export.js';

export interface ChatSearchQuery {
  frontendId?: string;
  status?: ChatStatus;
  from?: Date;
  to?: Date;
  q?: string;
  customerId?: string;
  contactId?: string;
  cursor?: string;
  limit: number;
}

export interface StaffChatView {
  chatId: string;
  frontendId: string;
  status: ChatStatus;
  displayName: string;
  customerId: string | null;
  contactId: string;
  currentContactId: string;
  startedAt: string;
  endedAt: string | null;
  endReason: string | null;
  itemCount: number;
  lastMessageAt: string | null;
  transcriptIncomplete: boolean;
  snippet?: string;
}

export interface Caller {
  staff: StaffPrincipal;
  ip: string | undefined;
}

/** Read side of the staff API: every search, view and export is scoped to the caller's front ends and audited. */
@Injectable()
export class StaffChatsService {
  constructor(
    private readonly chats: StaffChatsRepository,
    private readonly audit: AuditService,
  ) {}

  async search(caller: Caller, query: ChatSearchQuery): Promise<{ chats: StaffChatView[]; nextCursor: string | null }> {
    const after = query.cursor === undefined ? undefined : parseChatCursor(query.cursor);
    const frontendIds = visibleFrontendIds(caller.staff, query.frontendId);
    const rows = await this.chats.search({ ...query, frontendIds, after, limit: query.limit + 1 });
    const page = rows.slice(0, query.limit);
    const snippets = query.q === undefined ? null : await this.chats.snippets(page.map((r) => r.id), query.q);
    const last = page[page.length - 1];
    const nextCursor = rows.length > query.limit && last ? encodeCursor(['c', last.startedAt.toISOString(), last.id]) : null;
    await this.audit.record({
      actor: staffActor(caller.staff),
      action: 'chat.search',
      ip: caller.ip,
      frontendId: query.frontendId,
      details: { filters: filtersOf(query), results: page.length, page: query.cursor === undefined ? 'first' : 'next' },
    });
    return {
      chats: page.map((r) => {
        const view = toView(r);
        const snippet = snippets?.get(r.id);
        if (snippet !== undefined) view.snippet = snippet;
        return view;
      }),
      nextCursor,
    };
  }

  /**
   * The chat as the caller may see it; 404 for a chat of another front end, exactly as for none. A
   * refusal is audited (`access.denied`, naming what was attempted): probing for chats leaves a trace.
   */
  async visibleChat(caller: Caller, chatId: string, attempted: string): Promise<StaffChatRecord> {
    const chat = await this.chats.findChat(chatId);
    if (chat && canSeeFrontend(caller.staff, chat.frontendId)) return chat;
    await this.audit.record({
      actor: staffActor(caller.staff),
      action: 'access.denied',
      target: `chat:${chatId}`,
      ip: caller.ip,
      details: { attempted, reason: chat ? 'other front end' : 'no such chat' },
    });
    throw new AppError('NOT_FOUND', 'No such chat.');
  }

  /**
   * `{ chat, items }` for GET /v1/admin/chats/{id} (format json, inline) or an export download, as
   * chunks read from the database page by page: memory stays constant however long the chat is.
   */
  async transcript(caller: Caller, chatId: string, format: ExportFormat, download: boolean): Promise<{ chat: StaffChatView; chunks: AsyncIterable<string> }> {
    const record = await this.visibleChat(caller, chatId, download ? 'chat.export' : 'chat.view');
    const chat = toView(record);
    await this.audit.record({
      actor: staffActor(caller.staff),
      action: download ? 'chat.export' : 'chat.view',
      target: `chat:${chatId}`,
      chatId,
      frontendId: record.frontendId,
      ip: caller.ip,
      details: download ? { format, itemCount: record.lastSeq } : { itemCount: record.lastSeq },
    });
    return { chat, chunks: exportChunks(format, chat, (afterSeq, limit) => this.items(chatId, afterSeq, limit)) };
  }

  private async items(chatId: string, afterSeq: number, limit: number): Promise<ChatItemDto[]> {
    return (await this.chats.itemsAfter(chatId, afterSeq, limit)).map(toChatItemDto);
  }
}

export function isExportFormat(value: string): value is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(value);
}

export function toView(r: StaffChatRecord): StaffChatView {
  return {
    chatId: r.id,
    frontendId: r.frontendId,
    status: r.status,
    displayName: r.displayName,
    customerId: r.customerId,
    contactId: r.contactId,
    currentContactId: r.currentContactId,
    startedAt: r.startedAt.toISOString(),
    endedAt: r.endedAt?.toISOString() ?? null,
    endReason: r.endReason,
    itemCount: r.lastSeq,
    lastMessageAt: r.lastMessageAt?.toISOString() ?? null,
    transcriptIncomplete: r.transcriptIncomplete,
  };
}

function parseChatCursor(cursor: string): { startedAt: Date; id: string } {
  const parts = decodeCursor(cursor);
  const startedAt = parts && parts.length === 3 && parts[0] === 'c' ? new Date(parts[1]!) : null;
  if (!startedAt || Number.isNaN(startedAt.getTime()) || !/^[0-9a-f-]{36}$/.test(parts![2]!)) {
    throw AppError.validation([{ field: 'cursor', message: 'is not a cursor this endpoint issued' }]);
  }
  return { startedAt, id: parts![2]! };
}

function filtersOf(q: ChatSearchQuery): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ['frontendId', 'status', 'from', 'to', 'q', 'customerId', 'contactId'] as const) {
    const v = q[key];
    if (v !== undefined) out[key] = v instanceof Date ? v.toISOString() : v;
  }
  return out;
}
