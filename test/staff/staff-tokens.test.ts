import pg from 'pg';
import { StaffFixtures, staffClient, startStaffGateway } from '../support/staff-fixtures.js';
import type { StaffFetch, StaffGateway } from '../support/staff-fixtures.js';

describe('staff tokens and roles', () => {
  let stack: StaffGateway;
  let api: StaffFetch;
  let fx: StaffFixtures;
  let frontendA: string;
  let frontendB: string;

  beforeAll(async () => {
    stack = await startStaffGateway();
    api = staffClient(stack.url);
    fx = new StaffFixtures(stack.databaseUrl);
    frontendA = await fx.frontend({ name: 'A' });
    frontendB = await fx.frontend({ name: 'B' });
  });
  afterAll(async () => {
    await fx?.close();
    await stack?.stop();
  });

  it('refuses missing, malformed and unknown tokens with 401 UNAUTHENTICATED', async () => {
    for (const token of [null, '', 'nope', 'test-admin-token-012345678', 'test-admin-token-0123456789x']) {
      const res = await api('/v1/admin/chats', { token });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
    }
    const basic = await api('/v1/admin/chats', { token: null, headers: { authorization: 'Basic dGVzdA==' } });
    expect(basic.status).toBe(401);
  });

  it('creates a token shown once, lists tokens without secrets, and audits both', async () => {
    const created = await api('/v1/admin/tokens', { method: 'POST', body: { name: 'Rita', role: 'reviewer', frontendIds: [frontendA] } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Rita', role: 'reviewer', frontendIds: [frontendA], createdBy: 'staff:bootstrap-admin' });
    expect(created.body.token).toMatch(/^stf_[A-Za-z0-9_-]{43}$/);
    expect(created.body.id).toMatch(/^[0-9a-f-]{36}$/);

    const list = await api('/v1/admin/tokens');
    expect(list.status).toBe(200);
    const listed = list.body.tokens.find((t: { id: string }) => t.id === created.body.id);
    expect(listed).toMatchObject({ name: 'Rita', role: 'reviewer', revokedAt: null });
    expect(list.text).not.toContain(created.body.token);
    expect(list.text).not.toMatch(/hash/i);

    // Only the SHA-256 hash is stored.
    const { rows } = await fx.pool.query(`SELECT token_hash FROM staff_tokens WHERE id = $1`, [created.body.id]);
    expect(rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0].token_hash).not.toContain(created.body.token);

    const audit = await fx.auditEntries({ action: 'token.create' });
    expect(audit.at(-1)).toMatchObject({ actor: 'staff:bootstrap-admin', target: `token:${created.body.id}`, ip: '127.0.0.1' });
    expect(JSON.stringify(audit)).not.toContain(created.body.token);
    expect((await fx.auditEntries({ action: 'token.list' })).length).toBeGreaterThan(0);
  });

  it('lets a reviewer read but not manage, and refuses admin-only routes with 403', async () => {
    const { body } = await api('/v1/admin/tokens', { method: 'POST', body: { name: 'Rev', role: 'reviewer' } });
    const reviewer = body.token as string;
    expect((await api('/v1/admin/chats', { token: reviewer })).status).toBe(200);
    for (const [method, path, payload] of [
      ['GET', '/v1/admin/tokens', undefined],
      ['POST', '/v1/admin/tokens', { name: 'x', role: 'admin' }],
      ['DELETE', `/v1/admin/tokens/${body.id}`, undefined],
      ['GET', '/v1/admin/audit', undefined],
      ['DELETE', '/v1/admin/chats/00000000-0000-4000-8000-000000000000', undefined],
    ] as const) {
      const res = await api(path, { token: reviewer, method, body: payload });
      expect([method, path, res.status, res.body.error.code]).toEqual([method, path, 403, 'FORBIDDEN']);
    }
  });

  it('accepts created admin tokens for admin routes', async () => {
    const { body } = await api('/v1/admin/tokens', { method: 'POST', body: { name: 'Second admin', role: 'admin' } });
    expect((await api('/v1/admin/tokens', { token: body.token })).status).toBe(200);
    expect((await api('/v1/admin/audit', { token: body.token })).status).toBe(200);
  });

  it('keeps admins limited to front ends away from token management and the audit log', async () => {
    const { body } = await api('/v1/admin/tokens', { method: 'POST', body: { name: 'Admin A', role: 'admin', frontendIds: [frontendA] } });
    expect((await api('/v1/admin/tokens', { token: body.token, method: 'POST', body: { name: 'escalate', role: 'admin' } })).status).toBe(403);
    expect((await api('/v1/admin/audit', { token: body.token })).status).toBe(403);
    expect((await api('/v1/admin/chats', { token: body.token })).status).toBe(200);
  });

  it('revokes immediately, idempotently, and audits the revocation', async () => {
    const { body } = await api('/v1/admin/tokens', { method: 'POST', body: { name: 'Temp', role: 'reviewer', frontendIds: [frontendB] } });
    expect((await api('/v1/admin/chats', { token: body.token })).status).toBe(200);
    const revoked = await api(`/v1/admin/tokens/${body.id}`, { method: 'DELETE' });
    expect(revoked.status).toBe(204);
    expect(revoked.text).toBe('');
    const after = await api('/v1/admin/chats', { token: body.token });
    expect(after.status).toBe(401);
    expect((await api(`/v1/admin/tokens/${body.id}`, { method: 'DELETE' })).status).toBe(204);
    const list = await api('/v1/admin/tokens');
    expect(list.body.tokens.find((t: { id: string }) => t.id === body.id).revokedAt).toEqual(expect.any(String));
    expect((await fx.auditEntries({ action: 'token.revoke' })).map((e) => e.target)).toContain(`token:${body.id}`);
    expect((await api('/v1/admin/tokens/00000000-0000-4000-8000-000000000000', { method: 'DELETE' })).status).toBe(404);
    expect((await api('/v1/admin/tokens/not-a-uuid', { method: 'DELETE' })).status).toBe(400);
  });

  it('records when a token was last used', async () => {
    const { body } = await api('/v1/admin/tokens', { method: 'POST', body: { name: 'Used', role: 'reviewer' } });
    await api('/v1/admin/chats', { token: body.token });
    const client = new pg.Client(stack.databaseUrl);
    await client.connect();
    try {
      for (let i = 0; i < 40; i++) {
        const { rows } = await client.query(`SELECT last_used_at FROM staff_tokens WHERE id = $1`, [body.id]);
        if (rows[0].last_used_at) return;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error('last_used_at was never set');
    } finally {
      await client.end();
    }
  });

  it('validates token bodies with field details', async () => {
    const cases: [unknown, string][] = [
      [{}, 'name'],
      [{ name: '', role: 'reviewer' }, 'name'],
      [{ name: '   ', role: 'reviewer' }, 'name'],
      [{ name: 'x'.repeat(129), role: 'reviewer' }, 'name'],
      [{ name: 'x', role: 'owner' }, 'role'],
      [{ name: 'x', role: 'reviewer', frontendIds: 'abc' }, 'frontendIds'],
      [{ name: 'x', role: 'reviewer', frontendIds: ['abc'] }, 'frontendIds[0]'],
      [{ name: 'x', role: 'reviewer', extra: true }, 'extra'],
      [[1, 2], 'body'],
    ];
    for (const [body, field] of cases) {
      const res = await api('/v1/admin/tokens', { method: 'POST', body });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    const notJson = await fetch(`${stack.url}/v1/admin/tokens`, {
      method: 'POST', headers: { authorization: 'Bearer test-admin-token-0123456789', 'content-type': 'application/json' }, body: '{',
    });
    expect(notJson.status).toBe(400);
  });
});
