// persist: the transcript write path alone, against a migrated database of its own, in this process.
// - writer:      the gateway's ItemWriter (group commit) fed by C chats as fast as it takes them
// - storeBatch:  ItemStoreRepository.storeBatch (Prisma $queryRawUnsafe over @prisma/adapter-pg), batches of B
// - pg-same-sql: the very statement storeBatch sends, through `pg` directly (what Prisma costs)
// - pg-unnest:   a bare `INSERT … SELECT FROM unnest(…)` of the same rows (what Postgres takes)
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { createDatabase, fromDist } from '../lib/stack.mjs';
import { FILLER, round } from '../lib/util.mjs';

export const defaults = { items: 100_000, chats: 100, batch: 1000, variants: 'writer,storeBatch,pg-same-sql,pg-unnest' };
export const full = '--items 1000000 --chats 1000';

const COLUMNS = ['chat_id', 'seq', 'connect_item_id', 'type', 'content_type', 'content', 'participant_role', 'participant_id',
  'display_name', 'absolute_time', 'attachments', 'client_message_id', 'contact_id'];
const TYPES = ['uuid', 'int', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'timestamptz', 'jsonb', 'text', 'text'];

export async function run(opts, log) {
  const database = await createDatabase({ migrate: true });
  const pool = new pg.Pool({ connectionString: database.url, max: 4 });
  const { PrismaClient } = await fromDist('generated/prisma/client.js');
  const { ItemStoreRepository } = await fromDist('transcripts/item-store.repository.js');
  const { ItemWriter } = await fromDist('sessions/item-writer.service.js');
  const { MetricsService } = await fromDist('health/metrics.service.js');
  const prismaPool = new pg.Pool({ connectionString: database.url, max: 10 });
  prismaPool.on('error', () => undefined);
  pool.on('error', () => undefined);
  const prisma = new PrismaClient({ adapter: new PrismaPg(prismaPool) });
  const store = new ItemStoreRepository(prisma);
  const frontendId = randomUUID();
  await pool.query(
    `INSERT INTO frontends (id, name, public_key, secret_enc, allowed_origins, connect_instance_id, connect_contact_flow_id,
                            connect_region, supported_content_types, attribute_keys, updated_at)
     VALUES ($1, 'bench', $2, 'x', '{}', 'i', 'f', 'us-east-1', '{text/plain}', '{}', now())`, [frontendId, `pk_${randomUUID()}`]);

  async function newChats(n) {
    const ids = Array.from({ length: n }, () => randomUUID());
    await pool.query(
      `INSERT INTO chats (id, frontend_id, status, display_name, contact_id, current_contact_id, connect_instance_id,
                          connect_region, supported_content_types, owner_epoch, updated_at)
       SELECT id, $2, 'active', 'Bench', id::text, id::text, 'i', 'us-east-1', '{text/plain}', 1, now() FROM unnest($1::uuid[]) AS id`,
      [ids, frontendId]);
    return ids.map((chatId) => ({ chatId, seq: 0 }));
  }

  /** The next `perChat` items of every chat, as the owner side would hand them over. */
  function nextItems(chats, perChat) {
    const items = [];
    const now = Date.now();
    for (const chat of chats) {
      for (let k = 0; k < perChat; k++) {
        const seq = ++chat.seq;
        items.push({
          chatId: chat.chatId, seq, connectItemId: `${chat.chatId.slice(0, 8)}-${seq}-${randomUUID()}`, type: 'MESSAGE',
          contentType: 'text/plain', content: `message ${seq}: ${FILLER}`, participantRole: seq % 2 ? 'AGENT' : 'CUSTOMER',
          participantId: 'p-1', displayName: seq % 2 ? 'Agent' : 'Jane', absoluteTime: new Date(now + seq), attachments: null,
          clientMessageId: null, contactId: chat.chatId,
        });
      }
    }
    return items;
  }

  let flushMetrics;
  let writerFlushes = 0;
  const perChat = Math.max(1, Math.floor(opts.batch / opts.chats));
  const rounds = Math.ceil(opts.items / (perChat * opts.chats));
  const results = {};
  const variants = String(opts.variants).split(',');

  const timed = async (name, fn) => {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const stored = await fn();
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    // This process's CPU is the gateway's share of the write path (building and sending the statements).
    const clientCpuPer1000 = round(((cpu.user + cpu.system) / 1e6 / stored) * 1000, 4);
    results[name] = { items: stored, seconds: round(seconds, 2), itemsPerSecond: round(stored / seconds, 0), clientCpuSecondsPer1000Items: clientCpuPer1000 };
    log(`${name.padEnd(12)} ${stored} items in ${round(seconds, 2)} s = ${results[name].itemsPerSecond} items/s (client CPU ${clientCpuPer1000} s per 1,000)`);
  };

  const batchVariant = (name, write) => timed(name, async () => {
    const chats = await newChats(opts.chats);
    let stored = 0;
    for (let r = 0; r < rounds; r++) {
      const items = nextItems(chats, perChat);
      const advances = chats.map((c) => ({ chatId: c.chatId, epoch: 1, prevSeq: c.seq - perChat, lastSeq: c.seq, lastMessageAt: new Date() }));
      stored += await write(advances, items);
    }
    return stored;
  });

  try {
    const runners = {};
    runners.writer = () => timed('writer', async () => {
        const chats = await newChats(opts.chats);
        const metrics = new MetricsService();
        // The third argument is the app config the writer reads its backlog bound from (added later; ignored before).
        const writer = new ItemWriter(store, metrics, { ownership: { writeBacklogMaxBytes: 1024 ** 4 } });
        flushMetrics = metrics;
        let stored = 0;
        const waiting = [];
        const owners = chats.map((c) => ({
          chatId: c.chatId, epoch: 1, committedSeq: 0, lost: false,
          onStored: (items) => {
            stored += items.length;
            for (const wake of waiting.splice(0)) wake();
          },
          onReceipts: () => undefined,
          onLost: (reason) => {
            throw new Error(`chat ${c.chatId} lost: ${reason}`);
          },
        }));
        // Chats hand over items one chat at a time as they arrive; keep a backlog of a few batches.
        for (let r = 0; r < rounds; r++) {
          while (writer.pending > opts.batch * 4) await new Promise((wake) => waiting.push(wake));
          const items = nextItems(chats, perChat);
          for (let i = 0; i < owners.length; i++) writer.enqueue(owners[i], items.slice(i * perChat, (i + 1) * perChat));
        }
        await writer.drain();
        await writer.onModuleDestroy();
        const m = await flushMetrics.registry.getSingleMetric('gateway_item_flush_size').get();
        const count = m.values.find((v) => v.metricName === 'gateway_item_flush_size_count')?.value ?? 0;
        writerFlushes = count;
        return stored;
      }).then(() => (results.writer.flushes = writerFlushes));
    runners.storeBatch = () => batchVariant('storeBatch', async (advances, items) => {
        const ok = await store.storeBatch(advances, items);
        if (ok.size !== advances.length) throw new Error('storeBatch skipped chats');
        return items.length;
      });
    runners['pg-same-sql'] = () => batchVariant('pg-same-sql', async (advances, items) => {
      // storeBatch's own statement and parameters, sent through `pg` instead of Prisma.
      let call;
      const Repo = store.constructor;
      await new Repo({ $queryRawUnsafe: async (sql, ...params) => ((call = { sql, params }), []) }).storeBatch(advances, items);
      const res = await pool.query(call.sql, call.params);
      if (res.rowCount !== advances.length) throw new Error('statement skipped chats');
      return items.length;
    });
    runners['pg-unnest'] = async () => {
      const sql = `INSERT INTO chat_items (${COLUMNS.join(', ')})
                   SELECT * FROM unnest(${TYPES.map((t, i) => `$${i + 1}::${t === 'jsonb' ? 'text' : t}[]`).join(', ')})`
        .replace('SELECT *', `SELECT ${COLUMNS.map((c, i) => (TYPES[i] === 'jsonb' ? `${c}::jsonb` : c)).join(', ')} FROM (SELECT *`)
        .concat(` AS t(${COLUMNS.join(', ')})) s`);
      await batchVariant('pg-unnest', async (_advances, items) => {
        await pool.query(sql, [
          items.map((i) => i.chatId), items.map((i) => i.seq), items.map((i) => i.connectItemId), items.map((i) => i.type),
          items.map((i) => i.contentType), items.map((i) => i.content), items.map((i) => i.participantRole),
          items.map((i) => i.participantId), items.map((i) => i.displayName), items.map((i) => i.absoluteTime.toISOString()),
          items.map(() => null), items.map((i) => i.clientMessageId), items.map((i) => i.contactId),
        ]);
        return items.length;
      });
    };
    for (const name of variants) {
      if (!runners[name]) throw new Error(`unknown variant ${name} (known: ${Object.keys(runners).join(', ')})`);
      await runners[name]();
    }
  } finally {
    await prisma.$disconnect();
    await prismaPool.end();
    await pool.end();
    await database.drop();
  }
  return { items: opts.items, chats: opts.chats, batch: perChat * opts.chats, itemsPerSecond: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.itemsPerSecond])), variants: results };
}
