import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.js';
import type { ChatStatus } from '../sessions/chat-record.js';
import type { ChatItemRecord } from './chat-item.js';

export const ITEM_COLUMNS = {
  chatId: true, seq: true, connectItemId: true, type: true, contentType: true, content: true, participantRole: true,
  participantId: true, displayName: true, absoluteTime: true, attachments: true, clientMessageId: true,
  deliveredAt: true, readAt: true,
} as const;

/** The columns of ITEM_COLUMNS as raw SQL, named as ChatItemRecord names them. */
const ITEM_SELECT = `chat_id AS "chatId", seq, connect_item_id AS "connectItemId", type, content_type AS "contentType", content,
  participant_role AS "participantRole", participant_id AS "participantId", display_name AS "displayName",
  absolute_time AS "absoluteTime", attachments, client_message_id AS "clientMessageId",
  delivered_at AS "deliveredAt", read_at AS "readAt"`;

/**
 * Reads of stored items for replay and the widget API. Raw SQL (one statement per call, rows typed by
 * the driver adapter exactly as the ORM types them): a reconnect storm runs these per socket, and the
 * ORM's query building costs more CPU than Postgres takes to answer them.
 */
@Injectable()
export class ChatItemsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async listAfter(chatId: string, afterSeq: number, limit: number): Promise<ChatItemRecord[]> {
    return this.prisma.$queryRawUnsafe<ChatItemRecord[]>(
      `SELECT ${ITEM_SELECT} FROM chat_items WHERE chat_id = $1::uuid AND seq > $2::int ORDER BY seq LIMIT $3::int`,
      chatId, afterSeq, limit,
    );
  }

  async findByClientMessageId(chatId: string, clientMessageId: string): Promise<ChatItemRecord | null> {
    const rows = await this.prisma.$queryRawUnsafe<ChatItemRecord[]>(
      `SELECT ${ITEM_SELECT} FROM chat_items WHERE chat_id = $1::uuid AND client_message_id = $2 LIMIT 1`, chatId, clientMessageId);
    return rows[0] ?? null;
  }

  async findByConnectId(chatId: string, connectItemId: string): Promise<ChatItemRecord | null> {
    const rows = await this.prisma.$queryRawUnsafe<ChatItemRecord[]>(
      `SELECT ${ITEM_SELECT} FROM chat_items WHERE chat_id = $1::uuid AND connect_item_id = $2 LIMIT 1`, chatId, connectItemId);
    return rows[0] ?? null;
  }

  /**
   * Where each reconnecting socket starts, for many sockets in one statement: its chat's status and
   * last seq, its first `limit` items after its cursor, and the chat's newest delivered and newest read
   * message. Answers in request order; null where the chat does not exist.
   */
  async replayHeads(requests: ReplayRequest[], limit: number): Promise<(ReplayHeadRecord | null)[]> {
    const rows = await this.prisma.$queryRawUnsafe<ReplayRow[]>(
      `SELECT r.n::int AS n, c.status::text AS "chatStatus", c.last_seq AS "chatLastSeq", c.end_reason AS "chatEndReason", i.*
         FROM unnest($1::uuid[], $2::int[]) WITH ORDINALITY AS r(chat_id, after_seq, n)
         JOIN chats c ON c.id = r.chat_id
         LEFT JOIN LATERAL (
           (SELECT 'item'::text AS kind, ${ITEM_SELECT} FROM chat_items
             WHERE chat_id = r.chat_id AND seq > r.after_seq ORDER BY seq LIMIT $3::int)
           UNION ALL
           (SELECT 'delivered'::text, ${ITEM_SELECT} FROM chat_items
             WHERE chat_id = r.chat_id AND delivered_at IS NOT NULL ORDER BY seq DESC LIMIT 1)
           UNION ALL
           (SELECT 'read'::text, ${ITEM_SELECT} FROM chat_items
             WHERE chat_id = r.chat_id AND read_at IS NOT NULL ORDER BY seq DESC LIMIT 1)
         ) i ON true`,
      requests.map((r) => r.chatId), requests.map((r) => r.afterSeq), limit,
    );
    const heads: (ReplayHeadRecord | null)[] = requests.map(() => null);
    for (const { n, chatStatus, chatLastSeq, chatEndReason, kind, ...item } of rows) {
      const head = (heads[n - 1] ??= {
        chat: { status: chatStatus, lastSeq: chatLastSeq, endReason: chatEndReason }, items: [], delivered: null, read: null,
      });
      if (kind === 'item') head.items.push(item);
      else if (kind) head[kind] = item;
    }
    for (const head of heads) head?.items.sort((a, b) => a.seq - b.seq);
    return heads;
  }
}

export interface ReplayRequest {
  chatId: string;
  afterSeq: number;
}

export interface ReplayHeadRecord {
  chat: { status: ChatStatus; lastSeq: number; endReason: string | null };
  items: ChatItemRecord[];
  delivered: ChatItemRecord | null;
  read: ChatItemRecord | null;
}

type ReplayRow = ChatItemRecord & {
  n: number;
  chatStatus: ChatStatus;
  chatLastSeq: number;
  chatEndReason: string | null;
  kind: 'item' | 'delivered' | 'read' | null;
};
