import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Module } from '@nestjs/common';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuditModule } from '../../src/audit/audit.module.js';
import { AuthModule } from '../../src/auth/auth.module.js';
import { loadKeyring } from '../../src/auth/keyring.js';
import type { StaffPrincipal } from '../../src/auth/staff-principal.js';
import { AppError } from '../../src/common/app-error.js';
import { loadConfig } from '../../src/config/app-config.js';
import { ConfigModule } from '../../src/config/config.module.js';
import { DatabaseModule } from '../../src/database/database.module.js';
import { openAdapter } from '../../src/database/driver-adapters.js';
import { FrontendAdminService } from '../../src/frontends/frontend-admin.service.js';
import type { FrontendSettings } from '../../src/frontends/frontend.js';
import { FrontendsRepository } from '../../src/frontends/frontends.repository.js';
import { FRONTEND_CACHE_MS, FrontendsService } from '../../src/frontends/frontends.service.js';
import { FrontendsModule } from '../../src/frontends/frontends.module.js';
import { until } from '../support/poll.js';
import { createTestDatabase } from '../support/test-database.js';
import type { TestDatabase } from '../support/test-database.js';
import { query } from './gateway-process.js';

const ADMIN: StaffPrincipal = { id: 'bootstrap-admin', name: 'admin', role: 'admin', frontendIds: null };

function settings(over: Partial<FrontendSettings> = {}): FrontendSettings {
  return {
    name: 'Shop',
    allowedOrigins: ['https://shop.example.com'],
    connect: { instanceId: 'i', contactFlowId: 'f', region: 'us-east-1', supportedContentTypes: ['text/plain'] },
    attributeKeys: [],
    retentionDays: null,
    redaction: null,
    ...over,
  };
}

