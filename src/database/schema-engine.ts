import { readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import { wholeScriptFactory } from './driver-adapters.js';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import type * as EngineModule from '@prisma/schema-engine-wasm';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SCHEMA_PATH = path.join(PROJECT_ROOT, 'prisma', 'schema.prisma');
export const MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'prisma', 'migrations');

const NO_FILTERS = { externalTables: [], externalEnums: [] };

/**
 * Loads Prisma's migration engine compiled to WebAssembly. Its package imports the .wasm file as an
 * ES module, which Node 20 and Jest cannot do without flags, so the bytes are instantiated here.
 */
async function loadEngineModule(): Promise<typeof EngineModule> {
  const require = createRequire(import.meta.url);
  const pkgDir = path.dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg'));
  const bindings = await import(pathToFileURL(path.join(pkgDir, 'schema_engine_bg.js')).href);
  const bytes = await readFile(path.join(pkgDir, 'schema_engine_bg.wasm'));
  const { instance } = await wasmRuntime.instantiate(bytes, { './schema_engine_bg.js': bindings });
  bindings.__wbg_set_wasm(instance.exports);
  (instance.exports as { __wbindgen_start?: () => void }).__wbindgen_start?.();
  return bindings;
}

// The ES2023 lib has no WebAssembly typings; Node has the global.
const wasmRuntime = (globalThis as unknown as {
  WebAssembly: { instantiate(b: Uint8Array, i: object): Promise<{ instance: { exports: object } }> };
}).WebAssembly;

let modulePromise: Promise<typeof EngineModule> | undefined;

export async function openSchemaEngine(adapter: SqlMigrationAwareDriverAdapterFactory): Promise<SchemaEngine> {
  modulePromise ??= loadEngineModule();
  const mod = await modulePromise;
  const schema = await readFile(SCHEMA_PATH, 'utf8');
  const quiet = (): void => undefined;
  return mod.SchemaEngine.new(
    { datamodels: [[SCHEMA_PATH, schema]] },
    quiet,
    bindMigrationAwareSqlAdapterFactory(wholeScriptFactory(adapter)),
  );
}

export interface MigrationSource {
  baseDir: string;
  lockfile: { path: string; content: string | null };
  shadowDbInitScript: string;
  migrationDirectories: { path: string; migrationFile: { path: string; content: { tag: 'ok'; value: string } } }[];
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<MigrationSource> {
  const entries = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const migrationDirectories = await Promise.all(
    entries.map(async (name) => ({
      path: name,
      migrationFile: {
        path: 'migration.sql',
        content: { tag: 'ok' as const, value: await readFile(path.join(dir, name, 'migration.sql'), 'utf8') },
      },
    })),
  );
  const lock = await readFile(path.join(dir, 'migration_lock.toml'), 'utf8').catch(() => null);
  return { baseDir: dir, lockfile: { path: 'migration_lock.toml', content: lock }, shadowDbInitScript: '', migrationDirectories };
}

/** Applies pending migrations and records them in `_prisma_migrations`, as `prisma migrate deploy` does. */
export async function applyMigrations(engine: SchemaEngine, dir = MIGRATIONS_DIR): Promise<string[]> {
  const migrationsList = await readMigrations(dir);
  const out = await engine.applyMigrations({ migrationsList, filters: NO_FILTERS });
  return out.appliedMigrationNames;
}

/** SQL that would take an empty database to the schema (the first migration). */
export async function diffEmptyToSchema(engine: SchemaEngine): Promise<string> {
  const schema = await readFile(SCHEMA_PATH, 'utf8');
  return runDiff(engine, { tag: 'empty' }, schema);
}

/** SQL that would take the connected database to the schema; empty when there is no drift. */
export async function diffDatabaseToSchema(engine: SchemaEngine): Promise<string> {
  const schema = await readFile(SCHEMA_PATH, 'utf8');
  const files = [{ path: SCHEMA_PATH, content: schema }];
  return runDiff(engine, { tag: 'schemaDatasource', files, configDir: PROJECT_ROOT }, schema);
}

async function runDiff(engine: SchemaEngine, from: object, schema: string): Promise<string> {
  let sql = '';
  const result = await engine.diff({
    from,
    to: { tag: 'schemaDatamodel', files: [{ path: SCHEMA_PATH, content: schema }] },
    script: true,
    exitCode: null,
    filters: NO_FILTERS,
  } as never);
  sql = (result as { stdout?: string }).stdout ?? '';
  return sql.replace(/^-- This is an empty migration\.\s*$/m, '').trim();
}
