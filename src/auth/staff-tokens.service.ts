import { Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error.js';
import { randomToken, sha256Hex } from '../common/crypto.js';
import { AuditService } from '../audit/audit.service.js';
import { staffActor } from '../audit/audit-actor.js';
import type { StaffPrincipal, StaffRole } from './staff-principal.js';
import { StaffTokensRepository } from './staff-tokens.repository.js';
import type { StaffTokenRecord } from './staff-tokens.repository.js';

/** Prefix of every staff token the API issues (tokens are 256 random bits). */
export const STAFF_TOKEN_PREFIX = 'stf_';

export interface StaffTokenView {
  id: string;
  name: string;
  role: StaffRole;
  /** Empty: every front end. */
  frontendIds: string[];
  createdBy: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface NewStaffToken {
  name: string;
  role: StaffRole;
  frontendIds: string[];
}

@Injectable()
export class StaffTokensService {
  constructor(
    private readonly tokens: StaffTokensRepository,
    private readonly audit: AuditService,
  ) {}

  /** Creates a token and returns it once; only its SHA-256 hash is stored. */
  async create(actor: StaffPrincipal, ip: string | undefined, input: NewStaffToken): Promise<StaffTokenView & { token: string }> {
    const token = randomToken(STAFF_TOKEN_PREFIX, 32);
    const record = await this.tokens.create({ ...input, tokenHash: sha256Hex(token), createdBy: staffActor(actor) });
    await this.audit.record({
      actor: staffActor(actor),
      action: 'token.create',
      target: `token:${record.id}`,
      ip,
      details: { name: record.name, role: record.role, frontendIds: record.frontendIds },
    });
    return { ...toView(record), token };
  }

  async list(actor: StaffPrincipal, ip: string | undefined): Promise<StaffTokenView[]> {
    const tokens = (await this.tokens.list()).map(toView);
    await this.audit.record({ actor: staffActor(actor), action: 'token.list', ip, details: { results: tokens.length } });
    return tokens;
  }

  /** Revokes at once: StaffAuthService reads the table on every request. Revoking twice is fine. */
  async revoke(actor: StaffPrincipal, ip: string | undefined, id: string): Promise<void> {
    if (!(await this.tokens.revoke(id, new Date()))) throw new AppError('NOT_FOUND', 'No such staff token.');
    await this.audit.record({ actor: staffActor(actor), action: 'token.revoke', target: `token:${id}`, ip });
  }
}

function toView(r: StaffTokenRecord): StaffTokenView {
  return {
    id: r.id,
    name: r.name,
    role: r.role,
    frontendIds: r.frontendIds,
    createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(),
    lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
    revokedAt: r.revokedAt?.toISOString() ?? null,
  };
}
