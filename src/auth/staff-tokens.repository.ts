import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.js';
import type { StaffRole } from './staff-principal.js';

export interface StaffTokenRecord {
  id: string;
  name: string;
  role: StaffRole;
  frontendIds: string[];
  createdBy: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const PUBLIC_COLUMNS = {
  id: true, name: true, role: true, frontendIds: true, createdBy: true, createdAt: true, lastUsedAt: true, revokedAt: true,
} as const;

/** staff_tokens: tokens are stored only as SHA-256 hashes, and the hash never leaves this file. */
@Injectable()
export class StaffTokensRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** The token with this hash, if it exists and is not revoked. */
  findActiveByHash(tokenHash: string): Promise<StaffTokenRecord | null> {
    return this.prisma.staffToken.findFirst({ where: { tokenHash, revokedAt: null }, select: PUBLIC_COLUMNS });
  }

  create(input: { name: string; role: StaffRole; frontendIds: string[]; tokenHash: string; createdBy: string }): Promise<StaffTokenRecord> {
    return this.prisma.staffToken.create({ data: input, select: PUBLIC_COLUMNS });
  }

  list(): Promise<StaffTokenRecord[]> {
    return this.prisma.staffToken.findMany({ orderBy: [{ createdAt: 'desc' }, { id: 'asc' }], select: PUBLIC_COLUMNS });
  }

  findById(id: string): Promise<StaffTokenRecord | null> {
    return this.prisma.staffToken.findUnique({ where: { id }, select: PUBLIC_COLUMNS });
  }

  /** Sets revokedAt once; returns false when the token does not exist. */
  async revoke(id: string, at: Date): Promise<boolean> {
    const updated = await this.prisma.staffToken.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: at } });
    if (updated.count > 0) return true;
    return (await this.prisma.staffToken.count({ where: { id } })) > 0;
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.prisma.staffToken.updateMany({ where: { id }, data: { lastUsedAt: at } });
  }
}
