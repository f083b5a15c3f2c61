import pg from 'pg';
import { chatSearchSql } from '../../src/transcripts/staff-chats.repository.js';
import { StaffFixtures, staffClient, startStaffGateway } from '../support/staff-fixtures.js';
import type { StaffFetch, StaffGateway } from '../support/staff-fixtures.js';

const day = (d: number, h = 10): Date => new Date(Date.UTC(2026, 9, d, h));

describe('staff chat search', () => {
  let gw: StaffGateway;
  let api: StaffFetch;
  let fx: StaffFixtures;
  let A: string;
  let B: string;
  const chats: Record<string, string> = {};
  let reviewerA: string;

  beforeAll(async () => {
    gw = await startStaffGateway();
    api = staffClient(gw.url);
    fx = new StaffFixtures(gw.databaseUrl);
    A = await fx.frontend({ name: 'A' });
    B = await fx.frontend({ name: 'B' });
    chats.order = await fx.chat({ frontendId: A, displayName: 'Jane', customerId: 'cust-1', contactId: 'contact-order', currentContactId: 'contact-order-2', startedAt: day(1) });
    await fx.items(chats.order, [
      { type: 'EVENT', contentType: 'application/vnd.amazonaws.connect.event.participant.joined', role: 'CUSTOMER', displayName: 'Jane' },
      { content: 'Where is my order?', displayName: 'Jane' },
      { content: 'Your parcel left the warehouse yesterday.', role: 'AGENT', displayName: 'Sam' },
    ]);
    chats.refund = await fx.chat({ frontendId: A, status: 'active', displayName: 'Bob', customerId: 'cust-2', startedAt: day(2) });
    await fx.items(chats.refund, [{ content: 'I want a refund for the broken kettle', displayName: 'Bob' }]);
    chats.carol = await fx.chat({ frontendId: B, displayName: 'Carol', customerId: 'cust-1', startedAt: day(3) });
    await fx.items(chats.carol, [{ content: 'My order number is 42 and the kettle is broken', displayName: 'Carol' }]);
    chats.sql = await fx.chat({ frontendId: A, displayName: "O'Brien", customerId: "' OR '1'='1", contactId: 'c_%_1', startedAt: day(4) });
    await fx.items(chats.sql, [{ content: "Robert'); DROP TABLE chats;-- costs 100% _wild_ \\ back", displayName: "O'Brien" }]);
    chats.boundary = await fx.chat({ frontendId: A, displayName: 'Dora', startedAt: day(5, 0) });
    const created = await api('/v1/admin/tokens', { method: 'POST', body: { name: 'Reviewer A', role: 'reviewer', frontendIds: [A] } });
    reviewerA = created.body.token;
  });
  afterAll(async () => {
    await fx?.close();
    await gw?.stop();
  });

  const ids = (body: { chats: { chatId: string }[] }): string[] => body.chats.map((c) => c.chatId);
  // Only this file's chats (the gateway also creates a demo front end, without chats).
  const search = async (query: string, token?: string): Promise<string[]> => {
    const res = await api(`/v1/admin/chats?${query}`, { token });
    expect(res.status).toBe(200);
    return ids(res.body);
  };

  it('lists chats newest first with counts, times and status', async () => {
    const res = await api('/v1/admin/chats');
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual([chats.boundary, chats.sql, chats.carol, chats.refund, chats.order]);
    expect(res.body.nextCursor).toBeNull();
    const order = res.body.chats.find((c: { chatId: string }) => c.chatId === chats.order);
    expect(order).toEqual({
      chatId: chats.order, frontendId: A, status: 'ended', displayName: 'Jane', customerId: 'cust-1', contactId: 'contact-order',
      currentContactId: 'contact-order-2', startedAt: day(1).toISOString(), endedAt: new Date(day(1).getTime() + 60_000).toISOString(), endReason: 'customer',
      itemCount: 3, lastMessageAt: new Date(day(1).getTime() + 3_000).toISOString(), transcriptIncomplete: false,
    });
    expect(res.body.chats.find((c: { chatId: string }) => c.chatId === chats.refund).status).toBe('active');
  });

  it('applies every filter, alone and combined', async () => {
    expect(await search(`frontendId=${B}`)).toEqual([chats.carol]);
    expect(await search('status=active')).toEqual([chats.refund]);
    expect(await search('status=starting')).toEqual([]);
    expect(await search('customerId=cust-1')).toEqual([chats.carol, chats.order]);
    expect(await search('contactId=contact-order')).toEqual([chats.order]);
    // After a transfer the newest ContactId finds the chat too.
    expect(await search('contactId=contact-order-2')).toEqual([chats.order]);
    // from is inclusive, to exclusive, both on startedAt.
    expect(await search(`from=${day(2).toISOString()}&to=${day(4).toISOString()}`)).toEqual([chats.carol, chats.refund]);
    expect(await search(`from=2026-10-05`)).toEqual([chats.boundary]);
    expect(await search(`to=2026-10-05T00:00:00Z`)).toEqual([chats.sql, chats.carol, chats.refund, chats.order]);
    expect(await search(`to=2026-10-05T00:00:00.001Z`)).toContain(chats.boundary);
    expect(await search(`from=2026-10-02T12:00:00%2B02:00`)).toEqual([chats.boundary, chats.sql, chats.carol, chats.refund]);
    expect(await search(`customerId=cust-1&frontendId=${A}`)).toEqual([chats.order]);
    expect(await search(`q=kettle&status=ended`)).toEqual([chats.carol]);
    expect(await search(`q=order&frontendId=${A}&customerId=cust-1&from=${day(1).toISOString()}`)).toEqual([chats.order]);
  });

  it('finds words, phrases and display names, and nothing for no match, with marked snippets', async () => {
    expect(await search('q=kettle')).toEqual([chats.carol, chats.refund]);
    expect(await search('q=KETTLE')).toEqual([chats.carol, chats.refund]);
    expect(await search(`q=${encodeURIComponent('"broken kettle"')}`)).toEqual([chats.refund]);
    expect(await search(`q=${encodeURIComponent('"kettle is broken"')}`)).toEqual([chats.carol]);
    expect(await search('q=broken%20kettle')).toEqual([chats.carol, chats.refund]);
    expect(await search('q=kettle%20-refund')).toEqual([chats.carol]);
    expect(await search('q=parcel%20or%20refund')).toEqual([chats.refund, chats.order]);
    expect(await search('q=Sam')).toEqual([chats.order]);
    expect(await search('q=zebra')).toEqual([]);
    const res = await api(`/v1/admin/chats?q=${encodeURIComponent('"broken kettle"')}`);
    expect(res.body.chats[0].snippet).toBe('Bob: I want a refund for the [[broken]] [[kettle]]');
    const plain = await api('/v1/admin/chats?status=active');
    expect(plain.body.chats[0]).not.toHaveProperty('snippet');
  });

  it('scopes a limited reviewer to its front ends whatever it asks for', async () => {
    expect(await search('', reviewerA)).toEqual([chats.boundary, chats.sql, chats.refund, chats.order]);
    expect(await search(`frontendId=${B}`, reviewerA)).toEqual([]);
    expect(await search('q=kettle', reviewerA)).toEqual([chats.refund]);
    expect(await search('customerId=cust-1', reviewerA)).toEqual([chats.order]);
    for (const path of [`/v1/admin/chats/${chats.carol}`, `/v1/admin/chats/${chats.carol}/export?format=csv`]) {
      const res = await api(path, { token: reviewerA });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
    expect((await api(`/v1/admin/chats/${chats.order}`, { token: reviewerA })).status).toBe(200);
  });

  it('treats SQL metacharacters in q and filters as literal text', async () => {
    expect(await search(`q=${encodeURIComponent("'; DROP TABLE chats; --")}`)).toEqual([chats.sql]);
    expect(await search(`q=${encodeURIComponent("Robert'); DROP")}`)).toEqual([chats.sql]);
    expect(await search(`customerId=${encodeURIComponent("' OR '1'='1")}`)).toEqual([chats.sql]);
    expect(await search(`customerId=${encodeURIComponent("cust-1' OR 'x'='x")}`)).toEqual([]);
    expect(await search(`contactId=${encodeURIComponent('c_%_1')}`)).toEqual([chats.sql]);
    expect(await search(`contactId=${encodeURIComponent('c%')}`)).toEqual([]);
    expect(await search(`contactId=${encodeURIComponent('c___1')}`)).toEqual([]);
    for (const q of ['100%', '_wild_', '\\', 'a:*', '!(', '&|', "'", '"', '""', '(order', 'order)', '<->', 'kettle:*', '$1', '\u0000x']) {
      const res = await api(`/v1/admin/chats?q=${encodeURIComponent(q)}`);
      expect([q, res.status]).toEqual([q, q.includes('\u0000') ? 400 : 200]);
    }
    expect(await search(`q=${encodeURIComponent('_wild_')}`)).toEqual([chats.sql]);
    expect(await search(`q=${encodeURIComponent('kettl:*')}`)).toEqual([]);
    const { rows } = await fx.pool.query('SELECT count(*)::int AS n FROM chats');
    expect(rows[0].n).toBeGreaterThanOrEqual(5);
  });

  it('pages with an opaque cursor, without duplicates or gaps, while chats are inserted', async () => {
    const C = await fx.frontend({ name: 'C' });
    const expected: string[] = [];
    // 23 chats, several sharing a startedAt (ties are ordered by id).
    for (let i = 0; i < 23; i++) expected.push(await fx.chat({ frontendId: C, startedAt: day(10, Math.floor(i / 3)) }));
    const byOrder = await search(`frontendId=${C}&limit=100`);
    expect(new Set(byOrder)).toEqual(new Set(expected));
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { body: { chats: { chatId: string }[]; nextCursor: string | null } } = await api(`/v1/admin/chats?frontendId=${C}&limit=5${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...ids(res.body));
      cursor = res.body.nextCursor;
      if (cursor) expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      // Meanwhile: newer chats, and (after page 2) one among the newest already paged, sharing a startedAt.
      await fx.chat({ frontendId: C, startedAt: new Date() });
      if (pages === 1) await fx.chat({ frontendId: C, startedAt: day(10, 7) });
      pages++;
    } while (cursor);
    expect(pages).toBe(5);
    expect(seen).toEqual(byOrder);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('pages q searches too', async () => {
    const D = await fx.frontend({ name: 'D' });
    for (let i = 0; i < 7; i++) {
      const id = await fx.chat({ frontendId: D, startedAt: day(20, i) });
      await fx.items(id, [{ content: `needle number ${i}` }, { content: 'another needle' }]);
    }
    const all = await search(`frontendId=${D}&q=needle`);
    expect(all).toHaveLength(7);
    const first = await api(`/v1/admin/chats?frontendId=${D}&q=needle&limit=4`);
    const second = await api(`/v1/admin/chats?frontendId=${D}&q=needle&limit=4&cursor=${first.body.nextCursor}`);
    expect([...ids(first.body), ...ids(second.body)]).toEqual(all);
    expect(second.body.nextCursor).toBeNull();
  });

  it('rejects malformed parameters with 400 VALIDATION_FAILED naming the field', async () => {
    const cases: [string, string][] = [
      ['limit=0', 'limit'], ['limit=101', 'limit'], ['limit=abc', 'limit'], ['limit=1.5', 'limit'], ['limit=-1', 'limit'],
      ['from=yesterday', 'from'], ['from=2026-13-01', 'from'], ['to=2026-10-01T10:00:00', 'to'], ['from=2026-10-05&to=2026-10-01', 'to'],
      ['cursor=garbage!', 'cursor'], ['cursor=Zm9v', 'cursor'], [`cursor=${Buffer.from('["a","x","1"]').toString('base64url')}`, 'cursor'],
      [`cursor=${Buffer.from('["c","2026-10-01T00:00:00.000Z","1 OR 1=1"]').toString('base64url')}`, 'cursor'],
      ['frontendId=abc', 'frontendId'], ["frontendId=' OR 1=1 --", 'frontendId'], ['status=open', 'status'], ['q=', 'q'], ['q=%20%20', 'q'],
      [`q=${'a'.repeat(257)}`, 'q'], ['status=ended&status=active', 'status'], ['customerId=', 'customerId'],
    ];
    for (const [query, field] of cases) {
      const res = await api(`/v1/admin/chats?${query}`);
      expect([query, res.status, res.body?.error?.code]).toEqual([query, 400, 'VALIDATION_FAILED']);
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    for (const path of ['/v1/admin/chats/not-a-uuid', "/v1/admin/chats/1'%20OR%201=1", '/v1/admin/chats/not-a-uuid/export']) {
      expect((await api(path)).status).toBe(400);
    }
    expect((await api('/v1/admin/chats/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('audits every search with its filters', async () => {
    const before = (await fx.auditEntries({ action: 'chat.search' })).length;
    await api(`/v1/admin/chats?q=kettle&status=ended&frontendId=${B}`, { token: reviewerA });
    const entries = await fx.auditEntries({ action: 'chat.search' });
    expect(entries.length).toBe(before + 1);
    expect(entries.at(-1)).toMatchObject({
      actor: expect.stringMatching(/^staff:[0-9a-f-]{36}$/), ip: '127.0.0.1', frontendId: B,
      details: { filters: { q: 'kettle', status: 'ended', frontendId: B }, results: 0, page: 'first' },
    });
  });

  it('uses the GIN index on chat_items.search for q', async () => {
    const client = new pg.Client(gw.databaseUrl);
    await client.connect();
    try {
      // The fixture tables are tiny, so a sequential scan would be cheaper and the planner's choice would
      // depend on statistics; with sequential scans disabled for this session the plan shows whether the
      // statement can use the index at all (it could not if, say, it searched a to_tsvector() of the text).
      await client.query('SET enable_seqscan = off');
      const sql = chatSearchSql({ frontendIds: [A], q: '"broken kettle"', status: 'active', limit: 51 });
      const { rows } = await client.query(`EXPLAIN ${sql.text}`, sql.values as unknown[]);
      const plan = rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');
      expect(plan).toMatch(/Bitmap Index Scan on chat_items_search_idx/);
      expect(plan).not.toMatch(/Seq Scan on chat_items/);
    } finally {
      await client.end();
    }
  });
});
