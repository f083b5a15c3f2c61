import pg from 'pg';
import { openAdapter } from '../../src/database/driver-adapters.js';
import type { OpenedAdapter } from '../../src/database/driver-adapters.js';
import { PrismaService } from '../../src/database/prisma.service.js';
import { AuditRepository } from '../../src/audit/audit.repository.js';
import { AuditService } from '../../src/audit/audit.service.js';
import { RetentionService } from '../../src/transcripts/retention.service.js';
import { StaffChatsRepository } from '../../src/transcripts/staff-chats.repository.js';
import { StaffFixtures, staffClient, startStaffGateway } from '../support/staff-fixtures.js';
import type { StaffFetch, StaffGateway } from '../support/staff-fixtures.js';

/** RFC 4180 parser (quotes, doubled quotes, CRLF), enough to read our export back. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell || row.length) rows.push([...row, cell]);
  return rows;
}

const T0 = new Date('2026-11-20T09:00:00.000Z');
const at = (s: number): Date => new Date(T0.getTime() + s * 1000);

describe('staff transcripts: view, export, erase, audit, retention', () => {
  let gw: StaffGateway;
  let api: StaffFetch;
  let fx: StaffFixtures;
  let A: string;
  let chatId: string;
  let reviewer: { id: string; token: string };

  beforeAll(async () => {
    gw = await startStaffGateway();
    api = staffClient(gw.url);
    fx = new StaffFixtures(gw.databaseUrl);
    A = await fx.frontend({ name: 'A' });
    chatId = await fx.chat({ frontendId: A, displayName: 'Jane', customerId: 'cust-9', startedAt: T0 });
    await fx.items(chatId, [
      { id: 'ev-1', type: 'EVENT', contentType: 'application/vnd.amazonaws.connect.event.participant.joined', role: 'CUSTOMER', displayName: 'Jane', absoluteTime: at(1) },
      { id: 'm-1', content: 'Hello, "quotes", commas\nand a second line', displayName: 'Jane', absoluteTime: at(2), deliveredAt: at(3), readAt: at(4) },
      { id: 'm-2', content: '=HYPERLINK("http://evil.example","click")', displayName: '@admin', absoluteTime: at(5) },
      { id: 'm-3', content: '+1+2', displayName: 'Jane', absoluteTime: at(6) },
      { id: 'm-4', content: '-5 degrees', role: 'AGENT', displayName: 'Sam', absoluteTime: at(7) },
      { id: 'm-5', content: '\tTabbed', displayName: 'Jane', absoluteTime: at(8) },
      { id: 'a-1', type: 'ATTACHMENT', contentType: 'image/png', content: null, displayName: 'Jane', absoluteTime: at(9),
        attachments: [{ attachmentId: 'att-1', name: 'photo.png', contentType: 'image/png', status: 'APPROVED' }] },
      { id: 'ev-2', type: 'EVENT', contentType: 'application/vnd.amazonaws.connect.event.chat.ended', role: 'SYSTEM', displayName: null, absoluteTime: at(10) },
    ]);
    reviewer = (await api('/v1/admin/tokens', { method: 'POST', body: { name: 'Rev', role: 'reviewer', frontendIds: [A] } })).body;
  });
  afterAll(async () => {
    await fx?.close();
    await gw?.stop();
  });

  it('shows a chat with every item field and audits the view', async () => {
    const res = await api(`/v1/admin/chats/${chatId}`, { token: reviewer.token });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body.chat).toMatchObject({ chatId, frontendId: A, status: 'ended', displayName: 'Jane', customerId: 'cust-9', itemCount: 8 });
    expect(res.body.items.map((i: { seq: number }) => i.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(res.body.items[0]).toEqual({
      seq: 1, id: 'ev-1', type: 'EVENT', contentType: 'application/vnd.amazonaws.connect.event.participant.joined',
      participantRole: 'CUSTOMER', participantId: 'p-1', displayName: 'Jane', absoluteTime: at(1).toISOString(),
    });
    expect(res.body.items[1].receipts).toEqual({ deliveredAt: at(3).toISOString(), readAt: at(4).toISOString() });
    expect(res.body.items[6].attachments).toEqual([{ attachmentId: 'att-1', name: 'photo.png', contentType: 'image/png', status: 'APPROVED' }]);
    const audit = await fx.auditEntries({ action: 'chat.view', chatId });
    expect(audit.at(-1)).toMatchObject({ actor: `staff:${reviewer.id}`, target: `chat:${chatId}`, frontendId: A, ip: '127.0.0.1' });
  });

  it("audits refused attempts: another front end's chat, an unknown chat, an admin-only route", async () => {
    const B = await fx.frontend({ name: 'B' });
    const hidden = await fx.chat({ frontendId: B, startedAt: T0 });
    const unknown = '00000000-0000-4000-8000-00000000abcd';
    expect((await api(`/v1/admin/chats/${hidden}`, { token: reviewer.token })).status).toBe(404);
    expect((await api(`/v1/admin/chats/${unknown}/export?format=csv`, { token: reviewer.token })).status).toBe(404);
    expect((await api(`/v1/admin/chats/${hidden}`, { method: 'DELETE', token: reviewer.token })).status).toBe(403);
    const denied = (await fx.auditEntries({ action: 'access.denied' })).filter((e) => e.actor === `staff:${reviewer.id}`);
    expect(denied.map((e) => [e.target, e.details, e.ip, e.chatId, e.frontendId])).toEqual([
      [`chat:${hidden}`, { attempted: 'chat.view', reason: 'other front end' }, '127.0.0.1', null, null],
      [`chat:${unknown}`, { attempted: 'chat.export', reason: 'no such chat' }, '127.0.0.1', null, null],
      ['DELETE /v1/admin/chats/:chatId', { required: 'admin', role: 'reviewer' }, '127.0.0.1', null, null],
    ]);
    // The 404 is the same either way: the audit trail knows more than the caller learns.
    const [a, b] = [await api(`/v1/admin/chats/${hidden}`, { token: reviewer.token }), await api(`/v1/admin/chats/${unknown}`, { token: reviewer.token })];
    expect([a.body.error.code, a.body.error.message]).toEqual([b.body.error.code, b.body.error.message]);
  });

  it('exports JSON equal to the view, as an attachment', async () => {
    const view = await api(`/v1/admin/chats/${chatId}`);
    const res = await api(`/v1/admin/chats/${chatId}/export?format=json`, { token: reviewer.token });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="chat-${chatId}.json"`);
    expect(JSON.parse(res.text)).toEqual(view.body);
    const byDefault = await api(`/v1/admin/chats/${chatId}/export`);
    expect(JSON.parse(byDefault.text)).toEqual(view.body);
  });

  it('exports CSV that parses back, with formula cells neutralised', async () => {
    const res = await api(`/v1/admin/chats/${chatId}/export?format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="chat-${chatId}.csv"`);
    const rows = parseCsv(res.text);
    expect(rows[0]).toEqual(['seq', 'absoluteTime', 'participantRole', 'displayName', 'type', 'contentType', 'content']);
    expect(rows).toHaveLength(9);
    expect(rows[2]).toEqual(['2', at(2).toISOString(), 'CUSTOMER', 'Jane', 'MESSAGE', 'text/plain', 'Hello, "quotes", commas\nand a second line']);
    expect(rows[3]![3]).toBe("'@admin");
    expect(rows[3]![6]).toBe(`'=HYPERLINK("http://evil.example","click")`);
    expect(rows[4]![6]).toBe("'+1+2");
    expect(rows[5]![6]).toBe("'-5 degrees");
    expect(rows[6]![6]).toBe("'\tTabbed");
    expect(rows[8]).toEqual(['8', at(10).toISOString(), 'SYSTEM', '', 'EVENT', 'application/vnd.amazonaws.connect.event.chat.ended', '']);
    // No cell of the raw file starts with a formula character.
    for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('exports text lines', async () => {
    const res = await api(`/v1/admin/chats/${chatId}/export?format=txt`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="chat-${chatId}.txt"`);
    const lines = res.text.trimEnd().split('\n');
    expect(lines).toHaveLength(8);
    expect(lines[1]).toBe(`[${at(2).toISOString()}] Jane (CUSTOMER): Hello, "quotes", commas\\nand a second line`);
    expect(lines[4]).toBe(`[${at(7).toISOString()}] Sam (AGENT): -5 degrees`);
    expect(lines[0]).toBe(`[${at(1).toISOString()}] Jane (CUSTOMER): application/vnd.amazonaws.connect.event.participant.joined`);
    expect(lines[6]).toBe(`[${at(9).toISOString()}] Jane (CUSTOMER): [attachment] photo.png`);
  });

  it('audits every export with its format and refuses unknown formats', async () => {
    const formats = (await fx.auditEntries({ action: 'chat.export', chatId })).map((e) => e.details?.format);
    expect(formats).toEqual(expect.arrayContaining(['json', 'csv', 'txt']));
    const bad = await api(`/v1/admin/chats/${chatId}/export?format=xml`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('format');
  });

  it('erases: admin only, 409 for an active chat unless forced, items gone, audit entries kept', async () => {
    const active = await fx.chat({ frontendId: A, status: 'active', startedAt: at(100) });
    await fx.items(active, [{ content: 'still talking' }]);
    await api(`/v1/admin/chats/${active}`);
    expect((await api(`/v1/admin/chats/${active}`, { method: 'DELETE', token: reviewer.token })).status).toBe(403);
    const conflict = await api(`/v1/admin/chats/${active}`, { method: 'DELETE' });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('CONFLICT');
    expect((await api(`/v1/admin/chats/${active}?force=yes`, { method: 'DELETE' })).status).toBe(400);
    const forced = await api(`/v1/admin/chats/${active}?force=true`, { method: 'DELETE' });
    expect(forced.status).toBe(204);
    expect((await api(`/v1/admin/chats/${active}`)).status).toBe(404);
    const { rows } = await fx.pool.query('SELECT count(*)::int AS n FROM chat_items WHERE chat_id = $1', [active]);
    expect(rows[0].n).toBe(0);
    const entries = await fx.auditEntries({ chatId: active });
    expect(entries.map((e) => e.action)).toEqual(['chat.view', 'chat.erase']);
    expect(entries[1]).toMatchObject({ actor: 'staff:bootstrap-admin', target: `chat:${active}`, details: { items: 1, status: 'active', forced: true } });

    const ended = await fx.chat({ frontendId: A, startedAt: at(200) });
    await fx.manyItems(ended, 12_000, 20);
    expect((await api(`/v1/admin/chats/${ended}`, { method: 'DELETE' })).status).toBe(204);
    expect((await fx.auditEntries({ action: 'chat.erase', chatId: ended }))[0]!.details).toMatchObject({ items: 12_000, forced: false });
    expect((await api(`/v1/admin/chats/${ended}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('serves the audit log to admins with filters and cursor pages', async () => {
    const res = await api(`/v1/admin/audit?chatId=${chatId}&limit=2`);
    expect(res.status).toBe(200);
    const all: { id: string; at: string; action: string; chatId: string }[] = [...res.body.entries];
    let cursor = res.body.nextCursor as string | null;
    while (cursor) {
      const page = await api(`/v1/admin/audit?chatId=${chatId}&limit=2&cursor=${cursor}`);
      all.push(...page.body.entries);
      cursor = page.body.nextCursor;
    }
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
    expect(all.every((e) => e.chatId === chatId)).toBe(true);
    expect(all.map((e) => e.action)).toEqual(expect.arrayContaining(['chat.view', 'chat.export']));
    const times = all.map((e) => e.at);
    expect([...times].sort().reverse()).toEqual(times);
    expect(res.body.entries[0]).toEqual({
      id: expect.any(String), at: expect.stringMatching(/Z$/), actor: expect.any(String), action: expect.any(String),
      target: `chat:${chatId}`, chatId, frontendId: A, ip: '127.0.0.1', details: expect.anything(),
    });

    const byActor = await api(`/v1/admin/audit?actor=${encodeURIComponent(`staff:${reviewer.id}`)}&action=chat.view`);
    expect(byActor.body.entries.length).toBeGreaterThan(0);
    expect(byActor.body.entries.every((e: { actor: string; action: string }) => e.actor === `staff:${reviewer.id}` && e.action === 'chat.view')).toBe(true);
    expect((await api('/v1/admin/audit?from=2000-01-01&to=2000-01-02')).body.entries).toEqual([]);
    expect((await api('/v1/admin/audit?to=2999-01-01&limit=1')).body.entries).toHaveLength(1);
    for (const q of ['cursor=nope', 'limit=0', 'limit=501', 'from=soon', 'chatId=x']) expect((await api(`/v1/admin/audit?${q}`)).status).toBe(400);
    expect((await fx.auditEntries({ action: 'audit.search' })).length).toBeGreaterThan(0);
  });

  it('keeps the audit table append-only in the database', async () => {
    const client = new pg.Client(gw.databaseUrl);
    await client.connect();
    try {
      await expect(client.query(`UPDATE audit_entries SET actor = 'someone else'`)).rejects.toThrow(/append-only/);
      await expect(client.query(`DELETE FROM audit_entries WHERE chat_id = $1`, [chatId])).rejects.toThrow(/append-only/);
      await expect(client.query(`TRUNCATE audit_entries`)).rejects.toThrow(/append-only/);
    } finally {
      await client.end();
    }
  });

  describe('retention job', () => {
    let opened: OpenedAdapter;
    let prisma: PrismaService;
    let retention: RetentionService;
    beforeAll(async () => {
      opened = await openAdapter({ kind: 'postgres', url: gw.databaseUrl }, 2);
      prisma = new PrismaService(opened);
      retention = new RetentionService(new StaffChatsRepository(prisma), new AuditService(new AuditRepository(prisma)));
    });
    afterAll(async () => {
      await prisma?.onModuleDestroy();
    });

    it('erases ended chats older than the front end retention, in batches, audited', async () => {
      const now = new Date('2026-11-26T12:00:00.000Z');
      const daysAgo = (d: number): Date => new Date(now.getTime() - d * 86_400_000);
      const R = await fx.frontend({ name: 'R', retentionDays: 30 });
      const keep = await fx.frontend({ name: 'keep forever', retentionDays: null });
      const expired: string[] = [];
      for (let i = 0; i < 5; i++) {
        const id = await fx.chat({ frontendId: R, startedAt: daysAgo(45 + i), endedAt: daysAgo(40 + i) });
        await fx.items(id, [{ content: 'old' }, { content: 'older' }]);
        expired.push(id);
      }
      const recent = await fx.chat({ frontendId: R, startedAt: daysAgo(11), endedAt: daysAgo(10) });
      const longRunning = await fx.chat({ frontendId: R, status: 'active', startedAt: daysAgo(100) });
      const endedLongAgoElsewhere = await fx.chat({ frontendId: keep, startedAt: daysAgo(400), endedAt: daysAgo(399) });

      const result = await retention.runOnce({ now, batchSize: 2, pauseMs: 1 });
      expect(result).toEqual({ chats: 5, items: 10 });
      const { rows } = await fx.pool.query<{ id: string }>('SELECT id FROM chats WHERE id = ANY($1::uuid[])', [[...expired, recent, longRunning, endedLongAgoElsewhere]]);
      expect(new Set(rows.map((r) => r.id))).toEqual(new Set([recent, longRunning, endedLongAgoElsewhere]));
      const audit = (await fx.auditEntries({ action: 'retention.erase' })).filter((e) => e.frontendId === R);
      expect(audit.map((e) => e.details?.chats)).toEqual([2, 2, 1]);
      expect(audit.every((e) => e.actor === 'system')).toBe(true);
      expect(audit.flatMap((e) => e.details?.chatIds as string[]).sort()).toEqual([...expired].sort());
      expect(await retention.runOnce({ now, pauseMs: 1 })).toEqual({ chats: 0, items: 0 });
    });
  });
});
