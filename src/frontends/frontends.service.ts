import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error.js';
import { decrypt } from '../common/crypto.js';
import { KEYRING } from '../auth/keyring.js';
import type { Keyring } from '../auth/keyring.js';
import { CONNECT_TARGET } from '../config/config.module.js';
import type { ConnectTarget } from '../config/config.module.js';
import type { Frontend, StoredFrontend } from './frontend.js';
import { FrontendsRepository } from './frontends.repository.js';
import { WILDCARD_ORIGIN, normaliseOrigin, originAllowed } from './origin.js';
import { TtlCache } from './ttl-cache.js';

/** Lookups are on every widget call; other processes' writes show up here within this time. */
export const FRONTEND_CACHE_MS = 3000;
export const DEMO_FRONTEND_NAME = 'demo';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The front-end registry as the rest of the gateway uses it: cached reads, secrets decrypted on demand. */
@Injectable()
export class FrontendsService {
  private readonly byKey = new TtlCache<StoredFrontend | null>(FRONTEND_CACHE_MS);
  private readonly byId = new TtlCache<StoredFrontend | null>(FRONTEND_CACHE_MS);
  private readonly origins = new TtlCache<ReadonlySet<string>>(FRONTEND_CACHE_MS, 1);

  constructor(
    private readonly repo: FrontendsRepository,
    @Inject(KEYRING) private readonly keyring: Keyring,
    @Inject(CONNECT_TARGET) private readonly connect: ConnectTarget,
  ) {}

  async findByPublicKey(publicKey: string): Promise<Frontend | null> {
    if (!publicKey.startsWith('pk_') || publicKey.length > 200) return null;
    return publicView(await this.byKey.get(publicKey, () => this.repo.findByPublicKey(publicKey)));
  }

  async findById(id: string): Promise<Frontend | null> {
    return publicView(await this.stored(id));
  }

  /** The front end's signing secret, decrypted. Never log it. */
  async signingSecret(frontendId: string): Promise<string> {
    const stored = await this.stored(frontendId);
    if (!stored) throw new AppError('NOT_FOUND', 'No such front end.');
    return decrypt(this.keyring.encryptionKey, stored.secretEnc);
  }

  isOriginAllowed(frontend: Frontend, origin: string): boolean {
    return originAllowed(frontend.allowedOrigins, origin);
  }

  /** For CORS preflights, which carry no front-end key: does any front end allow this origin? */
  async anyFrontendAllowsOrigin(origin: string): Promise<boolean> {
    const all = await this.origins.get('all', async () => new Set(await this.repo.allOrigins()));
    if (all.has(WILDCARD_ORIGIN)) return true;
    const normal = normaliseOrigin(origin);
    return normal !== undefined && all.has(normal);
  }

  /** The demo front end (emulator mode only): the oldest one named `demo`. */
  async demoFrontend(): Promise<Frontend | null> {
    if (!this.connect.emulator) return null;
    return publicView(await this.repo.findOldestByName(DEMO_FRONTEND_NAME));
  }

  /** Called after every write of this process, so a change takes effect here at once. */
  invalidate(): void {
    this.byKey.clear();
    this.byId.clear();
    this.origins.clear();
  }

  private async stored(id: string): Promise<StoredFrontend | null> {
    if (!UUID.test(id)) return null;
    return this.byId.get(id.toLowerCase(), () => this.repo.findById(id));
  }
}

/** Strips the sealed secret: what leaves this module never carries it, even encrypted. */
export function publicView(stored: StoredFrontend | null): Frontend | null {
  if (!stored) return null;
  return {
    id: stored.id,
    name: stored.name,
    publicKey: stored.publicKey,
    allowedOrigins: stored.allowedOrigins,
    connect: stored.connect,
    attributeKeys: stored.attributeKeys,
    retentionDays: stored.retentionDays,
    redaction: stored.redaction,
    createdAt: stored.createdAt,
    updatedAt: stored.updatedAt,
  };
}
