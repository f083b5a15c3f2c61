import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.js';
import { Prisma } from '../generated/prisma/client.js';
import type { ChatItemRecord } from './chat-item.js';

export type ChatStatus = 'starting' | 'active' | 'ending' | 'ended';

export interface StaffChatRecord {
  id: string;
  frontendId: string;
  status: ChatStatus;
  displayName: string;
  customerId: string | null;
  contactId: string;
  currentContactId: string;
  startedAt: Date;
  endedAt: Date | null;
  endReason: string | null;
  lastSeq: number;
  lastMessageAt: Date | null;
  transcriptIncomplete: boolean;
}

export interface ChatSearchFilter {
  /** null: every front end; []: none (the result is empty). */
  frontendIds: string[] | null;
  status?: ChatStatus;
  from?: Date;
  to?: Date;
  q?: string;
  customerId?: string;
  contactId?: string;
  /** Keyset: rows strictly after (startedAt desc, id asc) of this position. */
  after?: { startedAt: Date; id: string };
  limit: number;
}

const ITEM_COLUMNS = {
  chatId: true, seq: true, connectItemId: true, type: true, contentType: true, content: true, participantRole: true,
  participantId: true, displayName: true, absoluteTime: true, attachments: true, clientMessageId: true,
  deliveredAt: true, readAt: true,
} as const;

const CHAT_COLUMNS = Prisma.sql`c.id, c.frontend_id AS "frontendId", c.status::text AS status, c.display_name AS "displayName",
  c.customer_id AS "customerId", c.contact_id AS "contactId",
  c.current_contact_id AS "currentContactId", c.started_at AS "startedAt", c.ended_at AS "endedAt",
  c.end_reason AS "endReason", c.last_seq AS "lastSeq", c.last_message_at AS "lastMessageAt",
  c.transcript_incomplete AS "transcriptIncomplete"`;

/** Highlight markers of search snippets: safe as text, documented in the README. */
export const SNIPPET_START = '[[';
export const SNIPPET_STOP = ']]';

/**
 * The chat search statement: chats newest first (started_at desc, id asc, the order of the
 * chats_started_at_id index), keyset-paginated. With `q`, the matching items come from the GIN index
 * on chat_items.search; the MATERIALIZED CTE keeps the planner from probing items chat by chat.
 * Exported so a test can EXPLAIN exactly this statement.
 */
export function chatSearchSql(f: ChatSearchFilter): Prisma.Sql {
  const where: Prisma.Sql[] = [];
  if (f.frontendIds !== null) where.push(Prisma.sql`c.frontend_id = ANY(${f.frontendIds}::uuid[])`);
  if (f.status) where.push(Prisma.sql`c.status = ${f.status}::"ChatStatus"`);
  if (f.from) where.push(Prisma.sql`c.started_at >= ${f.from}`);
  if (f.to) where.push(Prisma.sql`c.started_at < ${f.to}`);
  if (f.customerId !== undefined) where.push(Prisma.sql`c.customer_id = ${f.customerId}`);
  if (f.contactId !== undefined) where.push(Prisma.sql`(c.contact_id = ${f.contactId} OR c.current_contact_id = ${f.contactId})`);
  if (f.after) {
    where.push(Prisma.sql`(c.started_at < ${f.after.startedAt} OR (c.started_at = ${f.after.startedAt} AND c.id > ${f.after.id}::uuid))`);
  }
  const conditions = where.length ? Prisma.sql`WHERE ${Prisma.join(where, ' AND ')}` : Prisma.empty;
  if (f.q === undefined) {
    return Prisma.sql`SELECT ${CHAT_COLUMNS} FROM chats c ${conditions} ORDER BY c.started_at DESC, c.id ASC LIMIT ${f.limit}`;
  }
  return Prisma.sql`
    WITH matched AS MATERIALIZED (
      SELECT DISTINCT i.chat_id FROM chat_items i WHERE i.search @@ websearch_to_tsquery('simple', ${f.q})
    )
    SELECT ${CHAT_COLUMNS} FROM chats c JOIN matched m ON m.chat_id = c.id ${conditions}
    ORDER BY c.started_at DESC, c.id ASC LIMIT ${f.limit}`;
}

