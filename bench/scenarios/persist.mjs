// persist: the transcript write path alone, against a migrated database of its own, in this process.
// Items are generated before the clock starts; each variant writes `items` items of `chats` chats.
// - writer:        the gateway's ItemWriter (group commit) fed as fast as it takes items, then checked:
//                  every chat gapless from 1, chats.last_seq equal to its last item
// - writer-faults: the same with every 7th statement failing (retried: nothing lost or doubled)
// - storeBatch:    ItemStoreRepository.storeBatch (through PrismaService on @prisma/adapter-pg, as the gateway), one at a time
// - storeBatch-x2: two storeBatch streams at once, each on its own chats
// - pg-same-sql:   storeBatch's statement and parameters through `pg` directly, unprepared (what Prisma costs)
// - pg-unnest:     a bare `INSERT … SELECT FROM unnest(…)` of the same rows (what Postgres takes for the table)
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { createDatabase, fromDist } from '../lib/stack.mjs';
import { FILLER, round } from '../lib/util.mjs';

export const defaults = { items: 100_000, chats: 100, batch: 1000, backlog: 4, variants: 'writer,writer-faults,storeBatch,storeBatch-x2,pg-same-sql,pg-unnest' };
export const full = '--items 400000 --chats 1000';

const COLUMNS = ['chat_id', 'seq', 'connect_item_id', 'type', 'content_type', 'content', 'participant_role', 'participant_id',
  'display_name', 'absolute_time', 'attachments', 'client_message_id', 'contact_id'];
const TYPES = ['uuid', 'int', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'timestamptz', 'text', 'text', 'text'];
const UNNEST_SQL = `INSERT INTO chat_items (${COLUMNS.join(', ')})
  SELECT ${COLUMNS.map((c) => (c === 'attachments' ? 'attachments::jsonb' : c)).join(', ')}
    FROM unnest(${TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')}) AS t(${COLUMNS.join(', ')})`;

