import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error.js';
import { encrypt, randomToken } from '../common/crypto.js';
import { KEYRING } from '../auth/keyring.js';
import type { Keyring } from '../auth/keyring.js';
import { canSeeFrontend } from '../auth/staff-principal.js';
import type { StaffPrincipal } from '../auth/staff-principal.js';
import { staffActor } from '../audit/audit-actor.js';
import { AuditService } from '../audit/audit.service.js';
import type { Frontend, FrontendPatch, FrontendSettings, StoredFrontend } from './frontend.js';
import { FrontendsRepository } from './frontends.repository.js';
import { FrontendsService, publicView } from './frontends.service.js';

export interface FrontendWithSecret {
  frontend: Frontend;
  /** Shown once: at creation and at rotation. */
  secret: string;
}

/**
 * Creating, changing and re-keying front ends (admin staff). An admin token limited to some front
 * ends sees and manages only those (others are 404) and cannot create new ones.
 */
@Injectable()
export class FrontendAdminService {
  constructor(
    private readonly repo: FrontendsRepository,
    private readonly frontends: FrontendsService,
    private readonly audit: AuditService,
    @Inject(KEYRING) private readonly keyring: Keyring,
  ) {}

  async list(staff: StaffPrincipal): Promise<Frontend[]> {
    return (await this.repo.list()).filter((f) => canSeeFrontend(staff, f.id)).map((f) => publicView(f)!);
  }

  async get(staff: StaffPrincipal, id: string): Promise<Frontend> {
    const found = await this.frontends.findById(id);
    return this.require(found && canSeeFrontend(staff, found.id) ? found : null);
  }

  async create(staff: StaffPrincipal, ip: string | undefined, settings: FrontendSettings): Promise<FrontendWithSecret> {
    if (staff.frontendIds !== null) throw new AppError('FORBIDDEN', 'A token limited to some front ends cannot create front ends.');
    const secret = newSecret();
    const created = publicView(await this.repo.create(settings, newPublicKey(), this.seal(secret)))!;
    this.frontends.invalidate();
    await this.record(staff, ip, 'frontend.create', created.id, { name: created.name });
    return { frontend: created, secret };
  }

  /** Changes only what the patch names; an unchanged value is not a change (no write, no audit entry). */
  async update(staff: StaffPrincipal, ip: string | undefined, id: string, patch: FrontendPatch): Promise<Frontend> {
    const before = await this.get(staff, id);
    const changed = changedFields(before, patch);
    if (changed.length === 0) return before;
    const updated = this.require(publicView(await this.repo.update(id, patch)));
    this.frontends.invalidate();
    await this.record(staff, ip, 'frontend.update', id, { changed });
    return updated;
  }

  /** A new secret; the old one stops verifying at once in this process (others within FRONTEND_CACHE_MS). */
  async rotateSecret(staff: StaffPrincipal, ip: string | undefined, id: string): Promise<FrontendWithSecret> {
    await this.get(staff, id);
    const secret = newSecret();
    const updated = this.require(publicView(await this.repo.setSecret(id, this.seal(secret))));
    this.frontends.invalidate();
    await this.record(staff, ip, 'frontend.rotate_secret', id);
    return { frontend: updated, secret };
  }

  /** Seeds a front end only into an empty registry (first start); null when one exists already. */
  async createIfNoneExist(settings: FrontendSettings): Promise<StoredFrontend | null> {
    const created = await this.repo.createIfNoneExist(settings, newPublicKey(), this.seal(newSecret()));
    if (created) this.frontends.invalidate();
    return created;
  }

  private async record(staff: StaffPrincipal, ip: string | undefined, action: string, id: string, details?: Record<string, unknown>): Promise<void> {
    await this.audit.record({ actor: staffActor(staff), action, target: `frontend:${id}`, frontendId: id, ip, ...(details ? { details } : {}) });
  }

  private seal(secret: string): string {
    return encrypt(this.keyring.encryptionKey, secret);
  }

  private require<T>(value: T | null): T {
    if (value === null) throw new AppError('NOT_FOUND', 'No such front end.');
    return value;
  }
}

function newPublicKey(): string {
  return randomToken('pk_', 24);
}

function newSecret(): string {
  return randomToken('sk_', 32);
}

/** The patch's field paths whose values differ from the current ones (`connect.region`, …). */
export function changedFields(current: Frontend, patch: FrontendPatch): string[] {
  const out: string[] = [];
  const differs = (a: unknown, b: unknown) => JSON.stringify(a) !== JSON.stringify(b);
  for (const key of ['name', 'allowedOrigins', 'attributeKeys', 'retentionDays', 'redaction'] as const) {
    if (patch[key] !== undefined && differs(patch[key], current[key])) out.push(key);
  }
  for (const [key, value] of Object.entries(patch.connect ?? {})) {
    if (value !== undefined && differs(value, current.connect[key as keyof Frontend['connect']])) out.push(`connect.${key}`);
  }
  return out;
}