/** The staff side of stored chats: search, read, erase and retention. Every value is a bound parameter. */
@Injectable()
export class StaffChatsRepository {
  constructor(private readonly prisma: PrismaService) {}

  search(f: ChatSearchFilter): Promise<StaffChatRecord[]> {
    if (f.frontendIds !== null && f.frontendIds.length === 0) return Promise.resolve([]);
    return this.prisma.$queryRaw<StaffChatRecord[]>(chatSearchSql(f));
  }

  /** The text the search matched, per chat (first matching item), with [[…]] around the hits. */
  async snippets(chatIds: string[], q: string): Promise<Map<string, string>> {
    if (!chatIds.length) return new Map();
    const rows = await this.prisma.$queryRaw<{ chatId: string; snippet: string }[]>`
      SELECT DISTINCT ON (i.chat_id) i.chat_id AS "chatId",
        ts_headline('simple', coalesce(i.display_name, '') || ': ' || coalesce(i.content, ''), query,
          ${`StartSel="${SNIPPET_START}", StopSel="${SNIPPET_STOP}", MaxWords=24, MinWords=8, ShortWord=1, MaxFragments=2, FragmentDelimiter=" … "`}) AS snippet
      FROM chat_items i, websearch_to_tsquery('simple', ${q}) query
      WHERE i.chat_id = ANY(${chatIds}::uuid[]) AND i.search @@ query
      ORDER BY i.chat_id, i.seq`;
    return new Map(rows.map((r) => [r.chatId, r.snippet]));
  }

  async findChat(id: string): Promise<StaffChatRecord | null> {
    const rows = await this.prisma.$queryRaw<StaffChatRecord[]>`SELECT ${CHAT_COLUMNS} FROM chats c WHERE c.id = ${id}::uuid`;
    return rows[0] ?? null;
  }

  /** One page of a chat's items in seq order (exports read a whole chat page by page). */
  itemsAfter(chatId: string, afterSeq: number, limit: number): Promise<ChatItemRecord[]> {
    return this.prisma.chatItem.findMany({
      where: { chatId, seq: { gt: afterSeq } }, orderBy: { seq: 'asc' }, take: limit, select: ITEM_COLUMNS,
    }) as Promise<ChatItemRecord[]>;
  }

  /** Marks a chat ended (used for a forced erase when no terminator is wired). */
  async markEnded(chatId: string, reason: string): Promise<void> {
    await this.prisma.chat.updateMany({
      where: { id: chatId, status: { not: 'ended' } },
      data: { status: 'ended', endedAt: new Date(), endReason: reason },
    });
  }

  /**
   * Deletes a chat's items in batches (short statements, so nothing waits long on its locks), then
   * the chat. Returns how many items were deleted, or null when the chat was already gone.
   */
  async eraseChat(chatId: string, batch = 5_000): Promise<number | null> {
    let items = 0;
    for (;;) {
      const deleted = await this.prisma.$executeRaw`
        DELETE FROM chat_items WHERE chat_id = ${chatId}::uuid AND seq IN (
          SELECT seq FROM chat_items WHERE chat_id = ${chatId}::uuid ORDER BY seq LIMIT ${batch})`;
      items += deleted;
      if (deleted < batch) break;
    }
    const chats = await this.prisma.$executeRaw`DELETE FROM chats WHERE id = ${chatId}::uuid`;
    return chats === 0 && items === 0 ? null : items;
  }

  /** Front ends with a retention period. */
  frontendsWithRetention(): Promise<{ id: string; retentionDays: number }[]> {
    return this.prisma.$queryRaw<{ id: string; retentionDays: number }[]>`
      SELECT id, retention_days AS "retentionDays" FROM frontends WHERE retention_days IS NOT NULL ORDER BY id`;
  }

  /** Ended chats of a front end that ended before `cutoff`, oldest first. */
  async expiredChats(frontendId: string, cutoff: Date, limit: number): Promise<string[]> {
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      SELECT id FROM chats
      WHERE frontend_id = ${frontendId}::uuid AND status = 'ended'::"ChatStatus" AND coalesce(ended_at, started_at) < ${cutoff}
      ORDER BY coalesce(ended_at, started_at), id LIMIT ${limit}`;
    return rows.map((r) => r.id);
  }
}