/** The registry in-process (FrontendsModule with its real dependencies, no HTTP), on its own pool. */
async function registry(database: TestDatabase, emulator: boolean): Promise<INestApplicationContext & { dataDir: string }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gw-fe-svc-'));
  const config = loadConfig({ DATABASE_URL: database.url, DATA_DIR: dataDir, ADMIN_TOKEN: 'test-admin-token-0123456789', ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'), PORT: '3999' });
  const opened = await openAdapter({ kind: 'postgres', url: database.url }, 4);
  @Module({
    imports: [
      ConfigModule.forRoot(config, loadKeyring(config.security), { endpoint: 'http://127.0.0.1:9', emulator }),
      DatabaseModule.forRoot(opened),
      AuditModule,
      AuthModule,
      FrontendsModule,
    ],
  })
  class RegistryTestModule {}
  const ctx = await NestFactory.createApplicationContext(RegistryTestModule, { logger: false, abortOnError: false });
  return Object.assign(ctx, { dataDir });
}

describe('FrontendsService (what the chat code calls)', () => {
  let database: TestDatabase;
  let ctx: INestApplicationContext & { dataDir: string };
  let svc: FrontendsService;
  let admin: FrontendAdminService;

  beforeAll(async () => {
    database = await createTestDatabase();
    ctx = await registry(database, false);
    svc = ctx.get(FrontendsService);
    admin = ctx.get(FrontendAdminService);
  });

  afterAll(async () => {
    await ctx?.close();
    if (ctx) rmSync(ctx.dataDir, { recursive: true, force: true });
    await database?.drop();
  });

  it('finds a front end by public key and by id, without its sealed secret', async () => {
    const { frontend } = await admin.create(ADMIN, undefined, settings());
    const byKey = await svc.findByPublicKey(frontend.publicKey);
    expect(byKey).toEqual(frontend);
    expect(byKey).not.toHaveProperty('secretEnc');
    expect(await svc.findById(frontend.id)).toEqual(frontend);
    expect(await svc.findById(frontend.id.toUpperCase())).toEqual(frontend);
    expect(await svc.findByPublicKey('pk_unknown')).toBeNull();
    expect(await svc.findByPublicKey('sk_nope')).toBeNull();
    expect(await svc.findById('6f1c1d1e-0000-4000-8000-000000000000')).toBeNull();
    expect(await svc.findById('not-a-uuid')).toBeNull();
  });

  it('signingSecret is the decrypted secret; a rotation replaces it at once in this process', async () => {
    const { frontend, secret } = await admin.create(ADMIN, undefined, settings());
    expect(await svc.signingSecret(frontend.id)).toBe(secret);
    const rotated = await admin.rotateSecret(ADMIN, undefined, frontend.id);
    expect(rotated.secret).not.toBe(secret);
    expect(await svc.signingSecret(frontend.id)).toBe(rotated.secret);
    await expect(svc.signingSecret('6f1c1d1e-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(svc.signingSecret('bad')).rejects.toBeInstanceOf(AppError);
  });

  it('a PATCH takes effect at once here; another process\'s write within the cache time', async () => {
    const { frontend } = await admin.create(ADMIN, undefined, settings());
    expect((await svc.findByPublicKey(frontend.publicKey))!.connect.region).toBe('us-east-1');
    await admin.update(ADMIN, undefined, frontend.id, { connect: { region: 'eu-west-1' }, allowedOrigins: ['https://new.example.com'] });
    const patched = (await svc.findByPublicKey(frontend.publicKey))!;
    expect(patched.connect).toEqual({ instanceId: 'i', contactFlowId: 'f', region: 'eu-west-1', supportedContentTypes: ['text/plain'] });
    expect(svc.isOriginAllowed(patched, 'https://new.example.com')).toBe(true);
    expect(svc.isOriginAllowed(patched, 'https://shop.example.com')).toBe(false);

    // Another process's write (straight to the database): served from cache for a moment, then seen.
    expect((await svc.findById(frontend.id))!.name).toBe('Shop');
    await query(database.url, "UPDATE frontends SET name = 'Elsewhere' WHERE id = $1", [frontend.id]);
    expect((await svc.findById(frontend.id))!.name).toBe('Shop');
    const started = Date.now();
    await until(async () => (await svc.findById(frontend.id))!.name === 'Elsewhere', 'the cached front end to expire', FRONTEND_CACHE_MS + 2000, 100);
    expect(Date.now() - started).toBeLessThanOrEqual(FRONTEND_CACHE_MS + 1000);
  });

  it('isOriginAllowed: exact after normalisation, or *', async () => {
    const { frontend } = await admin.create(ADMIN, undefined, settings({ allowedOrigins: ['https://shop.example.com', 'http://localhost:3000'] }));
    expect(svc.isOriginAllowed(frontend, 'https://shop.example.com')).toBe(true);
    expect(svc.isOriginAllowed(frontend, 'HTTPS://SHOP.EXAMPLE.COM:443')).toBe(true);
    expect(svc.isOriginAllowed(frontend, 'http://localhost:3000')).toBe(true);
    for (const o of ['http://shop.example.com', 'https://shop.example.com.evil.io', 'https://x.shop.example.com', 'http://localhost:3001', 'null', '']) {
      expect([o, svc.isOriginAllowed(frontend, o)]).toEqual([o, false]);
    }
    const open = { ...frontend, allowedOrigins: ['*'] };
    expect(svc.isOriginAllowed(open, 'https://anyone.example')).toBe(true);
    expect(svc.isOriginAllowed(open, 'null')).toBe(true);
  });

  it('anyFrontendAllowsOrigin answers for every front end and sees this process\'s writes at once', async () => {
    expect(await svc.anyFrontendAllowsOrigin('https://shop.example.com')).toBe(true);
    expect(await svc.anyFrontendAllowsOrigin('https://fresh.example.org')).toBe(false);
    const { frontend } = await admin.create(ADMIN, undefined, settings({ allowedOrigins: ['https://fresh.example.org'] }));
    expect(await svc.anyFrontendAllowsOrigin('HTTPS://fresh.example.org')).toBe(true);
    await admin.update(ADMIN, undefined, frontend.id, { allowedOrigins: [] });
    expect(await svc.anyFrontendAllowsOrigin('https://fresh.example.org')).toBe(false);
    expect(await svc.anyFrontendAllowsOrigin('not an origin')).toBe(false);
    await admin.create(ADMIN, undefined, settings({ allowedOrigins: ['*'] }));
    expect(await svc.anyFrontendAllowsOrigin('https://anyone.example')).toBe(true);
  });

  it('demoFrontend is null outside emulator mode', async () => {
    expect(await svc.demoFrontend()).toBeNull();
  });
});

describe('seeding the demo front end', () => {
  it('creates exactly one front end however many processes race for an empty registry', async () => {
    const database = await createTestDatabase();
    const contexts = await Promise.all([registry(database, false), registry(database, false), registry(database, false)]);
    try {
      const repos = contexts.map((c) => c.get(FrontendsRepository));
      const attempts = await Promise.all(repos.flatMap((repo, i) => Array.from({ length: 4 }, (_, j) => repo.createIfNoneExist(settings({ name: `racer-${i}-${j}` }), `pk_race_${i}_${j}`, 'v1.x.y.z'))));
      expect(attempts.filter((a) => a !== null)).toHaveLength(1);
      expect(await query(database.url, 'SELECT count(*)::int AS n FROM frontends')).toEqual([{ n: 1 }]);
    } finally {
      for (const c of contexts) {
        await c.close();
        rmSync(c.dataDir, { recursive: true, force: true });
      }
      await database.drop();
    }
  });
});
