import net from 'node:net';
import { decrypt } from '../../src/common/crypto.js';
import { startEmulator } from '../../src/emulator/emulator-server.js';
import type { RunningEmulator } from '../../src/emulator/emulator-server.js';
import { createTestDatabase } from '../support/test-database.js';
import type { TestDatabase } from '../support/test-database.js';
import { ENCRYPTION_KEY, query, startGatewayProcess } from './gateway-process.js';
import type { GatewayProcess } from './gateway-process.js';

interface Row { name: string; public_key: string; secret_enc: string; allowed_origins: string[]; supported_content_types: string[]; connect_instance_id: string; connect_contact_flow_id: string; connect_region: string }

const ALL_TYPES = ['text/plain', 'text/markdown', 'application/json', 'application/vnd.amazonaws.connect.message.interactive.response'];

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

describe('the demo front end (CONTRACT.md §1)', () => {
  let emulator: RunningEmulator;
  const running: GatewayProcess[] = [];
  const databases: TestDatabase[] = [];

  beforeAll(async () => {
    emulator = await startEmulator({ host: '127.0.0.1', port: 0, logLevel: 'silent' });
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((g) => g.stop()));
    await Promise.all(databases.splice(0).map((d) => d.drop()));
  });
  afterAll(async () => {
    await emulator?.close();
  });

  async function start(env: Record<string, string>, database: TestDatabase): Promise<GatewayProcess> {
    const gw = await startGatewayProcess({ DATABASE_URL: database.url, CONNECT_ENDPOINT: emulator.url, ...env });
    running.push(gw);
    return gw;
  }

  async function fresh(): Promise<TestDatabase> {
    const db = await createTestDatabase();
    databases.push(db);
    return db;
  }

  it('is created exactly once when two emulator-mode gateways start at once on one database; its key is logged, never its secret', async () => {
    const database = await fresh();
    // The database is already migrated. MIGRATE_ON_START=false because the migrator keeps Prisma's
    // session-level migration lock on a pooled connection, so a second migrating process waits until
    // the first exits (reported to the foundation owner).
    const env = { PUBLIC_URL: 'https://chat.example.com', MIGRATE_ON_START: 'false' };
    const [a, b] = await Promise.all([start(env, database), start(env, database)]);

    const rows = await query<Row>(database.url, 'SELECT * FROM frontends');
    expect(rows).toHaveLength(1);
    const demo = rows[0]!;
    expect(demo).toMatchObject({
      name: 'demo',
      public_key: expect.stringMatching(/^pk_/),
      // PORT=0 here: the port is not known before listening, so only PUBLIC_URL's origin is usable.
      allowed_origins: ['https://chat.example.com'],
      supported_content_types: ALL_TYPES,
      connect_instance_id: 'demo-instance',
      connect_contact_flow_id: 'demo-flow',
      connect_region: 'us-east-1',
    });
    const secret = decrypt(Buffer.from(ENCRYPTION_KEY, 'base64'), demo.secret_enc);
    expect(secret).toMatch(/^sk_/);

    const logs = a.output() + b.output();
    const announcements = logs.split('\n').filter((l) => l.includes('demo front end created'));
    expect(announcements).toHaveLength(1);
    expect(announcements[0]).toContain(demo.public_key);
    expect(announcements[0]).toContain('https://chat.example.com/');
    expect(logs).not.toContain(secret);

    for (const gw of [a, b]) {
      const res = await fetch(`${gw.url}/v1/demo/config`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ publicKey: demo.public_key, agentConsoleUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/emulator\/$/) });
    }
  });

  it('allows PUBLIC_URL, http://localhost:PORT and http://127.0.0.1:PORT', async () => {
    const port = await freePort();
    await start({ PORT: String(port), PUBLIC_URL: 'https://Chat.Example.com/support/' }, await fresh());
    const [row] = await query<Row>(databases[0]!.url, 'SELECT * FROM frontends');
    expect(row!.allowed_origins).toEqual(['https://chat.example.com', `http://localhost:${port}`, `http://127.0.0.1:${port}`]);
  });

  it('is not created again when the registry already holds a front end', async () => {
    const database = await fresh();
    await (await start({}, database)).stop();
    running.splice(0);
    await query(database.url, "UPDATE frontends SET name = 'renamed'");
    await start({}, database);
    expect(await query(database.url, 'SELECT name FROM frontends')).toEqual([{ name: 'renamed' }]);
  });

  it('is not created, and /v1/demo/config is 404, when CONNECT_MODE=aws', async () => {
    const database = await fresh();
    const gw = await start({ CONNECT_MODE: 'aws', AWS_REGION: 'us-east-1' }, database);
    expect(await query(database.url, 'SELECT id FROM frontends')).toEqual([]);
    const res = await fetch(`${gw.url}/v1/demo/config`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
    expect(gw.output()).not.toContain('demo front end created');
  });
});
