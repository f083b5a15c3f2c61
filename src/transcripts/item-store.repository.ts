import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.js';
import type { ChatItemRecord } from './chat-item.js';
import { ITEM_COLUMNS } from './chat-items.repository.js';
import { searchVectorText } from './search-vector.js';

/** An item ready to store: `seq` assigned by the chat's owner; receipts come later. */
export interface NewChatItem extends Omit<ChatItemRecord, 'attachments' | 'deliveredAt' | 'readAt'> {
  attachments: unknown[] | null;
  contactId: string | null;
}

/** One chat's share of a batch: written only if the caller still holds the epoch and `prevSeq` is current. */
export interface ChatAdvance {
  chatId: string;
  epoch: number;
  prevSeq: number;
  lastSeq: number;
  lastMessageAt: Date | null;
}

export interface ReceiptUpdate {
  chatId: string;
  connectItemId: string;
  deliveredAt: Date | null;
  readAt: Date | null;
}

export interface StoredReceipt {
  chatId: string;
  seq: number;
  connectItemId: string;
  deliveredAt: Date | null;
  readAt: Date | null;
}

/**
 * One statement per group commit: the `chats` update (epoch and last_seq checked) and the item insert of
 * the chats it matched; `search` is the search vector where this process computed it (search-vector.ts).
 * Parameters: $1 JSON [{ id, epoch, prev_seq, last_seq, last_message_at }],
 * $2 JSON [{ chat_id, seq, connect_item_id, … }].
 */
const STORE_BATCH_SQL = `WITH owned AS (
    UPDATE chats c
       SET last_seq = v.last_seq,
           last_message_at = COALESCE(v.last_message_at, c.last_message_at),
           updated_at = now()
      FROM json_to_recordset($1::json) AS v(id uuid, epoch int, prev_seq int, last_seq int, last_message_at timestamptz)
     WHERE c.id = v.id AND c.owner_epoch = v.epoch AND c.last_seq = v.prev_seq
    RETURNING c.id
  ), ins AS (
    INSERT INTO chat_items (chat_id, seq, connect_item_id, type, content_type, content, participant_role,
                            participant_id, display_name, absolute_time, attachments, client_message_id,
                            contact_id, search)
    SELECT i.chat_id, i.seq, i.connect_item_id, i.type, i.content_type, i.content, i.participant_role,
           i.participant_id, i.display_name, i.absolute_time, i.attachments, i.client_message_id, i.contact_id,
           COALESCE(i.search::tsvector, to_tsvector('simple', coalesce(i.display_name, '') || ' ' || coalesce(i.content, '')))
      FROM json_to_recordset($2::json) AS i(chat_id uuid, seq int, connect_item_id text, type text, content_type text,
           content text, participant_role text, participant_id text, display_name text, absolute_time timestamptz,
           attachments jsonb, client_message_id text, contact_id text, search text)
     WHERE i.chat_id IN (SELECT id FROM owned)
    RETURNING 1
  )
  SELECT id FROM owned`;

/**
 * The transcript write path: many chats' items in one statement (group commit). The `chats` update and
 * the item insert are one atomic statement; a chat whose epoch or last_seq moved is skipped entirely.
 */
