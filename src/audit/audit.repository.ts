import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.js';
import type { Prisma } from '../generated/prisma/client.js';

export interface AuditEntryInput {
  actor: string;
  action: string;
  target?: string;
  chatId?: string;
  frontendId?: string;
  ip?: string;
  details?: Record<string, unknown>;
}

export interface AuditEntryRecord {
  id: bigint;
  at: Date;
  actor: string;
  action: string;
  target: string | null;
  chatId: string | null;
  frontendId: string | null;
  ip: string | null;
  details: unknown;
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  chatId?: string;
  from?: Date;
  to?: Date;
  /** Keyset: entries strictly after this (at desc, id desc) position. */
  after?: { at: Date; id: bigint };
  limit: number;
}

/** audit_entries is append-only (a trigger refuses UPDATE, DELETE and TRUNCATE): insert and read only. */
@Injectable()
export class AuditRepository {
  constructor(private readonly prisma: PrismaService) {}

  async insert(entry: AuditEntryInput): Promise<void> {
    await this.prisma.auditEntry.create({
      data: { ...entry, details: entry.details as Prisma.InputJsonValue | undefined },
    });
  }

  list(f: AuditFilter): Promise<AuditEntryRecord[]> {
    const and: Prisma.AuditEntryWhereInput[] = [];
    if (f.actor !== undefined) and.push({ actor: f.actor });
    if (f.action !== undefined) and.push({ action: f.action });
    if (f.chatId !== undefined) and.push({ chatId: f.chatId });
    if (f.from) and.push({ at: { gte: f.from } });
    if (f.to) and.push({ at: { lt: f.to } });
    if (f.after) and.push({ OR: [{ at: { lt: f.after.at } }, { at: f.after.at, id: { lt: f.after.id } }] });
    return this.prisma.auditEntry.findMany({ where: { AND: and }, orderBy: [{ at: 'desc' }, { id: 'desc' }], take: f.limit });
  }
}
