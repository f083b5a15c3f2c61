import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { until } from './poll.js';
import { spawnGateway } from './spawn-gateway.js';
import { createTestDatabase } from './test-database.js';
import { SEARCH_VECTOR_SQL } from '../../src/transcripts/chat-item.js';

/** Direct SQL fixtures for the staff API tests: front ends, chats and items written as the gateway would. */
export class StaffFixtures {
  readonly pool: pg.Pool;

  constructor(url: string) {
    this.pool = new pg.Pool({ connectionString: url, max: 3 });
  }

  close(): Promise<void> {
    return this.pool.end();
  }

  async frontend(opts: { name?: string; retentionDays?: number | null; redaction?: unknown } = {}): Promise<string> {
    const id = randomUUID();
    await this.pool.query(
      `INSERT INTO frontends (id, name, public_key, secret_enc, allowed_origins, connect_instance_id, connect_contact_flow_id,
         connect_region, supported_content_types, attribute_keys, retention_days, redaction, updated_at)
       VALUES ($1, $2, $3, 'v1.x.y.z', '{}', 'inst', 'flow', 'us-east-1', '{text/plain}', '{}', $4, $5, now())`,
      [id, opts.name ?? `fe-${id.slice(0, 8)}`, `pk_${id.replace(/-/g, '')}`, opts.retentionDays ?? null, opts.redaction === undefined ? null : JSON.stringify(opts.redaction)],
    );
    return id;
  }

  async chat(opts: {
    frontendId: string; status?: 'starting' | 'active' | 'ending' | 'ended'; displayName?: string; customerId?: string | null;
    contactId?: string; currentContactId?: string; startedAt?: Date; endedAt?: Date | null;
  }): Promise<string> {
    const id = randomUUID();
    const status = opts.status ?? 'ended';
    const startedAt = opts.startedAt ?? new Date();
    const endedAt = opts.endedAt !== undefined ? opts.endedAt : status === 'ended' ? new Date(startedAt.getTime() + 60_000) : null;
    await this.pool.query(
      `INSERT INTO chats (id, frontend_id, status, display_name, customer_id, contact_id, current_contact_id, connect_instance_id,
         connect_region, supported_content_types, started_at, ended_at, end_reason, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $10, 'inst', 'us-east-1', '{text/plain}', $7, $8, $9, now())`,
      [id, opts.frontendId, status, opts.displayName ?? 'Jane', opts.customerId ?? null, opts.contactId ?? `contact-${id}`,
        startedAt, endedAt, status === 'ended' ? 'customer' : null, opts.currentContactId ?? opts.contactId ?? `contact-${id}`],
    );
    return id;
  }

  /** Appends items with the next seq numbers, computing `search` exactly as the gateway does. */
  async items(chatId: string, items: FixtureItem[]): Promise<void> {
    const { rows } = await this.pool.query<{ last_seq: number; started_at: Date }>(`SELECT last_seq, started_at FROM chats WHERE id = $1`, [chatId]);
    let seq = rows[0]!.last_seq;
    let time = rows[0]!.started_at.getTime();
    for (const item of items) {
      seq++;
      time = item.absoluteTime?.getTime() ?? time + 1_000;
      await this.pool.query(
        `INSERT INTO chat_items (chat_id, seq, connect_item_id, type, content_type, content, participant_role, participant_id,
           display_name, absolute_time, attachments, delivered_at, read_at, search)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, ${SEARCH_VECTOR_SQL}
         FROM (SELECT $9::text AS display_name, $6::text AS content) v`,
        [chatId, seq, item.id ?? randomUUID(), item.type ?? 'MESSAGE', item.contentType ?? (item.type === 'EVENT' ? null : 'text/plain'),
          item.content ?? null, item.role ?? 'CUSTOMER', item.participantId ?? 'p-1', item.displayName ?? null, new Date(time),
          item.attachments ? JSON.stringify(item.attachments) : null, item.deliveredAt ?? null, item.readAt ?? null],
      );
    }
    await this.pool.query(`UPDATE chats SET last_seq = $2, last_message_at = $3 WHERE id = $1`, [chatId, seq, new Date(time)]);
  }

