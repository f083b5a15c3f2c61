import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaPGlite } from 'pglite-prisma-adapter';

/** Where the gateway's data lives: a Postgres URL, or an embedded PGlite directory. */
export type DatabaseTarget = { kind: 'postgres'; url: string } | { kind: 'embedded'; dir: string };

export interface OpenedAdapter {
  factory: SqlMigrationAwareDriverAdapterFactory;
  close(): Promise<void>;
  pglite?: PGlite;
  pool?: pg.Pool;
}

export function describeTarget(target: DatabaseTarget): string {
  if (target.kind === 'embedded') return `embedded PGlite in ${target.dir}`;
  const u = new URL(target.url);
  return `postgres ${u.hostname}:${u.port || 5432}${u.pathname}`;
}

export interface PoolTimeouts {
  /** Longest a query may run before the client gives up on it (0: no limit, e.g. for migrations). */
  queryTimeoutMs?: number;
}

export async function openAdapter(target: DatabaseTarget, poolSize = 10, timeouts: PoolTimeouts = {}): Promise<OpenedAdapter> {
  if (target.kind === 'postgres') {
    // A black-holed network path must fail queries rather than hang them: bounded connects, TCP
    // keepalive, and (for the app's pool) a query timeout.
    const pool = new pg.Pool({
      connectionString: target.url,
      max: poolSize,
      connectionTimeoutMillis: 10_000,
      keepAlive: true,
      ...(timeouts.queryTimeoutMs ? { query_timeout: timeouts.queryTimeoutMs } : {}),
    });
    // An idle client's network error must not crash the process; the next query reports it.
    pool.on('error', () => undefined);
    const factory = new PrismaPg(pool);
    return { factory, pool, close: () => pool.end() };
  }
  const dir = path.resolve(target.dir, 'pglite');
  mkdirSync(dir, { recursive: true });
  const pglite = await PGlite.create(dir);
  const factory = new PrismaPGlite(pglite) as unknown as SqlMigrationAwareDriverAdapterFactory;
  return { factory, pglite, close: () => pglite.close() };
}

/**
 * The driver adapters split migration scripts on every `;` (pg) or do not await them (PGlite), which
 * breaks `$$`-quoted function bodies and hides errors. Migrations go through this wrapper, which sends
 * each script whole: Postgres runs multi-statement scripts natively.
 */
export function wholeScriptFactory(inner: SqlMigrationAwareDriverAdapterFactory): SqlMigrationAwareDriverAdapterFactory {
  const wrap = (adapter: SqlDriverAdapter): SqlDriverAdapter => {
    const raw = adapter as unknown as { underlyingDriver?: () => ScriptRunner; client: ScriptRunner };
    const driver = raw.underlyingDriver?.() ?? raw.client;
    adapter.executeScript = async (script: string) => {
      if (typeof driver.exec === 'function') await driver.exec(script);
      else await driver.query(script);
    };
    patchCharColumns(adapter);
    return adapter;
  };
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    connect: async () => wrap(await inner.connect()),
    connectToShadowDb: async () => wrap(await inner.connectToShadowDb()),
  };
}

const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

/**
 * The schema engine's introspection reads catalog columns of Postgres's one-byte `"char"` type, which
 * the pg adapter does not map; they are plain text to the engine.
 */
function patchCharColumns(adapter: SqlDriverAdapter): void {
  const io = adapter as unknown as { performIO?: (q: unknown) => Promise<{ fields: { dataTypeID: number }[] }> };
  const original = io.performIO?.bind(adapter);
  if (!original) return;
  io.performIO = async (query: unknown) => {
    const result = await original(query);
    for (const field of result.fields) if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
    return result;
  };
}

interface ScriptRunner {
  exec?: (sql: string) => Promise<unknown>;
  query: (sql: string) => Promise<unknown>;
}
