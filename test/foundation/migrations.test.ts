import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openAdapter } from '../../src/database/driver-adapters.js';
import type { OpenedAdapter } from '../../src/database/driver-adapters.js';
import { migrate } from '../../src/database/migrator.js';
import { diffDatabaseToSchema, MIGRATIONS_DIR, openSchemaEngine } from '../../src/database/schema-engine.js';
import { StaffFixtures } from '../support/staff-fixtures.js';
import { createEmptyDatabase } from '../support/test-database.js';
import type { TestDatabase } from '../support/test-database.js';

const ALL_MIGRATIONS = readdirSync(MIGRATIONS_DIR, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();

describe('migrations on the machine Postgres', () => {
  let db: TestDatabase;
  let opened: OpenedAdapter;
  beforeAll(async () => {
    db = await createEmptyDatabase();
    opened = await openAdapter({ kind: 'postgres', url: db.url }, 2);
  });
  afterAll(async () => {
    await opened.close();
    await db.drop();
  });

  it('apply to an empty database, then are up to date', async () => {
    const applied = await migrate(opened.factory);
    expect(applied).toEqual(ALL_MIGRATIONS);
    expect(applied.slice(0, 2)).toEqual(['20261126080000_init', '20261126080100_audit_append_only']);
    expect(await migrate(opened.factory)).toEqual([]);
    const client = new pg.Client(db.url);
    await client.connect();
    const { rows } = await client.query(`SELECT migration_name, finished_at FROM _prisma_migrations ORDER BY migration_name`);
    await client.end();
    expect(rows.map((r: { migration_name: string }) => r.migration_name)).toEqual(applied);
    expect(rows.every((r: { finished_at: Date | null }) => r.finished_at !== null)).toBe(true);
  });

  it('leave no drift from schema.prisma', async () => {
    const engine = await openSchemaEngine(opened.factory);
    try {
      expect(await diffDatabaseToSchema(engine)).toBe('');
    } finally {
      engine.free();
    }
  });

  it('detect drift when the database differs', async () => {
    const client = new pg.Client(db.url);
    await client.connect();
    await client.query('ALTER TABLE chats ADD COLUMN stray_column TEXT');
    try {
      const engine = await openSchemaEngine(opened.factory);
      const sql = await diffDatabaseToSchema(engine);
      engine.free();
      expect(sql).toContain('stray_column');
    } finally {
      await client.query('ALTER TABLE chats DROP COLUMN stray_column');
      await client.end();
    }
  });

  it('keep client message ids unique per chat, indexing only the items that carry one', async () => {
    const client = new pg.Client(db.url);
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT indexdef FROM pg_indexes WHERE indexname = 'chat_items_chat_id_client_message_id_key'`);
      expect(rows[0].indexdef).toMatch(/UNIQUE INDEX .*\(chat_id, client_message_id\) WHERE \(client_message_id IS NOT NULL\)/);
      const fixtures = new StaffFixtures(db.url);
      const chatId = await fixtures.chat({ frontendId: await fixtures.frontend(), status: 'active' });
      await fixtures.close();
      const item = (seq: number, connectId: string, clientMessageId: string | null) => client.query(
        `INSERT INTO chat_items (chat_id, seq, connect_item_id, type, absolute_time, client_message_id) VALUES ($1, $2, $3, 'MESSAGE', now(), $4)`,
        [chatId, seq, connectId, clientMessageId]);
      await item(1, 'a', null);
      await item(2, 'b', null);
      await item(3, 'c', 'm-1');
      await expect(item(4, 'd', 'm-1')).rejects.toThrow(/chat_items_chat_id_client_message_id_key/);
    } finally {
      await client.end();
    }
  });

  it('make audit entries append-only at the database level', async () => {
    const client = new pg.Client(db.url);
    await client.connect();
    try {
      await client.query(`INSERT INTO audit_entries (actor, action) VALUES ('test', 'probe')`);
      await expect(client.query(`UPDATE audit_entries SET actor = 'x'`)).rejects.toThrow(/append-only/);
      await expect(client.query(`DELETE FROM audit_entries`)).rejects.toThrow(/append-only/);
      await expect(client.query(`TRUNCATE audit_entries`)).rejects.toThrow(/append-only/);
      const { rows } = await client.query(`SELECT actor FROM audit_entries`);
      expect(rows).toEqual([{ actor: 'test' }]);
    } finally {
      await client.end();
    }
  });
});

describe('migrations on embedded PGlite', () => {
  it('apply to a fresh data directory', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gw-pglite-'));
    const opened = await openAdapter({ kind: 'embedded', dir });
    try {
      expect(await migrate(opened.factory)).toEqual(ALL_MIGRATIONS);
      expect(await migrate(opened.factory)).toEqual([]);
      const { rows } = await opened.pglite!.query<{ n: number }>(`SELECT count(*)::int AS n FROM chats`);
      expect(rows[0]!.n).toBe(0);
      const tables = await opened.pglite!.query<{ tablename: string }>(
        `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`);
      expect(tables.rows.map((r: { tablename: string }) => r.tablename)).toEqual(
        ['_prisma_migrations', 'audit_entries', 'chat_items', 'chat_presence', 'chats', 'frontends', 'gateway_owners',
          'idempotency_records', 'staff_tokens']);
    } finally {
      await opened.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