export async function run(opts, log) {
  const database = await createDatabase({ migrate: true });
  const pool = new pg.Pool({ connectionString: database.url, max: 4 });
  const prismaPool = new pg.Pool({ connectionString: database.url, max: 10 });
  pool.on('error', () => undefined);
  prismaPool.on('error', () => undefined);
  const { PrismaService } = await fromDist('database/prisma.service.js');
  const { ItemStoreRepository } = await fromDist('transcripts/item-store.repository.js');
  const { ItemWriter } = await fromDist('sessions/item-writer.service.js');
  const { MetricsService } = await fromDist('health/metrics.service.js');
  const { Logger } = await import('@nestjs/common');
  Logger.overrideLogger(['error']); // the writer's retry warnings are expected in writer-faults
  // As the gateway opens it (database/driver-adapters.ts): the adapter and its pool.
  const prisma = new PrismaService({ factory: new PrismaPg(prismaPool), pool: prismaPool, close: async () => undefined });
  const store = new ItemStoreRepository(prisma);
  const frontendId = randomUUID();
  await pool.query(
    `INSERT INTO frontends (id, name, public_key, secret_enc, allowed_origins, connect_instance_id, connect_contact_flow_id,
                            connect_region, supported_content_types, attribute_keys, updated_at)
     VALUES ($1, 'bench', $2, 'x', '{}', 'i', 'f', 'us-east-1', '{text/plain}', '{}', now())`, [frontendId, `pk_${randomUUID()}`]);

  const perChat = Math.max(1, Math.floor(opts.batch / opts.chats));
  const rounds = Math.ceil(opts.items / (perChat * opts.chats));

  /** `n` chat rows, and `rounds` rounds of `perChat` items for each, as the owner side hands them over. */
  async function prepare(n, roundCount) {
    const ids = Array.from({ length: n }, () => randomUUID());
    await pool.query(
      `INSERT INTO chats (id, frontend_id, status, display_name, contact_id, current_contact_id, connect_instance_id,
                          connect_region, supported_content_types, owner_epoch, updated_at)
       SELECT id, $2, 'active', 'Bench', id::text, id::text, 'i', 'us-east-1', '{text/plain}', 1, now() FROM unnest($1::uuid[]) AS id`,
      [ids, frontendId]);
    const now = Date.now();
    const all = [];
    for (let r = 0; r < roundCount; r++) {
      const items = [];
      const advances = [];
      for (const chatId of ids) {
        for (let k = 1; k <= perChat; k++) {
          const seq = r * perChat + k;
          items.push({
            chatId, seq, connectItemId: `${chatId.slice(0, 8)}-${seq}-${randomUUID()}`, type: 'MESSAGE', contentType: 'text/plain',
            content: `message ${seq}: ${FILLER}`, participantRole: seq % 2 ? 'AGENT' : 'CUSTOMER', participantId: 'p-1',
            displayName: seq % 2 ? 'Agent' : 'Jane', absoluteTime: new Date(now + seq), attachments: null, clientMessageId: null, contactId: chatId,
          });
        }
        advances.push({ chatId, epoch: 1, prevSeq: r * perChat, lastSeq: (r + 1) * perChat, lastMessageAt: new Date(now + (r + 1) * perChat) });
      }
      all.push({ items, advances });
    }
    return { ids, rounds: all };
  }

  /** Every chat gapless from 1 to `lastSeq`, and chats.last_seq equal to it (where the variant maintains it). */
  async function verify(name, ids, lastSeq, withChats = true) {
    const res = await pool.query(
      `SELECT count(*) FILTER (WHERE i.n <> $2 OR i.m <> $2 ${withChats ? 'OR c.last_seq <> $2' : ''}) AS bad, count(*) AS chats
         FROM chats c JOIN (SELECT chat_id, count(*) n, max(seq) m FROM chat_items WHERE chat_id = ANY($1) GROUP BY chat_id) i ON i.chat_id = c.id`,
      [ids, lastSeq]);
    if (Number(res.rows[0].bad) || Number(res.rows[0].chats) !== ids.length) {
      throw new Error(`${name}: ${res.rows[0].bad} chats with gaps or a wrong last_seq, ${res.rows[0].chats}/${ids.length} chats stored`);
    }
  }

  const results = {};
  const record = (name, stored, t0, cpu0, extra = {}) => {
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    // This process's CPU is the gateway's share of the write path (building and sending the statements).
    const clientCpu = round(((cpu.user + cpu.system) / 1e6 / stored) * 1000, 4);
    results[name] = { items: stored, seconds: round(seconds, 2), itemsPerSecond: round(stored / seconds, 0), clientCpuSecondsPer1000Items: clientCpu, ...extra };
    log(`${name.padEnd(13)} ${stored} items in ${round(seconds, 2)} s = ${results[name].itemsPerSecond} items/s (client CPU ${clientCpu} s per 1,000)` +
      (extra.statements ? `, ${extra.statements} statements` : ''));
  };

  /** `streams` writers at once, each with its own chats, each one statement at a time. */
  async function statements(name, write, { streams = 1, withChats = true } = {}) {
    const data = await Promise.all(Array.from({ length: streams }, () => prepare(opts.chats, Math.ceil(rounds / streams))));
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    let stored = 0;
    await Promise.all(data.map(async ({ rounds: rs }) => {
      for (const { advances, items } of rs) {
        const n = await write(advances, items);
        stored += n;
      }
    }));
    record(name, stored, t0, cpu0, streams > 1 ? { streams } : {});
    for (const d of data) await verify(name, d.ids, d.rounds.length * perChat, withChats);
  }

  /** The gateway's writer, fed round by round while it holds fewer than `backlog` batches. */
  async function writer(name, storeImpl) {
    const { ids, rounds: rs } = await prepare(opts.chats, rounds);
    const metrics = new MetricsService();
    // The third argument is the app config the writer reads its backlog bound from.
    const w = new ItemWriter(storeImpl, metrics, { ownership: { writeBacklogMaxBytes: 1024 ** 4, commitDelayMs: 0 } });
    let stored = 0;
    let lost = 0;
    const waiting = [];
    const owners = ids.map((chatId) => ({
      chatId, epoch: 1, committedSeq: 0, lost: false,
      onStored: (items) => {
        stored += items.length;
        for (const wake of waiting.splice(0)) wake();
      },
      onReceipts: () => undefined,
      onLost: () => lost++,
    }));
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    for (const { items } of rs) {
      while (w.pending > opts.batch * opts.backlog) await new Promise((wake) => waiting.push(wake));
      for (let i = 0; i < owners.length; i++) w.enqueue(owners[i], items.slice(i * perChat, (i + 1) * perChat));
    }
    await w.drain();
    const m = await metrics.registry.getSingleMetric('gateway_item_flush_size').get();
    record(name, stored, t0, cpu0, { statements: m.values.find((v) => v.metricName === 'gateway_item_flush_size_count')?.value ?? 0 });
    await w.onModuleDestroy();
    if (lost) throw new Error(`${name}: ${lost} chats lost`);
    await verify(name, ids, rs.length * perChat);
  }

  const viaStore = async (advances, items) => {
    const ok = await store.storeBatch(advances, items);
    if (ok.size !== advances.length) throw new Error('storeBatch skipped chats');
    return items.length;
  };
  let calls = 0;
  const flaky = {
    storeBatch: (advances, items) => (++calls % 7 === 0 ? Promise.reject(new Error('injected fault')) : store.storeBatch(advances, items)),
    applyReceipts: (updates) => store.applyReceipts(updates),
  };
  const runners = {
    writer: () => writer('writer', store),
    'writer-faults': () => writer('writer-faults', flaky),
    storeBatch: () => statements('storeBatch', viaStore),
    'storeBatch-x2': () => statements('storeBatch-x2', viaStore, { streams: 2 }),
    'pg-same-sql': () => statements('pg-same-sql', async (advances, items) => {
      // storeBatch's own statement and parameters, captured from the repository and sent through `pg`.
      let call;
      const capture = {
        $queryRawUnsafe: async (sql, ...params) => ((call = { sql, params }), []),
        preparedQuery: async (_name, sql, params) => ((call = { sql, params }), []),
      };
      await new ItemStoreRepository(capture).storeBatch(advances, items);
      const res = await pool.query(call.sql, call.params);
      if (res.rowCount !== advances.length) throw new Error('statement skipped chats');
      return items.length;
    }),
    'pg-unnest': () => statements('pg-unnest', async (_advances, items) => {
      await pool.query(UNNEST_SQL, [
        items.map((i) => i.chatId), items.map((i) => i.seq), items.map((i) => i.connectItemId), items.map((i) => i.type),
        items.map((i) => i.contentType), items.map((i) => i.content), items.map((i) => i.participantRole),
        items.map((i) => i.participantId), items.map((i) => i.displayName), items.map((i) => i.absoluteTime.toISOString()),
        items.map(() => null), items.map((i) => i.clientMessageId), items.map((i) => i.contactId),
      ]);
      return items.length;
    }, { withChats: false }),
  };

  try {
    for (const name of String(opts.variants).split(',')) {
      if (!runners[name]) throw new Error(`unknown variant ${name} (known: ${Object.keys(runners).join(', ')})`);
      await runners[name]();
    }
  } finally {
    await prisma.$disconnect();
    await prismaPool.end();
    await pool.end();
    await database.drop();
  }
  return {
    items: opts.items,
    chats: opts.chats,
    batch: perChat * opts.chats,
    itemsPerSecond: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.itemsPerSecond])),
    variants: results,
  };
}