  /** `count` short messages in one INSERT … SELECT generate_series. */
  async manyItems(chatId: string, count: number, contentLength = 100): Promise<void> {
    await this.pool.query(
      `INSERT INTO chat_items (chat_id, seq, connect_item_id, type, content_type, content, participant_role, participant_id,
         display_name, absolute_time, search)
       SELECT $1, g, 'item-' || g, 'MESSAGE', 'text/plain', v.content, CASE WHEN g % 2 = 0 THEN 'AGENT' ELSE 'CUSTOMER' END, 'p-' || (g % 2),
         v.display_name, timestamptz '2026-11-26T10:00:00Z' + g * interval '1 second', ${SEARCH_VECTOR_SQL}
       FROM generate_series(1, $2::int) g,
         LATERAL (SELECT CASE WHEN g % 2 = 0 THEN 'Agent Smith' ELSE 'Jane' END AS display_name,
                         rpad('message ' || g || ' ', $3::int, 'xyz ') AS content) v`,
      [chatId, count, contentLength],
    );
    await this.pool.query(`UPDATE chats SET last_seq = $2::int, last_message_at = timestamptz '2026-11-26T10:00:00Z' + $2::int * interval '1 second' WHERE id = $1`, [chatId, count]);
  }

  async auditEntries(filter: { action?: string; chatId?: string } = {}): Promise<AuditRow[]> {
    const { rows } = await this.pool.query<AuditRow>(
      `SELECT actor, action, target, chat_id AS "chatId", frontend_id AS "frontendId", ip, details FROM audit_entries
       WHERE ($1::text IS NULL OR action = $1) AND ($2::uuid IS NULL OR chat_id = $2) ORDER BY id`,
      [filter.action ?? null, filter.chatId ?? null],
    );
    return rows;
  }
}

export interface FixtureItem {
  id?: string;
  type?: 'MESSAGE' | 'EVENT' | 'ATTACHMENT';
  contentType?: string | null;
  content?: string | null;
  role?: string;
  participantId?: string;
  displayName?: string | null;
  absoluteTime?: Date;
  attachments?: unknown[];
  deliveredAt?: Date;
  readAt?: Date;
}

export interface AuditRow {
  actor: string;
  action: string;
  target: string | null;
  chatId: string | null;
  frontendId: string | null;
  ip: string | null;
  details: Record<string, unknown> | null;
}

export const ADMIN = 'test-admin-token-0123456789';

// Response bodies are whatever JSON the API sent; tests assert on their shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyJson = any;

export interface StaffResponse {
  status: number;
  body: AnyJson;
  headers: Headers;
  text: string;
}

export type StaffFetch = (path: string, init?: { token?: string | null; method?: string; body?: unknown; headers?: Record<string, string> }) => Promise<StaffResponse>;

/** fetch against the gateway with a staff token (the first admin's unless `token` is given; null for none). */
export function staffClient(baseUrl: string): StaffFetch {
  return async (path, init = {}) => {
    const headers: Record<string, string> = { ...init.headers };
    const token = init.token === undefined ? ADMIN : init.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${baseUrl}${path}`, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
    const text = await res.text();
    let body: unknown = undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return { status: res.status, body, headers: res.headers, text };
  };
}

export interface StaffGateway {
  url: string;
  databaseUrl: string;
  pid: number;
  output(): string;
  stop(): Promise<void>;
}

/**
 * The built gateway (dist/main.js) as a child process on port 0 with its own database. (Nest's
 * CommonJS helpers such as nestjs-pino cannot load the ESM-only @nestjs/common inside Jest on Node 20,
 * so the app runs beside the test.) CONNECT_ENDPOINT points at a closed port: the staff API never calls
 * Connect.
 */
export async function startStaffGateway(env: Record<string, string> = {}): Promise<StaffGateway> {
  const database = await createTestDatabase();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gw-staff-'));
  const gw = spawnGateway({
    PORT: '0', HOST: '127.0.0.1', DATA_DIR: dir, ADMIN_TOKEN: ADMIN, DATABASE_URL: database.url,
    CONNECT_ENDPOINT: 'http://127.0.0.1:1', LOG_LEVEL: 'info', NODE_ENV: 'test', ...env,
  }, dir);
  const stop = async (): Promise<void> => {
    await gw.stop('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
    await database.drop();
  };
  try {
    const port = await until(() => /gateway listening on [^:]+:(\d+)/.exec(gw.output())?.[1], `gateway start (output: ${gw.output().slice(-1500)})`, 30_000, 50);
    return { url: `http://127.0.0.1:${port}`, databaseUrl: database.url, pid: gw.child.pid!, output: gw.output, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