@Injectable()
export class ItemStoreRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Returns the ids of the chats whose items were stored. The rows travel as two JSON parameters:
   * one JSON.stringify is far cheaper for the driver (and Prisma's argument handling) than eighteen
   * arrays escaped element by element, and json_to_recordset costs Postgres no more than unnest.
   */
  async storeBatch(advances: ChatAdvance[], items: NewChatItem[]): Promise<Set<string>> {
    const rows = await this.prisma.preparedQuery<{ id: string }>('store_batch', STORE_BATCH_SQL, [
      JSON.stringify(advances.map(advanceRow)),
      JSON.stringify(items.map(itemRow)),
    ]);
    return new Set(rows.map((r) => r.id));
  }

  /** Folds receipts into stored messages, keeping the earliest time of each kind. */
  async applyReceipts(updates: ReceiptUpdate[]): Promise<StoredReceipt[]> {
    if (!updates.length) return [];
    return this.prisma.$queryRawUnsafe<StoredReceipt[]>(
      `UPDATE chat_items ci
          SET delivered_at = COALESCE(ci.delivered_at, v.delivered_at::timestamptz, v.read_at::timestamptz),
              read_at = COALESCE(ci.read_at, v.read_at::timestamptz)
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS v(chat_id, connect_item_id, delivered_at, read_at)
        WHERE ci.chat_id = v.chat_id AND ci.connect_item_id = v.connect_item_id
       RETURNING ci.chat_id AS "chatId", ci.seq, ci.connect_item_id AS "connectItemId",
                 ci.delivered_at AS "deliveredAt", ci.read_at AS "readAt"`,
      updates.map((u) => u.chatId),
      updates.map((u) => pgText(u.connectItemId)),
      updates.map((u) => u.deliveredAt?.toISOString() ?? null),
      updates.map((u) => u.readAt?.toISOString() ?? null),
    );
  }

  /** What an owner needs in memory to take a chat over: its Connect ids and newest stored item. */
  async ownerState(chatId: string): Promise<{ lastSeq: number; knownIds: string[]; last: ChatItemRecord | null }> {
    const chat = await this.prisma.chat.findUnique({ where: { id: chatId }, select: { lastSeq: true } });
    const ids = await this.prisma.chatItem.findMany({ where: { chatId }, select: { connectItemId: true } });
    const last = chat && chat.lastSeq > 0
      ? await this.prisma.chatItem.findUnique({ where: { chatId_seq: { chatId, seq: chat.lastSeq } }, select: ITEM_COLUMNS })
      : null;
    return { lastSeq: chat?.lastSeq ?? 0, knownIds: ids.map((i) => i.connectItemId), last: last as ChatItemRecord | null };
  }
}

/** Times go as ISO text: a Date makes JSON.stringify call its toJSON, off the serialiser's fast path. */
function advanceRow(a: ChatAdvance) {
  return { id: a.chatId, epoch: a.epoch, prev_seq: a.prevSeq, last_seq: a.lastSeq, last_message_at: a.lastMessageAt?.toISOString() ?? null };
}

function itemRow(i: NewChatItem) {
  return {
    chat_id: i.chatId,
    seq: i.seq,
    connect_item_id: jsonText(i.connectItemId),
    type: i.type,
    content_type: jsonText(i.contentType),
    content: jsonText(i.content),
    participant_role: jsonText(i.participantRole),
    participant_id: jsonText(i.participantId),
    display_name: jsonText(i.displayName),
    absolute_time: i.absoluteTime.toISOString(),
    attachments: i.attachments && JSON.parse(JSON.stringify(i.attachments, (_key, v: unknown) => (typeof v === 'string' ? jsonText(v) : v))),
    client_message_id: jsonText(i.clientMessageId),
    contact_id: jsonText(i.contactId),
    search: searchVectorText(i.displayName, i.content),
  };
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text for a JSON parameter. An unpaired surrogate becomes an escape Postgres refuses; the UTF-8 encoding
 * of a text parameter replaced it with U+FFFD, and so does this, so what is stored does not change.
 */
function jsonText<T extends string | null>(text: T): T {
  if (text === null) return text;
  return pgText(/[\uD800-\uDFFF]/.test(text) ? text.replace(LONE_SURROGATE, '\uFFFD') : text) as T;
}

/**
 * Postgres text cannot hold NUL: one such character from Connect (an agent's or a customer's message)
 * used to fail the whole batch on every retry and stall every chat's writes. It is stored as U+FFFD,
 * as the UTF-8 encoding already does for unpaired surrogates.
 */
export function pgText<T extends string | null>(text: T): T {
  return (text !== null && text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text) as T;
}
