import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.js';
import type { ChatRecord, ChatStatus, NewChat } from './chat-record.js';

/** Chat rows: creation, status, tokens, owners (a lease per process, a fencing epoch per chat) and presence. */
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
      data: { status: 'ended', endedAt: new Date(), endReason: reason, transcriptIncomplete, ownerId: null },
    });
  }

  /**
   * Renews this process's lease (one row, whatever the number of chats it owns) and returns which of
   * `leases` it still holds: a chat another process took over while the lease had lapsed has a new owner
   * and epoch. Reading the chats takes no row lock, so the group commit never waits on a renewal.
   */
  async renew(ownerId: string, leases: { id: string; epoch: number }[], leaseMs: number): Promise<Set<string>> {
    await this.prisma.$executeRawUnsafe(
      `INSERT INTO gateway_owners (id, alive_until) VALUES ($1, now() + ($2 || ' milliseconds')::interval)
       ON CONFLICT (id) DO UPDATE SET alive_until = EXCLUDED.alive_until`,
      ownerId, String(leaseMs),
    );
    if (!leases.length) return new Set();
    const rows = await this.prisma.$queryRawUnsafe<{ id: string }[]>(
      `SELECT c.id FROM chats c JOIN unnest($2::uuid[], $3::int[]) AS l(id, epoch) ON c.id = l.id AND c.owner_epoch = l.epoch
        WHERE c.owner_id = $1`,
      ownerId, leases.map((l) => l.id), leases.map((l) => l.epoch),
    );
    return new Set(rows.map((r) => r.id));
  }

  /**
   * Takes over open chats whose owner's lease ran out (or was handed back), bumping the fencing epoch.
   * SKIP LOCKED: a takeover never waits on a row lock, so it cannot join a deadlock.
   */
  async acquireExpired(ownerId: string, limit: number): Promise<ChatRecord[]> {
    const rows = await this.prisma.$queryRawUnsafe<{ id: string }[]>(
      `UPDATE chats SET owner_id = $1, owner_epoch = owner_epoch + 1, updated_at = now()
        WHERE id IN (SELECT c.id FROM chats c
                      WHERE c.status <> 'ended'
                        AND NOT EXISTS (SELECT 1 FROM gateway_owners o WHERE o.id = c.owner_id AND o.alive_until > now())
                      LIMIT $2 FOR UPDATE SKIP LOCKED)
        RETURNING id`,
      ownerId, limit,
    );
    if (!rows.length) return [];
    return (await this.prisma.chat.findMany({ where: { id: { in: rows.map((r) => r.id) } } })) as ChatRecord[];
  }

  /** Hands every lease of this process back at shutdown so another process can take over at once. */
  async release(ownerId: string): Promise<void> {
    await this.prisma.gatewayOwner.deleteMany({ where: { id: ownerId } });
  }

  /** Forgets processes whose lease ran out long ago (their chats were taken over or have ended). */
  async forgetDeadOwners(olderThanMs: number): Promise<void> {
    await this.prisma.$executeRawUnsafe(
      `DELETE FROM gateway_owners o WHERE o.alive_until < now() - ($1 || ' milliseconds')::interval
          AND NOT EXISTS (SELECT 1 FROM chats c WHERE c.owner_id = o.id AND c.status <> 'ended')`,
      String(olderThanMs),
    );
  }

  /**
   * Records that a browser is connected to these chats now. Rows are upserted in id order, so two
   * processes touching overlapping chats lock them in the same order and never deadlock.
   */
  async touchBrowserSeen(ids: string[]): Promise<void> {
    if (!ids.length) return;
    await this.prisma.$executeRawUnsafe(
      `INSERT INTO chat_presence (chat_id, browser_seen_at)
       SELECT id, now() FROM chats WHERE id = ANY($1::uuid[]) AND status <> 'ended' ORDER BY id
       ON CONFLICT (chat_id) DO UPDATE SET browser_seen_at = EXCLUDED.browser_seen_at`,
      ids);
  }

  /** Of `ids`, the open chats no browser has been connected to for `idleMs` (database time: works across processes). */
  async findAbandoned(ids: string[], idleMs: number): Promise<string[]> {
    if (!ids.length) return [];
    const rows = await this.prisma.$queryRawUnsafe<{ id: string }[]>(
      `SELECT c.id FROM chats c LEFT JOIN chat_presence p ON p.chat_id = c.id
        WHERE c.id = ANY($1::uuid[]) AND c.status IN ('starting', 'active')
          AND COALESCE(p.browser_seen_at, c.started_at) < now() - ($2 || ' milliseconds')::interval`,
      ids, String(Math.round(idleMs)),
    );
    return rows.map((r) => r.id);
  }
}
