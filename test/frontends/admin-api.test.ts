import { decrypt } from '../../src/common/crypto.js';
import { startEmulator } from '../../src/emulator/emulator-server.js';
import type { RunningEmulator } from '../../src/emulator/emulator-server.js';
import { createTestDatabase } from '../support/test-database.js';
import type { TestDatabase } from '../support/test-database.js';
import { ENCRYPTION_KEY, api, query, startGatewayProcess } from './gateway-process.js';
import type { Api, GatewayProcess } from './gateway-process.js';

const KEY = Buffer.from(ENCRYPTION_KEY, 'base64');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const shop = {
  name: 'Shop',
  allowedOrigins: ['HTTPS://Shop.Example.com:443', 'http://localhost:5173'],
  connect: { instanceId: 'inst-1', contactFlowId: 'flow-1', region: 'eu-west-2', supportedContentTypes: ['text/markdown'] },
  attributeKeys: ['orderId'],
  retentionDays: 90,
};

describe('admin front-end API', () => {
  let database: TestDatabase;
  let emulator: RunningEmulator;
  let gw: GatewayProcess;
  let admin: Api;
  /** Every secret the API handed out: none may appear in a log line, a list, the database in plain, or the audit trail. */
  const secrets: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    emulator = await startEmulator({ host: '127.0.0.1', port: 0, logLevel: 'silent' });
    gw = await startGatewayProcess({ DATABASE_URL: database.url, CONNECT_ENDPOINT: emulator.url });
    admin = api(gw.url);
  });

  afterAll(async () => {
    await gw?.stop();
    await emulator?.close();
    await database?.drop();
  });

  async function create(body: unknown = shop): Promise<{ id: string; secret: string; publicKey: string }> {
    const res = await admin.call('POST', '/v1/admin/frontends', body);
    expect(res.status).toBe(201);
    secrets.push(res.body.secret);
    return res.body;
  }

  it('creates a front end and shows its secret once', async () => {
    const res = await admin.call('POST', '/v1/admin/frontends', shop);
    expect(res.status).toBe(201);
    secrets.push(res.body.secret);
    expect(res.body).toEqual({
      id: expect.stringMatching(UUID),
      name: 'Shop',
      publicKey: expect.stringMatching(/^pk_[A-Za-z0-9_-]{20,}$/),
      secret: expect.stringMatching(/^sk_[A-Za-z0-9_-]{32,}$/),
      allowedOrigins: ['https://shop.example.com', 'http://localhost:5173'],
      connect: { instanceId: 'inst-1', contactFlowId: 'flow-1', region: 'eu-west-2', supportedContentTypes: ['text/plain', 'text/markdown'] },
      attributeKeys: ['orderId'],
      retentionDays: 90,
      redaction: null,
      createdAt: expect.stringMatching(ISO),
      updatedAt: expect.stringMatching(ISO),
    });

    const one = await admin.call('GET', `/v1/admin/frontends/${res.body.id}`);
    expect(one.status).toBe(200);
    const withoutSecret = { ...res.body };
    delete withoutSecret.secret;
    expect(one.body).toEqual(withoutSecret);
    expect(one.body).not.toHaveProperty('secret');

    const list = await admin.call('GET', '/v1/admin/frontends');
    expect(list.status).toBe(200);
    expect(list.body.frontends.map((f: { name: string }) => f.name)).toEqual(['demo', 'Shop']);
    for (const f of list.body.frontends) expect(Object.keys(f)).not.toEqual(expect.arrayContaining(['secret', 'secretEnc']));
    expect(JSON.stringify(list.body)).not.toContain(res.body.secret);
  });

  it('fills defaults: text/plain only, no attribute keys, kept forever, no redaction', async () => {
    const f = await create({ name: 'Minimal', allowedOrigins: [], connect: { instanceId: 'i', contactFlowId: 'f', region: 'us-east-1' } });
    const got = await admin.call('GET', `/v1/admin/frontends/${f.id}`);
    expect(got.body).toMatchObject({ allowedOrigins: [], attributeKeys: [], retentionDays: null, redaction: null, connect: { supportedContentTypes: ['text/plain'] } });
  });

  it('stores the secret encrypted (AES-256-GCM), never in plain', async () => {
    const f = await create();
    const [row] = await query<{ secret_enc: string }>(database.url, 'SELECT secret_enc FROM frontends WHERE id = $1', [f.id]);
    expect(row!.secret_enc).toMatch(/^v1\./);
    expect(row!.secret_enc).not.toContain(f.secret);
    expect(decrypt(KEY, row!.secret_enc)).toBe(f.secret);
  });

  it('patches only the fields given, connect fields one by one', async () => {
    const f = await create();
    const before = (await admin.call('GET', `/v1/admin/frontends/${f.id}`)).body;
    const res = await admin.call('PATCH', `/v1/admin/frontends/${f.id}`, { connect: { region: 'us-west-2' }, retentionDays: null });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      ...before,
      connect: { ...before.connect, region: 'us-west-2' },
      retentionDays: null,
      updatedAt: expect.stringMatching(ISO),
    });
    expect(res.body).not.toHaveProperty('secret');

    const more = await admin.call('PATCH', `/v1/admin/frontends/${f.id}`, {
      name: 'Shop EU',
      allowedOrigins: ['https://eu.shop.example.com', '*'],
      attributeKeys: ['orderId', 'tier'],
      connect: { instanceId: 'inst-2', contactFlowId: 'flow-2', supportedContentTypes: ['application/json'] },
      redaction: { enabled: true, detectors: ['card', 'email'], patterns: [{ name: 'order', regex: 'A-\\d{4}' }] },
      retentionDays: 30,
    });
    expect(more.status).toBe(200);
    expect(more.body).toMatchObject({
      name: 'Shop EU',
      allowedOrigins: ['https://eu.shop.example.com', '*'],
      attributeKeys: ['orderId', 'tier'],
      connect: { instanceId: 'inst-2', contactFlowId: 'flow-2', region: 'us-west-2', supportedContentTypes: ['text/plain', 'application/json'] },
      redaction: { enabled: true, detectors: ['card', 'email'], patterns: [{ name: 'order', regex: 'A-\\d{4}' }] },
      retentionDays: 30,
    });
    const cleared = await admin.call('PATCH', `/v1/admin/frontends/${f.id}`, { redaction: null });
    expect(cleared.body.redaction).toBeNull();
    expect((await admin.call('GET', `/v1/admin/frontends/${f.id}`)).body).toEqual(cleared.body);

    const same = await admin.call('PATCH', `/v1/admin/frontends/${f.id}`, {});
    expect(same.status).toBe(200);
    expect(same.body).toEqual(cleared.body);
  });

  it('rotates the secret: a new one shown once, the old one gone', async () => {
    const f = await create();
    const res = await admin.call('POST', `/v1/admin/frontends/${f.id}/rotate-secret`);
    expect(res.status).toBe(200);
    secrets.push(res.body.secret);
    expect(res.body.secret).toMatch(/^sk_/);
    expect(res.body.secret).not.toBe(f.secret);
    expect(res.body).toMatchObject({ id: f.id, publicKey: f.publicKey });
    const [row] = await query<{ secret_enc: string }>(database.url, 'SELECT secret_enc FROM frontends WHERE id = $1', [f.id]);
    expect(decrypt(KEY, row!.secret_enc)).toBe(res.body.secret);
    expect((await admin.call('GET', `/v1/admin/frontends/${f.id}`)).body).not.toHaveProperty('secret');
  });

  it('answers 404 for an unknown or malformed id', async () => {
    for (const id of ['6f1c1d1e-0000-4000-8000-000000000000', 'not-a-uuid', '1']) {
      for (const [method, suffix, body] of [['GET', '', undefined], ['PATCH', '', { name: 'x' }], ['POST', '/rotate-secret', undefined]] as const) {
        const res = await admin.call(method, `/v1/admin/frontends/${id}${suffix}`, body);
        expect([method, id, res.status, res.body.error.code]).toEqual([method, id, 404, 'NOT_FOUND']);
      }
    }
  });

  it('refuses bad input with VALIDATION_FAILED and the failing fields, changing nothing', async () => {
    const count = async () => (await query<{ n: number }>(database.url, 'SELECT count(*)::int AS n FROM frontends'))[0]!.n;
    const before = await count();
    const cases: [unknown, string[]][] = [
      [{}, ['name', 'allowedOrigins', 'connect']],
      [[], ['body']],
      [{ ...shop, name: '' }, ['name']],
      [{ ...shop, name: 'x'.repeat(101) }, ['name']],
      [{ ...shop, allowedOrigins: ['https://shop.example.com/'] }, ['allowedOrigins[0]']],
      [{ ...shop, allowedOrigins: ['https://shop.example.com/path?q=1'] }, ['allowedOrigins[0]']],
      [{ ...shop, allowedOrigins: ['shop.example.com'] }, ['allowedOrigins[0]']],
      [{ ...shop, connect: { ...shop.connect, instanceId: '' } }, ['connect.instanceId']],
      [{ ...shop, connect: { ...shop.connect, contactFlowId: 'f'.repeat(257) } }, ['connect.contactFlowId']],
      [{ ...shop, connect: { ...shop.connect, region: 'Europe' } }, ['connect.region']],
      [{ ...shop, connect: { ...shop.connect, supportedContentTypes: ['text/html'] } }, ['connect.supportedContentTypes[0]']],
      [{ ...shop, attributeKeys: ['bad key'] }, ['attributeKeys[0]']],
      [{ ...shop, attributeKeys: ['gatewayFrontendId', 'gatewayCustomerId'] }, ['attributeKeys[0]', 'attributeKeys[1]']],
      [{ ...shop, retentionDays: 0 }, ['retentionDays']],
      [{ ...shop, retentionDays: 36501 }, ['retentionDays']],
      [{ ...shop, redaction: { enabled: true, detectors: ['ssn'] } }, ['redaction.detectors[0]']],
      [{ ...shop, secret: 'sk_mine' }, ['secret']],
    ];
    for (const [body, fields] of cases) {
      const res = await admin.call('POST', '/v1/admin/frontends', body);
      expect(res.status).toBe(400);
      expect(res.body.error).toEqual({ code: 'VALIDATION_FAILED', message: expect.any(String), details: expect.any(Array) });
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(fields);
    }
    const badJson = await admin.call('POST', '/v1/admin/frontends', '{"name":');
    expect([badJson.status, badJson.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(await count()).toBe(before);

    const f = await create();
    const stored = (await admin.call('GET', `/v1/admin/frontends/${f.id}`)).body;
    for (const body of [{ name: '' }, { connect: { region: 'nowhere' } }, { publicKey: 'pk_mine' }, { retentionDays: -1 }, { allowedOrigins: ['ftp:/x'] }]) {
      const res = await admin.call('PATCH', `/v1/admin/frontends/${f.id}`, body);
      expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    }
    expect((await admin.call('GET', `/v1/admin/frontends/${f.id}`)).body).toEqual(stored);
  });

  it('needs a staff token (401) with the admin role (403)', async () => {
    const f = await create();
    const routes: [string, string, unknown][] = [
      ['POST', '/v1/admin/frontends', shop],
      ['GET', '/v1/admin/frontends', undefined],
      ['GET', `/v1/admin/frontends/${f.id}`, undefined],
      ['PATCH', `/v1/admin/frontends/${f.id}`, { name: 'Hijacked' }],
      ['POST', `/v1/admin/frontends/${f.id}/rotate-secret`, undefined],
    ];
    const reviewer = await admin.call('POST', '/v1/admin/tokens', { name: 'reviewer', role: 'reviewer' });
    expect(reviewer.status).toBe(201);
    for (const [method, path, body] of routes) {
      for (const token of [null, 'wrong-token-0123456789', '']) {
        const res = await admin.call(method, path, body, token);
        expect([method, path, res.status, res.body.error.code]).toEqual([method, path, 401, 'UNAUTHENTICATED']);
      }
      const res = await admin.call(method, path, body, reviewer.body.token);
      expect([method, path, res.status, res.body.error.code]).toEqual([method, path, 403, 'FORBIDDEN']);
    }
    expect((await admin.call('GET', `/v1/admin/frontends/${f.id}`)).body.name).toBe('Shop');
  });

  it('limits an admin token scoped to some front ends to those (others 404, no creating)', async () => {
    const mine = await create({ ...shop, name: 'Mine' });
    const other = await create({ ...shop, name: 'Other' });
    const scoped = await admin.call('POST', '/v1/admin/tokens', { name: 'scoped admin', role: 'admin', frontendIds: [mine.id] });
    expect(scoped.status).toBe(201);
    const token = scoped.body.token as string;
    const list = await admin.call('GET', '/v1/admin/frontends', undefined, token);
    expect(list.body.frontends.map((f: { id: string }) => f.id)).toEqual([mine.id]);
    expect((await admin.call('GET', `/v1/admin/frontends/${mine.id}`, undefined, token)).status).toBe(200);
    expect((await admin.call('PATCH', `/v1/admin/frontends/${mine.id}`, { name: 'Mine 2' }, token)).status).toBe(200);
    for (const [method, path, body] of [['GET', '', undefined], ['PATCH', '', { name: 'x' }], ['POST', '/rotate-secret', undefined]] as const) {
      const res = await admin.call(method, `/v1/admin/frontends/${other.id}${path}`, body, token);
      expect([method, res.status, res.body.error.code]).toEqual([method, 404, 'NOT_FOUND']);
    }
    const created = await admin.call('POST', '/v1/admin/frontends', shop, token);
    expect([created.status, created.body.error.code]).toEqual([403, 'FORBIDDEN']);
    expect((await admin.call('GET', `/v1/admin/frontends/${other.id}`)).body.name).toBe('Other');
  });

  it('audits every change with the fields changed, never the secret', async () => {
    const f = await create();
    await admin.call('PATCH', `/v1/admin/frontends/${f.id}`, { name: 'Renamed', connect: { region: 'ap-south-1' }, retentionDays: 90 });
    const rotated = await admin.call('POST', `/v1/admin/frontends/${f.id}/rotate-secret`);
    secrets.push(rotated.body.secret);
    const entries = await query<{ actor: string; action: string; target: string; frontend_id: string; ip: string; details: unknown }>(
      database.url, 'SELECT actor, action, target, frontend_id, ip, details FROM audit_entries WHERE frontend_id = $1 ORDER BY id', [f.id]);
    expect(entries).toEqual([
      { actor: 'staff:bootstrap-admin', action: 'frontend.create', target: `frontend:${f.id}`, frontend_id: f.id, ip: '127.0.0.1', details: { name: 'Shop' } },
      { actor: 'staff:bootstrap-admin', action: 'frontend.update', target: `frontend:${f.id}`, frontend_id: f.id, ip: '127.0.0.1', details: { changed: ['name', 'connect.region'] } },
      { actor: 'staff:bootstrap-admin', action: 'frontend.rotate_secret', target: `frontend:${f.id}`, frontend_id: f.id, ip: '127.0.0.1', details: null },
    ]);
    const viaApi = await admin.call('GET', '/v1/admin/audit?action=frontend.rotate_secret');
    expect(viaApi.body.entries.map((e: { target: string }) => e.target)).toContain(`frontend:${f.id}`);
  });

  it('never lets a secret reach a log line, the audit trail or a plain database column', async () => {
    expect(secrets.length).toBeGreaterThan(5);
    const dump = JSON.stringify(await query(database.url, 'SELECT * FROM frontends')) + JSON.stringify(await query(database.url, 'SELECT * FROM audit_entries'));
    const logs = gw.output();
    expect(logs).toMatch(/frontends/i);
    for (const secret of secrets) {
      expect(dump).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
  });
});
