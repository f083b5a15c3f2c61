import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.js';
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

  /** The newest delivered and the newest read message (what a reconnecting tab is told first), in one statement. */
  async latestReceipts(chatId: string): Promise<{ delivered: ChatItemRecord | null; read: ChatItemRecord | null }> {
    const rows = await this.prisma.$queryRawUnsafe<(ChatItemRecord & { receipt: 'delivered' | 'read' })[]>(
      `(SELECT 'delivered' AS receipt, ${ITEM_SELECT} FROM chat_items
         WHERE chat_id = $1::uuid AND delivered_at IS NOT NULL ORDER BY seq DESC LIMIT 1)
       UNION ALL
       (SELECT 'read' AS receipt, ${ITEM_SELECT} FROM chat_items
         WHERE chat_id = $1::uuid AND read_at IS NOT NULL ORDER BY seq DESC LIMIT 1)`,
      chatId,
    );
    const pick = (kind: 'delivered' | 'read'): ChatItemRecord | null => {
      const row = rows.find((r) => r.receipt === kind);
      if (!row) return null;
      delete (row as Partial<typeof row>).receipt;
      return row;
    };
    return { delivered: pick('delivered'), read: pick('read') };
  }
}
