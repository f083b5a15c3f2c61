import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.js';

export type IdempotencyClaim =
  | { kind: 'claimed' }
  | { kind: 'replay'; status: number; body: unknown }
  | { kind: 'conflict'; reason: 'other-body' | 'in-flight' };

/** `idempotency-key` records of POST /v1/chats (24 h). */
@Injectable()
export class IdempotencyRepository {
  constructor(private readonly prisma: PrismaService) {}

  async claim(frontendId: string, key: string, bodyHash: string, ttlMs: number): Promise<IdempotencyClaim> {
    await this.prisma.idempotencyRecord.deleteMany({ where: { frontendId, key, expiresAt: { lt: new Date() } } });
    const inserted = await this.prisma.$executeRawUnsafe(
      `INSERT INTO idempotency_records (frontend_id, key, body_hash, expires_at)
       VALUES ($1::uuid, $2, $3, now() + ($4 || ' milliseconds')::interval) ON CONFLICT DO NOTHING`,
      frontendId, key, bodyHash, String(ttlMs),
    );
    if (inserted === 1) return { kind: 'claimed' };
    const row = await this.prisma.idempotencyRecord.findUnique({ where: { frontendId_key: { frontendId, key } } });
    if (!row) return this.claim(frontendId, key, bodyHash, ttlMs);
    if (row.bodyHash !== bodyHash) return { kind: 'conflict', reason: 'other-body' };
    if (row.responseStatus === null) return { kind: 'conflict', reason: 'in-flight' };
    return { kind: 'replay', status: row.responseStatus, body: row.responseBody };
  }

  async complete(frontendId: string, key: string, status: number, body: object): Promise<void> {
    await this.prisma.idempotencyRecord.updateMany({ where: { frontendId, key }, data: { responseStatus: status, responseBody: body } });
  }

  async release(frontendId: string, key: string): Promise<void> {
    await this.prisma.idempotencyRecord.deleteMany({ where: { frontendId, key, responseStatus: null } });
  }

  async purgeExpired(): Promise<number> {
    return (await this.prisma.idempotencyRecord.deleteMany({ where: { expiresAt: { lt: new Date() } } })).count;
  }
}
