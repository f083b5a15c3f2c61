import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { spawnGateway } from '../support/spawn-gateway.js';
import type { SpawnedGateway } from '../support/spawn-gateway.js';
import { until } from '../support/poll.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
/** Fixed so tests can decrypt what the gateway stored. */
export const ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');

export interface GatewayProcess {
  url: string;
  /** Everything the process wrote to stdout and stderr (pino JSON lines at LOG_LEVEL=trace). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * The built gateway (dist/main.js) as a child process on port 0 with every log line captured.
 * (The in-process harness cannot load nestjs-pino and @nestjs/throttler, CommonJS packages that
 * require the ESM-only @nestjs/common, under Jest on Node 20.)
 */
export async function startGatewayProcess(env: Record<string, string>): Promise<GatewayProcess> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gw-fe-'));
  const gw: SpawnedGateway = spawnGateway({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dir,
    ADMIN_TOKEN,
    ENCRYPTION_KEY,
    LOG_LEVEL: 'trace',
    NODE_ENV: 'test',
    ...env,
  }, dir);
  try {
    const port = await until(() => /gateway listening on [^:]+:(\d+)/.exec(gw.output())?.[1], `gateway start (output: ${gw.output().slice(-1500)})`, 30_000, 50);
    return {
      url: `http://127.0.0.1:${port}`,
      output: gw.output,
      stop: async () => {
        await gw.stop('SIGTERM');
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await gw.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

export async function query<T = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

export interface Api {
  call(method: string, path: string, body?: unknown, token?: string | null): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export function api(baseUrl: string): Api {
  return {
    async call(method, p, body, token = ADMIN_TOKEN) {
      const headers: Record<string, string> = {};
      if (token !== null) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${baseUrl}${p}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
  };
}
