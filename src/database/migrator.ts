import { Worker } from 'node:worker_threads';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { applyMigrations, openSchemaEngine } from './schema-engine.js';

/** Applies pending migrations through the WASM schema engine; returns the names applied. */
export async function migrate(factory: SqlMigrationAwareDriverAdapterFactory): Promise<string[]> {
  const engine = await openSchemaEngine(factory);
  try {
    return await applyMigrations(engine);
  } finally {
    engine.free();
  }
}

/**
 * migrate() on a Postgres URL in a worker thread of its own. Once loaded, the WASM engine's module
 * and memory (≈ 40 MiB) stay referenced by its bindings for the life of the thread that loaded them:
 * a worker takes them away when it ends.
 */
export async function migrateInWorker(url: string): Promise<string[]> {
  const worker = new Worker(new URL('./migrate-worker.js', import.meta.url), { workerData: { url } });
  try {
    return await new Promise<string[]>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the migration worker exited with code ${code}`)));
    });
  } finally {
    // The engine may leave handles open; nothing in the thread is needed once it has answered.
    await worker.terminate();
  }
}
