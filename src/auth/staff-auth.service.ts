import { Inject, Injectable, Logger } from '@nestjs/common';
import { KEYRING } from './keyring.js';
import type { Keyring } from './keyring.js';
import { sha256Hex, safeEqual } from '../common/crypto.js';
import { BOOTSTRAP_ADMIN_ID } from './staff-principal.js';
import type { StaffPrincipal } from './staff-principal.js';
import { StaffTokensRepository } from './staff-tokens.repository.js';

/** lastUsedAt is a hint for humans; writing it at most once a minute per token keeps reads read-only. */
const TOUCH_EVERY_MS = 60_000;
/** Longer than any token we issue; anything longer is refused before hashing. */
const MAX_TOKEN_LENGTH = 512;

/**
 * Resolves a bearer token to a staff principal. Every call reads staff_tokens (one indexed lookup by
 * hash), so a revocation takes effect on the very next request: there is no cache to outlive it.
 */
@Injectable()
export class StaffAuthService {
  private readonly log = new Logger(StaffAuthService.name);
  private readonly touchedAt = new Map<string, number>();

  constructor(
    @Inject(KEYRING) private readonly keyring: Keyring,
    private readonly tokens: StaffTokensRepository,
  ) {}

  async authenticate(token: string | undefined): Promise<StaffPrincipal | null> {
    if (!token || token.length > MAX_TOKEN_LENGTH) return null;
    if (safeEqual(sha256Hex(token), sha256Hex(this.keyring.adminToken))) {
      return { id: BOOTSTRAP_ADMIN_ID, name: 'admin', role: 'admin', frontendIds: null };
    }
    const record = await this.tokens.findActiveByHash(sha256Hex(token));
    if (!record) return null;
    this.touch(record.id);
    return {
      id: record.id,
      name: record.name,
      role: record.role,
      frontendIds: record.frontendIds.length ? [...record.frontendIds] : null,
    };
  }

  private touch(id: string): void {
    const now = Date.now();
    if ((this.touchedAt.get(id) ?? 0) + TOUCH_EVERY_MS > now) return;
    this.touchedAt.set(id, now);
    if (this.touchedAt.size > 10_000) this.touchedAt.clear();
    this.tokens.touch(id, new Date(now)).catch((err: unknown) => this.log.warn({ err }, 'could not record token use'));
  }
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer[ ]+([^\s]+)[ ]*$/i.exec(header);
  return match?.[1];
}
