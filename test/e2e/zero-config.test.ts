import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { until } from '../support/poll.js';
import { spawnGateway } from '../support/spawn-gateway.js';
import type { SpawnedGateway } from '../support/spawn-gateway.js';

// The README's promise: nothing configured at all, a fresh directory, and the gateway answers on :3000.
describe('zero-configuration start', () => {
  let dir: string;
  let gw: SpawnedGateway;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gw-zero-'));
    gw = spawnGateway({}, dir);
  });

  afterAll(async () => {
    await gw.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves /health/ready with 200 on port 3000', async () => {
    const res = await until(async () => {
      const r = await fetch('http://127.0.0.1:3000/health/ready').catch(() => undefined);
      return r?.status === 200 ? r : undefined;
    }, `readiness on :3000 (output so far: ${gw.output().slice(-2000)})`, 45_000, 200);
    const body = (await res.json()) as { status: string; info: Record<string, { status: string }> };
    expect(body.status).toBe('ok');
    expect(body.info.database.status).toBe('up');
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('serves Prometheus text on /metrics with process metrics', async () => {
    const res = await fetch('http://127.0.0.1:3000/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(/^# HELP gateway_process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^# TYPE gateway_process_resident_memory_bytes gauge$/m);
    for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) {
      expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? -?[0-9.e+-]+|NaN|[+-]Inf$/);
    }
  });

  it('keeps its data, generated keys and admin token under ./.data (token file mode 0600, never logged)', () => {
    const tokenFile = path.join(dir, '.data', 'admin-token');
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const token = readFileSync(tokenFile, 'utf8').trim();
    expect(token.length).toBeGreaterThanOrEqual(32);
    expect(gw.output()).toContain(tokenFile);
    expect(gw.output()).not.toContain(token);
    expect(statSync(path.join(dir, '.data', 'pglite')).isDirectory()).toBe(true);
  });

  it('echoes a well-formed x-request-id and replaces a malformed one', async () => {
    const ok = await fetch('http://127.0.0.1:3000/health/live', { headers: { 'x-request-id': 'abc.DEF-123_x' } });
    expect(ok.headers.get('x-request-id')).toBe('abc.DEF-123_x');
    const bad = await fetch('http://127.0.0.1:3000/health/live', { headers: { 'x-request-id': 'has spaces and <html>' } });
    expect(bad.headers.get('x-request-id')).toMatch(/^[A-Za-z0-9._-]{1,128}$/);
    expect(bad.headers.get('x-request-id')).not.toContain('html');
  });

  it('answers unknown routes with the contract error shape', async () => {
    const res = await fetch('http://127.0.0.1:3000/v1/nowhere');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
  });

  it('serves the demo page and OpenAPI docs for the REST API', async () => {
    const page = await fetch('http://127.0.0.1:3000/');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/socket.io/socket.io.min.js');
    const demo = (await (await fetch('http://127.0.0.1:3000/v1/demo/config')).json()) as { publicKey: string };
    expect(demo.publicKey).toMatch(/^pk_/);
    const doc = (await (await fetch('http://127.0.0.1:3000/docs/openapi.json')).json()) as { paths: Record<string, unknown> };
    for (const path of ['/v1/chats', '/v1/chats/{chatId}', '/v1/chats/{chatId}/items', '/v1/chats/{chatId}/messages', '/v1/chats/{chatId}/end',
      '/v1/admin/chats', '/v1/admin/frontends', '/v1/admin/tokens', '/v1/admin/audit', '/health/ready']) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
  });

  it('shuts down cleanly on SIGTERM', async () => {
    expect(await gw.stop('SIGTERM')).toBe(0);
  });
});
