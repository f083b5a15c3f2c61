import { createHmac, randomUUID } from 'node:crypto';
import pg from 'pg';
import { startTestStack } from '../support/gateway-harness.js';
import type { TestStack } from '../support/gateway-harness.js';
import { EmulatorControl } from '../support/emulator-control.js';
import { ADMIN, TestTab, WIDGET_ORIGIN, createFrontend, postChat, startChat, widgetFetch } from '../support/widget-client.js';
import type { TestFrontend } from '../support/widget-client.js';

/** Every refusal must leave Connect and the database untouched. */
describe('refused widget requests change nothing', () => {
  let stack: TestStack;
  let emu: EmulatorControl;
  let frontend: TestFrontend;
  let db: pg.Client;

  beforeAll(async () => {
    stack = await startTestStack();
    emu = new EmulatorControl(stack.emulator.url);
    frontend = await createFrontend(stack);
    db = new pg.Client(stack.database.url);
    await db.connect();
  });

  afterAll(async () => {
    await db.end();
    await stack.close();
  });

  async function counts(): Promise<{ contacts: number; chats: number; items: number }> {
    const contacts = (await emu.contacts()).contacts.length;
    const chats = Number((await db.query('SELECT count(*) AS n FROM chats')).rows[0].n);
    // Messages only: a chat started just before may still be storing its own join events.
    const items = Number((await db.query(`SELECT count(*) AS n FROM chat_items WHERE type = 'MESSAGE'`)).rows[0].n);
    return { contacts, chats, items };
  }

  async function expectRefused(res: Response, status: number, code: string): Promise<{ error: { code: string; message: string; details?: { field: string }[] } }> {
    const body = (await res.json()) as { error: { code: string; message: string; details?: { field: string }[] } };
    expect({ status: res.status, code: body.error?.code }).toEqual({ status, code });
    expect(body.error.message).toEqual(expect.any(String));
    return body;
  }

  function sign(id: string, issuedAt: number, secret = frontend.secret): string {
    return createHmac('sha256', secret).update(`${id}.${issuedAt}`).digest('hex');
  }

  describe('POST /v1/chats', () => {
    let before: Awaited<ReturnType<typeof counts>>;
    beforeEach(async () => {
      before = await counts();
    });
    afterEach(async () => {
      expect(await counts()).toEqual(before);
    });

    it('without or with an unknown front-end key: 401', async () => {
      await expectRefused(await postChat(stack, frontend, {}, { 'x-frontend-key': '' }), 401, 'UNAUTHENTICATED');
      await expectRefused(await postChat(stack, frontend, {}, { 'x-frontend-key': 'pk_unknown' }), 401, 'UNAUTHENTICATED');
    });

    it('from an origin the front end does not allow: 403', async () => {
      await expectRefused(await postChat(stack, frontend, {}, { origin: 'https://evil.example' }), 403, 'FORBIDDEN');
    });

    it('with a bad or stale customer signature: 401', async () => {
      const now = Math.floor(Date.now() / 1000);
      const tampered = sign('cust-1', now).replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
      await expectRefused(await postChat(stack, frontend, { customer: { id: 'cust-1', issuedAt: now, signature: tampered } }), 401, 'UNAUTHENTICATED');
      await expectRefused(await postChat(stack, frontend, { customer: { id: 'cust-2', issuedAt: now, signature: sign('cust-1', now) } }), 401, 'UNAUTHENTICATED');
      const old = now - 86400 - 10;
      await expectRefused(await postChat(stack, frontend, { customer: { id: 'cust-1', issuedAt: old, signature: sign('cust-1', old) } }), 401, 'UNAUTHENTICATED');
      await expectRefused(await postChat(stack, frontend, { customer: { id: 'cust-1', issuedAt: now, signature: sign('cust-1', now, 'sk_wrong') } }), 401, 'UNAUTHENTICATED');
    });

    it('with an attribute key the front end does not allow, or a reserved one: 400', async () => {
      const body = await expectRefused(await postChat(stack, frontend, { attributes: { couponCode: 'X' } }), 400, 'VALIDATION_FAILED');
      expect(body.error.details).toEqual([{ field: 'attributes.couponCode', message: expect.any(String) }]);
      await expectRefused(await postChat(stack, frontend, { attributes: { gatewayCustomerId: 'someone-else' } }), 400, 'VALIDATION_FAILED');
    });

    it('with malformed bodies: 400 naming the field', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ displayName: '' }, 'displayName'],
        [{ displayName: 'x'.repeat(257) }, 'displayName'],
        [{ displayName: 42 }, 'displayName'],
        [{ customer: { id: 'c', issuedAt: 'yesterday', signature: 'ab' } }, 'customer.issuedAt'],
        [{ attributes: { orderId: 7 } }, 'attributes.orderId'],
        [{ resume: 'yes' }, 'resume'],
        [{ initialMessage: { contentType: 'text/plain', content: '' } }, 'initialMessage.content'],
        [{ initialMessage: { contentType: 'image/png', content: 'x' } }, 'initialMessage.contentType'],
      ];
      for (const [body, field] of cases) {
        const refused = await expectRefused(await postChat(stack, frontend, body), 400, 'VALIDATION_FAILED');
        expect(refused.error.details?.map((d) => d.field)).toContain(field);
      }
      const notJson = await fetch(`${stack.gateway.url}/v1/chats`, {
        method: 'POST', headers: { 'x-frontend-key': frontend.publicKey, 'content-type': 'application/json' }, body: '{"displayName":',
      });
      await expectRefused(notJson, 400, 'VALIDATION_FAILED');
    });

    it('with an initial message over its content type limit: 413', async () => {
      await expectRefused(await postChat(stack, frontend, { initialMessage: { contentType: 'text/plain', content: 'x'.repeat(1025) } }), 413, 'PAYLOAD_TOO_LARGE');
    });

    it('with an idempotency key reused for another body: 409 (the first chat only)', async () => {
      const key = randomUUID();
      const first = await postChat(stack, frontend, { displayName: 'First' }, { 'idempotency-key': key });
      expect(first.status).toBe(201);
      const firstBody = await first.json();
      before = await counts();
      const replay = await postChat(stack, frontend, { displayName: 'First' }, { 'idempotency-key': key });
      expect(replay.status).toBe(201);
      expect(await replay.json()).toEqual(firstBody);
      await expectRefused(await postChat(stack, frontend, { displayName: 'Second' }, { 'idempotency-key': key }), 409, 'CONFLICT');
      await expectRefused(await postChat(stack, frontend, {}, { 'idempotency-key': 'short' }), 400, 'VALIDATION_FAILED');
    });
  });

  describe('session tokens', () => {
    it('refuse missing, malformed, tampered and foreign tokens', async () => {
      const a = await startChat(stack, frontend);
      const b = await startChat(stack, frontend);
      const tampered = a.sessionToken.replace(a.chatId, b.chatId);
      for (const token of [undefined, 'garbage', tampered, `${a.sessionToken.slice(0, -1)}0`]) {
        const res = await fetch(`${stack.gateway.url}/v1/chats/${a.chatId}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
        await expectRefused(res, 401, 'UNAUTHENTICATED');
      }
      await expectRefused(await widgetFetch(stack, a, `/v1/chats/${b.chatId}`), 404, 'NOT_FOUND');
      await expectRefused(await widgetFetch(stack, a, `/v1/chats/${b.chatId}/messages`, { method: 'POST', body: JSON.stringify({ content: 'x', clientMessageId: 'x' }) }), 404, 'NOT_FOUND');
      await expectRefused(await widgetFetch(stack, a, `/v1/chats/${a.chatId}`, { headers: { origin: 'https://evil.example' } }), 403, 'FORBIDDEN');
      const ok = await widgetFetch(stack, a, `/v1/chats/${a.chatId}`);
      expect(ok.status).toBe(200);
      expect(ok.headers.get('access-control-allow-origin')).toBe(WIDGET_ORIGIN);
    });

    it('expire 24 h after the chat ended (SESSION_TTL_AFTER_END_HOURS)', async () => {
      const chat = await startChat(stack, frontend);
      await widgetFetch(stack, chat, `/v1/chats/${chat.chatId}/end`, { method: 'POST' });
      await db.query(`UPDATE chats SET status = 'ended', ended_at = now() - interval '25 hours' WHERE id = $1`, [chat.chatId]);
      await expectRefused(await widgetFetch(stack, chat, `/v1/chats/${chat.chatId}`), 401, 'UNAUTHENTICATED');
    });
  });

  describe('messages', () => {
    it('refuse oversize content per content type, unknown or disabled types, empty content', async () => {
      const chat = await startChat(stack, frontend);
      const before = await counts();
      const send = (body: Record<string, unknown>): Promise<Response> =>
        widgetFetch(stack, chat, `/v1/chats/${chat.chatId}/messages`, { method: 'POST', body: JSON.stringify({ clientMessageId: randomUUID().slice(0, 30), ...body }) });
      await expectRefused(await send({ content: 'x'.repeat(1025) }), 413, 'PAYLOAD_TOO_LARGE');
      await expectRefused(await send({ content: 'x'.repeat(1025), contentType: 'text/markdown' }), 413, 'PAYLOAD_TOO_LARGE');
      await expectRefused(await send({ content: `"${'x'.repeat(12000)}"`, contentType: 'application/json' }), 413, 'PAYLOAD_TOO_LARGE');
      await expectRefused(await send({ content: '{}', contentType: 'application/vnd.amazonaws.connect.message.interactive.response' }), 400, 'VALIDATION_FAILED');
      await expectRefused(await send({ content: 'hi', contentType: 'text/html' }), 400, 'VALIDATION_FAILED');
      await expectRefused(await send({ content: '' }), 400, 'VALIDATION_FAILED');
      await expectRefused(await send({ content: 'hi', clientMessageId: 'x'.repeat(65) }), 400, 'VALIDATION_FAILED');
      expect(await counts()).toEqual(before);
      const ok = await send({ content: 'x'.repeat(1024) });
      expect(ok.status).toBe(201);
    });
  });

  describe('Socket.IO', () => {
    function connectError(token: unknown, extra: Record<string, unknown> = {}, origin = WIDGET_ORIGIN): Promise<string> {
      const tab = new TestTab(stack, token as string, undefined, origin);
      if (Object.keys(extra).length) Object.assign(tab.socket.auth as object, extra);
      return new Promise((resolve, reject) => {
        tab.socket.once('connect', () => {
          tab.close();
          reject(new Error('connected'));
        });
        tab.socket.once('connect_error', (err) => {
          expect(tab.events).toEqual([]);
          tab.close();
          resolve(err.message);
        });
      });
    }

    it('fails the handshake closed with the contract codes', async () => {
      const chat = await startChat(stack, frontend);
      expect(await connectError(undefined)).toBe('UNAUTHENTICATED');
      expect(await connectError('st1.garbage')).toBe('UNAUTHENTICATED');
      expect(await connectError(chat.sessionToken, {}, 'https://evil.example')).toBe('FORBIDDEN');
      for (const lastSeq of [-1, 1.5, 'x', {}]) expect(await connectError(chat.sessionToken, { lastSeq })).toBe('VALIDATION_FAILED');
    });

    it('answers malformed payloads with VALIDATION_FAILED and keeps working', async () => {
      const chat = await startChat(stack, frontend);
      const tab = await TestTab.open(stack, chat.sessionToken);
      const before = await counts();
      const bad: [string, unknown][] = [
        ['chat:send', 'just a string'],
        ['chat:send', { content: 42, clientMessageId: 'a' }],
        ['chat:send', { content: 'hi' }],
        ['chat:send', { content: 'hi', clientMessageId: 'a', contentType: 'text/html' }],
        ['chat:send', null],
        ['chat:read', {}],
        ['chat:read', { messageId: 7 }],
        ['chat:delivered', []],
        ['chat:sync', { afterSeq: -1 }],
        ['chat:sync', { afterSeq: 0, limit: 501 }],
        ['chat:sync', 'nope'],
        ['chat:typing', 'nope'],
        ['chat:typing', 5],
        ['chat:read', null],
        ['chat:delivered', 'x'],
        ['chat:sync', undefined],
      ];
      const refused = { ok: false, error: { code: 'VALIDATION_FAILED', message: expect.any(String) } };
      for (const [event, payload] of bad) {
        const ack = await tab.emit(event, payload);
        expect({ event, ack }).toEqual({ event, ack: refused });
      }
      // No payload at all, or more than one argument, before the ack callback.
      const timed = tab.socket.timeout(15_000);
      for (const event of ['chat:send', 'chat:read', 'chat:delivered', 'chat:sync']) {
        expect({ event, ack: await timed.emitWithAck(event) }).toEqual({ event, ack: refused });
        expect({ event, ack: await timed.emitWithAck(event, { afterSeq: 0 }, 'extra') }).toEqual({ event, ack: refused });
      }
      // Malformed payloads without an ack callback: nothing to answer, nothing breaks.
      for (const [event, payload] of bad) tab.socket.emit(event, payload);
      for (const event of ['chat:send', 'chat:read', 'chat:delivered', 'chat:sync', 'chat:typing']) tab.socket.emit(event);
      const big = await tab.emit('chat:send', { content: 'x'.repeat(1025), clientMessageId: 'big' });
      expect(big.error?.code).toBe('PAYLOAD_TOO_LARGE');
      expect(await counts()).toEqual(before);
      tab.socket.emit('chat:send', { content: 'no ack callback', clientMessageId: 'noack' });
      const ok = await tab.emit('chat:send', { content: 'still alive', clientMessageId: 'alive' });
      expect(ok.ok).toBe(true);
      expect(tab.socket.connected).toBe(true);
      tab.close();
    });
  });
});

describe('Connect unreachable or failing at chat start', () => {
  let stack: TestStack;
  let emu: EmulatorControl;
  let frontend: TestFrontend;

  beforeAll(async () => {
    stack = await startTestStack();
    emu = new EmulatorControl(stack.emulator.url);
    frontend = await createFrontend(stack);
  });

  afterAll(async () => {
    await stack.close();
  });

  const failStarts = (count: number): Promise<unknown> => emu.configure({
    failNext: [{ operation: 'StartChatContact', status: 500, errorType: 'InternalServiceException', count }],
  });

  it('tries StartChatContact again with the same ClientToken: one contact, one chat', async () => {
    const before = (await emu.contacts()).contacts.length;
    await failStarts(2);
    const res = await postChat(stack, frontend);
    expect(res.status).toBe(201);
    expect((await emu.contacts()).contacts.length).toBe(before + 1);
  });

  it('answers 503 UPSTREAM_UNAVAILABLE with Retry-After when Connect keeps failing, and starts nothing', async () => {
    const before = (await emu.contacts()).contacts.length;
    await failStarts(3);
    const res = await postChat(stack, frontend);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect((await emu.contacts()).contacts.length).toBe(before);
    await emu.configure({ failNext: [] });
  });
});

describe('chat start rate limits and identities', () => {
  let stack: TestStack;
  let frontend: TestFrontend;

  beforeAll(async () => {
    stack = await startTestStack({ CHAT_STARTS_PER_MINUTE_PER_IP: '3' });
    frontend = await createFrontend(stack);
  });

  afterAll(async () => {
    await stack.close();
  });

  it('limits chat starts per client IP with 429 RATE_LIMITED and Retry-After', async () => {
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 5; i++) {
      const res = await postChat(stack, frontend);
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(statuses).toEqual([201, 201, 201, 429, 429]);
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited!.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    expect((await new EmulatorControl(stack.emulator.url).contacts()).contacts).toHaveLength(3);
  });
});

describe('verified customers', () => {
  let stack: TestStack;
  let frontend: TestFrontend;

  beforeAll(async () => {
    stack = await startTestStack();
    frontend = await createFrontend(stack);
  });

  afterAll(async () => {
    await stack.close();
  });

  it('resumes the active chat of a verified customer with a fresh token (200)', async () => {
    const issuedAt = Math.floor(Date.now() / 1000);
    const customer = { id: 'cust-42', issuedAt, signature: createHmac('sha256', frontend.secret).update(`cust-42.${issuedAt}`).digest('hex') };
    const first = await postChat(stack, frontend, { customer, attributes: { orderId: 'A-1001' } });
    expect(first.status).toBe(201);
    const chat = (await first.json()) as { chatId: string; sessionToken: string };
    const resumed = await postChat(stack, frontend, { customer, resume: true });
    expect(resumed.status).toBe(200);
    const again = (await resumed.json()) as { chatId: string; sessionToken: string; status: string };
    expect(again.chatId).toBe(chat.chatId);
    expect(again.status).toBe('active');
    const view = await widgetFetch(stack, again, `/v1/chats/${chat.chatId}`);
    expect(view.status).toBe(200);
    const fresh = await postChat(stack, frontend, { customer });
    expect(fresh.status).toBe(201);
    expect(((await fresh.json()) as { chatId: string }).chatId).not.toBe(chat.chatId);
  });

  it('refuses identities signed with a secret that was rotated away', async () => {
    const fe = await createFrontend(stack);
    const issuedAt = Math.floor(Date.now() / 1000);
    const signed = (secret: string): Record<string, unknown> =>
      ({ id: 'cust-7', issuedAt, signature: createHmac('sha256', secret).update(`cust-7.${issuedAt}`).digest('hex') });
    expect((await postChat(stack, fe, { customer: signed(fe.secret) })).status).toBe(201);
    const rotated = await fetch(`${stack.gateway.url}/v1/admin/frontends/${fe.id}/rotate-secret`, { method: 'POST', headers: ADMIN });
    const { secret } = (await rotated.json()) as { secret: string };
    expect((await postChat(stack, fe, { customer: signed(fe.secret) })).status).toBe(401);
    expect((await postChat(stack, fe, { customer: signed(secret) })).status).toBe(201);
  });
});
