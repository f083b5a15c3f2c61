import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.js';
import type { ChatItemRecord } from './chat-item.js';

export const ITEM_COLUMNS = {
  chatId: true, seq: true, connectItemId: true, type: true, contentType: true, content: true, participantRole: true,
  participantId: true, displayName: true, absoluteTime: true, attachments: true, clientMessageId: true,
  deliveredAt: true, readAt: true,
} as const;

/** Reads of stored items for replay and the widget API. */
@Injectable()
export class ChatItemsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async listAfter(chatId: string, afterSeq: number, limit: number): Promise<ChatItemRecord[]> {
    return this.prisma.chatItem.findMany({
      where: { chatId, seq: { gt: afterSeq } }, orderBy: { seq: 'asc' }, take: limit, select: ITEM_COLUMNS,
    }) as Promise<ChatItemRecord[]>;
  }

  async findByClientMessageId(chatId: string, clientMessageId: string): Promise<ChatItemRecord | null> {
    return this.prisma.chatItem.findFirst({ where: { chatId, clientMessageId }, select: ITEM_COLUMNS }) as Promise<ChatItemRecord | null>;
  }

  async findByConnectId(chatId: string, connectItemId: string): Promise<ChatItemRecord | null> {
    return this.prisma.chatItem.findFirst({ where: { chatId, connectItemId }, select: ITEM_COLUMNS }) as Promise<ChatItemRecord | null>;
  }

  /** The newest delivered and the newest read message (what a reconnecting tab is told first). */
  async latestReceipts(chatId: string): Promise<{ delivered: ChatItemRecord | null; read: ChatItemRecord | null }> {
    const [delivered, read] = await Promise.all([
      this.prisma.chatItem.findFirst({ where: { chatId, deliveredAt: { not: null } }, orderBy: { seq: 'desc' }, select: ITEM_COLUMNS }),
      this.prisma.chatItem.findFirst({ where: { chatId, readAt: { not: null } }, orderBy: { seq: 'desc' }, select: ITEM_COLUMNS }),
    ]);
    return { delivered: delivered as ChatItemRecord | null, read: read as ChatItemRecord | null };
  }
}
