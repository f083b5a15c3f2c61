import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import 'reflect-metadata';
import { loadConfig } from '../../src/config/app-config.js';
import type { AppConfig } from '../../src/config/app-config.js';
import { startGateway } from '../../src/bootstrap.js';
import type { Gateway } from '../../src/bootstrap.js';
import { startEmulator } from '../../src/emulator/emulator-server.js';
import type { RunningEmulator } from '../../src/emulator/emulator-server.js';
import { createTestDatabase } from './test-database.js';
import type { TestDatabase } from './test-database.js';

export interface TestStack {
  gateway: Gateway;
  emulator: RunningEmulator;
  database: TestDatabase;
  config: AppConfig;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * The real app on port 0 against a fresh Postgres database and a real emulator on port 0, reached only
 * over HTTP and WebSocket (CONNECT_ENDPOINT), exactly as a deployment reaches Connect.
 */
export async function startTestStack(env: Record<string, string> = {}, reuse?: { database?: TestDatabase; emulator?: RunningEmulator; dataDir?: string }): Promise<TestStack> {
  const database = reuse?.database ?? (await createTestDatabase());
  const emulator = reuse?.emulator ?? (await startEmulator({ host: '127.0.0.1', port: 0, logLevel: 'silent' }));
  const dataDir = reuse?.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'gw-test-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: database.url,
    DATA_DIR: dataDir,
    CONNECT_ENDPOINT: emulator.url,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    ADMIN_TOKEN: 'test-admin-token-0123456789',
    ...env,
  });
  const gateway = await startGateway(config);
  return {
    gateway,
    emulator,
    database,
    config,
    dataDir,
    close: async () => {
      await gateway.close();
      if (!reuse?.emulator) await emulator.close();
      if (!reuse?.database) await database.drop();
      if (!reuse?.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
