import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { openAdapter } from '../../src/database/driver-adapters.js';
import type { OpenedAdapter } from '../../src/database/driver-adapters.js';
import { PrismaService } from '../../src/database/prisma.service.js';
import { ChatsRepository } from '../../src/sessions/chats.repository.js';
import { ItemStoreRepository } from '../../src/transcripts/item-store.repository.js';
import type { NewChatItem } from '../../src/transcripts/item-store.repository.js';
import { createTestDatabase } from '../support/test-database.js';
import type { TestDatabase } from '../support/test-database.js';

const LEASE_MS = 60_000;

/**
 * Leases and presence live outside the `chats` rows the group commit writes: while a commit holds those
 * rows, renewing, presence and takeover must go through without waiting on a lock (a lock wait among
 * them is what deadlocked under load), and the fencing epoch must still stop a process that lost a chat.
 */
describe('chat ownership on the machine Postgres', () => {
  let db: TestDatabase;
  let opened: OpenedAdapter;
  let prisma: PrismaService;
  let chats: ChatsRepository;
  let store: ItemStoreRepository;
  let pool: pg.Pool;
  let frontendId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    opened = await openAdapter({ kind: 'postgres', url: db.url }, 4);
    prisma = new PrismaService(opened);
    chats = new ChatsRepository(prisma);
    store = new ItemStoreRepository(prisma);
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO frontends (id, name, public_key, secret_enc, allowed_origins, connect_instance_id, connect_contact_flow_id,
                              connect_region, supported_content_types, attribute_keys, updated_at)
       VALUES (gen_random_uuid(), 'locks', 'pk_locks', 'x', '{}', 'i', 'f', 'us-east-1', '{text/plain}', '{}', now()) RETURNING id`);
    frontendId = rows[0]!.id;
  });

  afterAll(async () => {
    await pool?.end();
    await prisma?.onModuleDestroy();
    await db?.drop();
  });

  async function openChats(ownerId: string, n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const chat = await chats.create({
        frontendId, displayName: 'C', customerId: null, contactId: randomUUID(), participantId: 'p',
        participantTokenEnc: 'enc', connectInstanceId: 'i', connectRegion: 'us-east-1', supportedContentTypes: ['text/plain'], ownerId,
      });
      await chats.setStatus(chat.id, 'active');
      ids.push(chat.id);
    }
    return ids;
  }

  function item(chatId: string, seq: number): NewChatItem {
    return {
      chatId, seq, connectItemId: `${chatId}-${seq}`, type: 'MESSAGE', contentType: 'text/plain', content: `m${seq}`,
      participantRole: 'AGENT', participantId: 'a', displayName: 'Agent', absoluteTime: new Date(), attachments: null,
      clientMessageId: null, contactId: null,
    };
  }

  /** Runs `work` while another transaction holds `ids`' chats rows as a group commit does; fails on any lock wait. */
  async function whileRowsLocked<T>(ids: string[], work: () => Promise<T>): Promise<T> {
    const holder = await pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`UPDATE chats SET last_seq = last_seq WHERE id = ANY($1::uuid[])`, [ids]);
      const result = work().then((value) => ({ value }));
      for (;;) {
        const waiting = await pool.query(
          `SELECT query FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
        if (waiting.rowCount) throw new Error(`waited on a row lock: ${String(waiting.rows[0].query).slice(0, 120)}`);
        const done = await Promise.race([result, new Promise<null>((r) => setTimeout(() => r(null), 20))]);
        if (done) return done.value;
      }
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
  }

  it('renews, records presence and checks abandonment without waiting on rows a commit holds', async () => {
    const owner = `owner-${randomUUID()}`;
    await chats.renew(owner, [], LEASE_MS);
    const ids = await openChats(owner, 20);
    const leases = ids.map((id) => ({ id, epoch: 1 }));
    const held = await whileRowsLocked(ids, async () => {
      const renewed = await chats.renew(owner, leases, LEASE_MS);
      await chats.touchBrowserSeen([...ids].reverse());
      await chats.findAbandoned(ids, 60_000);
      return renewed;
    });
    expect(held).toEqual(new Set(ids));
    expect(await chats.findAbandoned(ids, 60_000)).toEqual([]);
    const present = await pool.query('SELECT count(*)::int AS n FROM chat_presence WHERE chat_id = ANY($1::uuid[])', [ids]);
    expect(present.rows[0].n).toBe(20);
  });

  it('a takeover skips rows a commit holds instead of waiting, and takes them once they are free', async () => {
    const dead = `dead-${randomUUID()}`;
    const heir = `heir-${randomUUID()}`;
    await chats.renew(heir, [], LEASE_MS);
    const ids = await openChats(dead, 4);
    const [busy, ...free] = ids as [string, ...string[]];
    const taken = await whileRowsLocked([busy], () => chats.acquireExpired(heir, 100));
    const takenIds = new Set(taken.map((c) => c.id));
    expect(takenIds.has(busy)).toBe(false);
    for (const id of free) expect(takenIds.has(id)).toBe(true);
    const later = await chats.acquireExpired(heir, 100);
    expect(later.map((c) => c.id)).toContain(busy);
    expect(later.find((c) => c.id === busy)).toMatchObject({ ownerId: heir, ownerEpoch: 2 });
  });

  it('a process whose lease lapsed loses its chats to another, and its stale epoch stores nothing', async () => {
    const first = `first-${randomUUID()}`;
    const second = `second-${randomUUID()}`;
    await chats.renew(first, [], LEASE_MS);
    await chats.renew(second, [], LEASE_MS);
    const [chatId] = await openChats(first, 1) as [string];
    expect((await chats.acquireExpired(second, 1_000)).map((c) => c.id)).not.toContain(chatId);

    await pool.query(`UPDATE gateway_owners SET alive_until = now() - interval '1 second' WHERE id = $1`, [first]);
    const taken = await chats.acquireExpired(second, 1_000);
    expect(taken.find((c) => c.id === chatId)).toMatchObject({ ownerId: second, ownerEpoch: 2 });

    // The first process comes back: renewing tells it the chat is gone, and its writes are fenced off.
    expect(await chats.renew(first, [{ id: chatId, epoch: 1 }], LEASE_MS)).toEqual(new Set());
    const stale = await store.storeBatch([{ chatId, epoch: 1, prevSeq: 0, lastSeq: 1, lastMessageAt: null }], [item(chatId, 1)]);
    expect(stale.size).toBe(0);
    const fresh = await store.storeBatch([{ chatId, epoch: 2, prevSeq: 0, lastSeq: 1, lastMessageAt: null }], [item(chatId, 1)]);
    expect(fresh).toEqual(new Set([chatId]));
    expect(await chats.renew(second, [{ id: chatId, epoch: 2 }], LEASE_MS)).toEqual(new Set([chatId]));
  });

  it('handing the lease back at shutdown lets another process take the chats at once', async () => {
    const leaving = `leaving-${randomUUID()}`;
    const staying = `staying-${randomUUID()}`;
    await chats.renew(leaving, [], LEASE_MS);
    const ids = await openChats(leaving, 3);
    expect((await chats.acquireExpired(staying, 1_000)).filter((c) => ids.includes(c.id))).toEqual([]);
    await chats.release(leaving);
    const taken = await chats.acquireExpired(staying, 1_000);
    expect(taken.map((c) => c.id).sort()).toEqual([...ids].sort());
  });

  it('a chat nobody has had open since it started is abandoned; one seen since is not', async () => {
    const owner = `owner-${randomUUID()}`;
    await chats.renew(owner, [], LEASE_MS);
    const [unseen, seen] = await openChats(owner, 2) as [string, string];
    await pool.query(`UPDATE chats SET started_at = now() - interval '2 hours' WHERE id = ANY($1::uuid[])`, [[unseen, seen]]);
    await chats.touchBrowserSeen([seen]);
    expect(await chats.findAbandoned([unseen, seen], 3_600_000)).toEqual([unseen]);
  });
});
