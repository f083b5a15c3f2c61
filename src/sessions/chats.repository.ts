import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.js';
import type { ChatRecord, ChatStatus, NewChat } from './chat-record.js';

/** Chat rows: creation, status, tokens and owner leases (DESIGN.md, lease with a fencing epoch). */
@Injectable()
export class ChatsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async create(chat: NewChat): Promise<ChatRecord> {
    return (await this.prisma.chat.create({
      data: { ...chat, currentContactId: chat.contactId, status: 'starting', ownerEpoch: 1 },
    })) as ChatRecord;
  }

  async findById(id: string): Promise<ChatRecord | null> {
    return (await this.prisma.chat.findUnique({ where: { id } })) as ChatRecord | null;
  }

  async findByContactId(contactId: string): Promise<ChatRecord | null> {
    return (await this.prisma.chat.findUnique({ where: { contactId } })) as ChatRecord | null;
  }

  async findOpenForCustomer(frontendId: string, customerId: string): Promise<ChatRecord | null> {
    return (await this.prisma.chat.findFirst({
      where: { frontendId, customerId, status: { in: ['starting', 'active', 'ending'] } },
      orderBy: { startedAt: 'desc' },
    })) as ChatRecord | null;
  }

  /** Writes by the lease holder only: a stale epoch changes nothing and returns false. */
  async updateOwned(id: string, epoch: number, data: Partial<Pick<ChatRecord,
    'status' | 'connectionTokenEnc' | 'connectionExpiresAt' | 'currentContactId' | 'endedAt' | 'endReason' | 'transcriptIncomplete'>>): Promise<boolean> {
    const res = await this.prisma.chat.updateMany({ where: { id, ownerEpoch: epoch }, data });
    return res.count === 1;
  }

  async setStatus(id: string, status: ChatStatus): Promise<void> {
    await this.prisma.chat.updateMany({ where: { id, NOT: { status: 'ended' } }, data: { status } });
  }

  /** Marks ended whoever owns it (used when no owner can do it, e.g. forced erase). */
  async markEnded(id: string, reason: string, transcriptIncomplete = false): Promise<void> {
    await this.prisma.chat.updateMany({
      where: { id, NOT: { status: 'ended' } },
      data: { status: 'ended', endedAt: new Date(), endReason: reason, transcriptIncomplete, ownerId: null, leaseUntil: null },
    });
  }

  /** Takes over chats whose lease ran out (or were released), bumping the fencing epoch. */
  async acquireExpired(ownerId: string, leaseMs: number, limit: number): Promise<ChatRecord[]> {
    const rows = await this.prisma.$queryRawUnsafe<{ id: string }[]>(
      `UPDATE chats SET owner_id = $1, lease_until = now() + ($2 || ' milliseconds')::interval,
              owner_epoch = owner_epoch + 1, updated_at = now()
        WHERE id IN (SELECT id FROM chats
                      WHERE status <> 'ended' AND (lease_until IS NULL OR lease_until < now())
                      ORDER BY lease_until NULLS FIRST LIMIT $3 FOR UPDATE SKIP LOCKED)
        RETURNING id`,
      ownerId, String(leaseMs), limit,
    );
    if (!rows.length) return [];
    return (await this.prisma.chat.findMany({ where: { id: { in: rows.map((r) => r.id) } } })) as ChatRecord[];
  }

  /** Renews every lease this process holds in one statement; returns the ids still held. */
  async renew(ownerId: string, leases: { id: string; epoch: number }[], leaseMs: number): Promise<Set<string>> {
    if (!leases.length) return new Set();
    const rows = await this.prisma.$queryRawUnsafe<{ id: string }[]>(
      `UPDATE chats c SET lease_until = now() + ($2 || ' milliseconds')::interval
         FROM unnest($3::uuid[], $4::int[]) AS l(id, epoch)
        WHERE c.id = l.id AND c.owner_epoch = l.epoch AND c.owner_id = $1
        RETURNING c.id`,
      ownerId, String(leaseMs), leases.map((l) => l.id), leases.map((l) => l.epoch),
    );
    return new Set(rows.map((r) => r.id));
  }

  /** Hands leases back at shutdown so another process can take over at once. */
  async release(ownerId: string, ids: string[]): Promise<void> {
    if (!ids.length) return;
    await this.prisma.chat.updateMany({ where: { ownerId, id: { in: ids } }, data: { leaseUntil: null, ownerId: null } });
  }

  async touchBrowserSeen(ids: string[]): Promise<void> {
    if (!ids.length) return;
    await this.prisma.$executeRawUnsafe(
      `UPDATE chats SET browser_seen_at = now() WHERE id = ANY($1::uuid[]) AND status <> 'ended'`, ids);
  }

  /** Of `ids`, the open chats no browser has been connected to for `idleMs` (database time: works across processes). */
  async findAbandoned(ids: string[], idleMs: number): Promise<string[]> {
    if (!ids.length) return [];
    const rows = await this.prisma.$queryRawUnsafe<{ id: string }[]>(
      `SELECT id FROM chats
        WHERE id = ANY($1::uuid[]) AND status IN ('starting', 'active')
          AND browser_seen_at < now() - ($2 || ' milliseconds')::interval`,
      ids, String(Math.round(idleMs)),
    );
    return rows.map((r) => r.id);
  }
}
