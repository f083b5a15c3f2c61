import { Injectable } from '@nestjs/common';
import { AuditRepository } from './audit.repository.js';
import type { AuditEntryInput, AuditEntryRecord, AuditFilter } from './audit.repository.js';
import { decodeCursor, encodeCursor } from '../transcripts/cursor.js';
import { AppError } from '../common/app-error.js';

export type AuditRecordInput = Omit<AuditEntryInput, 'ip'> & { ip?: string | null };

/** An audit entry as the API shows it: the stored record with its id and time as strings. */
export interface AuditEntryView extends Omit<AuditEntryRecord, 'id' | 'at'> {
  id: string;
  at: string;
}

export interface AuditQuery extends Omit<AuditFilter, 'after'> {
  cursor?: string;
}

/**
 * The append-only audit trail. `record` is awaited by the action it describes and its failure fails
 * that action: a read that cannot be audited is not served.
 */
@Injectable()
export class AuditService {
  constructor(private readonly repo: AuditRepository) {}

  async record(entry: AuditRecordInput): Promise<void> {
    const { ip, ...rest } = entry;
    await this.repo.insert({ ...rest, ...(ip ? { ip } : {}) });
  }

  async list(q: AuditQuery): Promise<{ entries: AuditEntryView[]; nextCursor: string | null }> {
    const after = q.cursor === undefined ? undefined : parseAuditCursor(q.cursor);
    const rows = await this.repo.list({ ...q, after, limit: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    const nextCursor = rows.length > q.limit && last ? encodeCursor(['a', last.at.toISOString(), last.id.toString()]) : null;
    return {
      entries: page.map((r) => ({
        id: r.id.toString(),
        at: r.at.toISOString(),
        actor: r.actor,
        action: r.action,
        target: r.target,
        chatId: r.chatId,
        frontendId: r.frontendId,
        ip: r.ip,
        details: r.details ?? null,
      })),
      nextCursor,
    };
  }
}

function parseAuditCursor(cursor: string): { at: Date; id: bigint } {
  const parts = decodeCursor(cursor);
  const at = parts && parts.length === 3 && parts[0] === 'a' ? new Date(parts[1]!) : null;
  if (!at || Number.isNaN(at.getTime()) || !/^\d{1,19}$/.test(parts![2]!)) {
    throw AppError.validation([{ field: 'cursor', message: 'is not a cursor this endpoint issued' }]);
  }
  return { at, id: BigInt(parts![2]!) };
}
