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
