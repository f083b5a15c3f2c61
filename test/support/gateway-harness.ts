import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmulator } from '../../src/emulator/emulator-server.js';
import type { RunningEmulator } from '../../src/emulator/emulator-server.js';
import { until } from './poll.js';
import { spawnGateway } from './spawn-gateway.js';
import type { SpawnedGateway } from './spawn-gateway.js';
import { createTestDatabase } from './test-database.js';
import type { TestDatabase } from './test-database.js';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';
/** Fixed so tests can decrypt what the gateway stored. */
export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');

export interface GatewayProcess {
  url: string;
  pid: number;
  /** Everything the process wrote (pino JSON lines). */
  output(): string;
  /** SIGTERM (graceful) or SIGKILL; resolves when the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<number | string | null>;
}

export interface TestStack {
  gateway: GatewayProcess;
  emulator: RunningEmulator;
  database: TestDatabase;
  dataDir: string;
  env: Record<string, string>;
  /** Another gateway process on the same database, emulator and keys (restart, failover, scale-out). */
  spawnAnother(extraEnv?: Record<string, string>): Promise<GatewayProcess>;
  close(): Promise<void>;
}

/**
 * The real app (the built dist/main.js, a child process on port 0) against a fresh Postgres database
 * and a real emulator on port 0 in the test process, reached only over HTTP and WebSocket
 * (CONNECT_ENDPOINT), exactly as a deployment reaches Connect. A child process because nestjs-pino and
 * @nestjs/throttler are CommonJS packages requiring the ESM-only @nestjs/common, which Jest on Node 20
 * cannot load.
 */
export async function startTestStack(env: Record<string, string> = {}): Promise<TestStack> {
  const database = await createTestDatabase();
  const emulator = await startEmulator({ host: '127.0.0.1', port: 0, logLevel: 'silent' });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gw-test-'));
  const fullEnv: Record<string, string> = {
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: database.url,
    DATA_DIR: dataDir,
    CONNECT_ENDPOINT: emulator.url,
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    SESSION_SECRET: 'test-session-secret-0123456789-abcdefghij',
    LOG_LEVEL: process.env.GW_TEST_LOG_LEVEL ?? 'info',
    NODE_ENV: 'test',
    // Tests start many chats from 127.0.0.1; the rate-limit tests set their own values.
    CHAT_STARTS_PER_MINUTE_PER_IP: '100000',
    CHAT_STARTS_PER_MINUTE_PER_FRONTEND: '100000',
    ...env,
  };
  const processes: GatewayProcess[] = [];
  const launch = async (extra: Record<string, string> = {}): Promise<GatewayProcess> => {
    const gw = await launchGateway({ ...fullEnv, ...extra }, dataDir);
    processes.push(gw);
    return gw;
  };
  let gateway: GatewayProcess;
  try {
    gateway = await launch();
  } catch (err) {
    await emulator.close();
    await database.drop();
    throw err;
  }
  return {
    gateway,
    emulator,
    database,
    dataDir,
    env: fullEnv,
    spawnAnother: launch,
    close: async () => {
      await Promise.all(processes.map((p) => p.stop('SIGTERM')));
      await emulator.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchGateway(env: Record<string, string>, cwd: string): Promise<GatewayProcess> {
  const gw: SpawnedGateway = spawnGateway(env, cwd);
  try {
    const port = await until(() => /gateway listening on [^:]+:(\d+)/.exec(gw.output())?.[1],
      `gateway start (output: ${gw.output().slice(-1500)})`, 30_000, 50);
    return { url: `http://127.0.0.1:${port}`, pid: gw.child.pid!, output: gw.output, stop: (signal = 'SIGTERM') => gw.stop(signal) };
  } catch (err) {
    await gw.stop('SIGKILL');
    throw err;
  }
}
