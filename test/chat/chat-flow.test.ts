import { startTestStack } from '../support/gateway-harness.js';
import type { TestStack } from '../support/gateway-harness.js';
import { EmulatorControl } from '../support/emulator-control.js';
import { until } from '../support/poll.js';
import { TestTab, assertGapless, createFrontend, startChat, widgetFetch } from '../support/widget-client.js';
import type { TestFrontend } from '../support/widget-client.js';

describe('chats end to end (emulator over HTTP and WebSocket)', () => {
  let stack: TestStack;
  let emu: EmulatorControl;
  let frontend: TestFrontend;
  const tabs: TestTab[] = [];

  beforeAll(async () => {
    stack = await startTestStack();
    emu = new EmulatorControl(stack.emulator.url);
    frontend = await createFrontend(stack);
  });

  afterEach(() => {
    tabs.splice(0).forEach((t) => t.close());
  });

  afterAll(async () => {
    await stack.close();
  });

  async function tab(token: string, lastSeq?: number): Promise<TestTab> {
    const t = await TestTab.open(stack, token, lastSeq);
    tabs.push(t);
    return t;
  }

  it('starts a chat and fans agent messages out to every tab exactly once, in order', async () => {
    const chat = await startChat(stack, frontend, { initialMessage: { contentType: 'text/plain', content: 'Where is my order?' } });
    expect(chat).toMatchObject({ chatId: expect.any(String), sessionToken: expect.stringMatching(/^st1\./), contactId: expect.any(String), status: 'active' });
    const a = await tab(chat.sessionToken);
    const b = await tab(chat.sessionToken);
    expect(a.events[0]).toEqual({ event: 'chat:state', data: { status: 'active', lastSeq: expect.any(Number) } });
    await emu.agentJoin(chat.contactId);
    for (let i = 1; i <= 10; i++) await emu.agentSay(chat.contactId, `agent ${i}`);
    const expected = ['Where is my order?', ...Array.from({ length: 10 }, (_, i) => `agent ${i + 1}`)];
    for (const t of [a, b]) {
      await t.waitFor((x) => x.messages().length >= expected.length, 'all messages');
      expect(t.messages()).toEqual(expected);
      assertGapless(t.items());
    }
    expect(a.items()).toEqual(b.items());
    const agentItem = a.items().find((i) => i.content === 'agent 1')!;
    expect(agentItem).toMatchObject({ type: 'MESSAGE', participantRole: 'AGENT', contentType: 'text/plain' });
  });

  it('sends from one tab: Connect gets it once, the other tab gets it once, with its clientMessageId', async () => {
    const chat = await startChat(stack, frontend);
    const a = await tab(chat.sessionToken);
    const b = await tab(chat.sessionToken);
    const ack = await a.emit<{ item: { id: string; seq: number; clientMessageId: string } }>('chat:send', { content: 'hello there', clientMessageId: 'm-1' });
    expect(ack.ok).toBe(true);
    expect(ack.data!.item).toMatchObject({ content: 'hello there', clientMessageId: 'm-1', participantRole: 'CUSTOMER' });
    const again = await a.emit<{ item: { id: string } }>('chat:send', { content: 'hello there', clientMessageId: 'm-1' });
    expect(again.data!.item.id).toBe(ack.data!.item.id);
    const conflict = await a.emit('chat:send', { content: 'something else', clientMessageId: 'm-1' });
    expect(conflict).toEqual({ ok: false, error: { code: 'CONFLICT', message: expect.any(String) } });
    await b.waitFor((x) => x.messages().includes('hello there'), 'message on tab b');
    expect(b.messages().filter((m) => m === 'hello there')).toHaveLength(1);
    const transcript = await emu.transcript(chat.contactId);
    expect(transcript.filter((i) => i.Content === 'hello there')).toHaveLength(1);
    expect(b.items().find((i) => i.content === 'hello there')!.clientMessageId).toBe('m-1');
  });

  it('replays exactly what a disconnected tab missed, and sync/REST agree', async () => {
    const chat = await startChat(stack, frontend);
    const first = await tab(chat.sessionToken);
    await emu.agentJoin(chat.contactId);
    await first.waitFor((x) => x.items().some((i) => i.participantRole === 'AGENT'), 'agent joined');
    const cursor = first.lastSeq();
    first.close();
    for (let i = 1; i <= 20; i++) await emu.agentSay(chat.contactId, `missed ${i}`);
    await until(async () => {
      const res = await widgetFetch(stack, chat, `/v1/chats/${chat.chatId}`);
      return ((await res.json()) as { lastSeq: number }).lastSeq >= cursor + 20;
    }, 'gateway stored the 20 messages');
    const back = await tab(chat.sessionToken, cursor);
    await back.waitFor((x) => x.items().length >= 20, 'replayed items');
    expect(back.items().map((i) => i.content)).toEqual(Array.from({ length: 20 }, (_, i) => `missed ${i + 1}`));
    assertGapless(back.items(), cursor + 1);
    // Read with the replay, so never older than the items that follow it.
    expect(back.events[0]).toEqual({ event: 'chat:state', data: { status: 'active', lastSeq: back.items().at(-1)!.seq } });
    const sync = await back.emit<{ items: unknown[]; hasMore: boolean }>('chat:sync', { afterSeq: cursor, limit: 500 });
    const rest = await (await widgetFetch(stack, chat, `/v1/chats/${chat.chatId}/items?afterSeq=${cursor}&limit=500`)).json();
    expect(sync.data).toEqual(rest);
    expect((rest as { items: unknown[] }).items).toEqual(back.items());
  });

  it('stores the same Connect item delivered twice only once', async () => {
    const chat = await startChat(stack, frontend);
    const t = await tab(chat.sessionToken);
    await emu.agentJoin(chat.contactId);
    const sent = await emu.agentSay(chat.contactId, 'only once');
    await t.waitFor((x) => x.messages().includes('only once'), 'message');
    await emu.redeliver(chat.contactId, sent.id);
    await emu.agentSay(chat.contactId, 'after redelivery');
    await t.waitFor((x) => x.messages().includes('after redelivery'), 'next message');
    expect(t.messages().filter((m) => m === 'only once')).toHaveLength(1);
    assertGapless(t.items());
  });

  it('stores an item seen live and again in the backfill after a reconnect only once', async () => {
    const chat = await startChat(stack, frontend);
    const t = await tab(chat.sessionToken);
    await emu.agentJoin(chat.contactId);
    await emu.agentSay(chat.contactId, 'before the drop');
    await t.waitFor((x) => x.messages().includes('before the drop'), 'live message');
    await emu.dropSockets(chat.contactId, 'close');
    await emu.agentSay(chat.contactId, 'while reconnecting');
    await t.waitFor((x) => x.of('chat:state').some((s) => (s as { status: string }).status === 'reconnecting'), 'reconnecting state');
    await t.waitFor((x) => x.messages().includes('while reconnecting'), 'message from the backfill');
    await emu.agentSay(chat.contactId, 'after the reconnect');
    await t.waitFor((x) => x.messages().includes('after the reconnect'), 'live again');
    expect(t.messages()).toEqual(['before the drop', 'while reconnecting', 'after the reconnect']);
    assertGapless(t.items());
    const stored = (await (await widgetFetch(stack, chat, `/v1/chats/${chat.chatId}/items?limit=500`)).json()) as { items: { id: string }[] };
    expect(new Set(stored.items.map((i) => i.id)).size).toBe(stored.items.length);
    expect(stored.items.length).toBe((await emu.transcript(chat.contactId)).length);
  });

  it('passes typing and receipts both ways', async () => {
    const chat = await startChat(stack, frontend);
    const t = await tab(chat.sessionToken);
    await emu.agentJoin(chat.contactId);
    await emu.agentTyping(chat.contactId);
    await t.waitFor((x) => x.of('chat:typing').length > 0, 'agent typing');
    expect(t.of('chat:typing')[0]).toMatchObject({ participantRole: 'AGENT', displayName: 'Agent Smith', at: expect.any(String) });
    const typing = await t.emit('chat:typing', {});
    expect(typing).toEqual({ ok: true, data: {} });
    const sent = await t.emit<{ item: { id: string; seq: number } }>('chat:send', { content: 'read me', clientMessageId: 'r-1' });
    await emu.agentRead(chat.contactId, sent.data!.item.id);
    await t.waitFor((x) => x.of('chat:receipt').some((r) => (r as { messageId: string }).messageId === sent.data!.item.id), 'agent read receipt');
    expect(t.of('chat:receipt').find((r) => (r as { messageId: string }).messageId === sent.data!.item.id))
      .toMatchObject({ seq: sent.data!.item.seq, readAt: expect.any(String) });
    const agentMsg = await emu.agentSay(chat.contactId, 'please read');
    await t.waitFor((x) => x.messages().includes('please read'), 'agent message');
    expect(await t.emit('chat:read', { messageId: agentMsg.id })).toEqual({ ok: true, data: {} });
    await until(async () => {
      const items = (await emu.transcript(chat.contactId)) as { Id: string; MessageMetadata?: { Receipts?: { ReadTimestamp?: string }[] } }[];
      return items.find((i) => i.Id === agentMsg.id)?.MessageMetadata?.Receipts?.some((r) => r.ReadTimestamp);
    }, 'emulator saw the customer read receipt');
    const reconnect = await tab(chat.sessionToken, 1_000_000);
    await reconnect.waitFor((x) => x.of('chat:receipt').length >= 1, 'latest receipts on connect');
  });

  it.each([
    ['the browser', 'customer'],
    ['the agent', 'agent'],
    ['StopContact', 'stopped'],
  ])('ends a chat from %s', async (_who, reason) => {
    const chat = await startChat(stack, frontend);
    const t = await tab(chat.sessionToken);
    await emu.agentJoin(chat.contactId);
    if (reason === 'customer') {
      const ack = await t.emit<{ status: string }>('chat:end', {});
      expect(ack.ok).toBe(true);
    } else if (reason === 'agent') await emu.agentLeave(chat.contactId);
    else await emu.stop(chat.contactId);
    await t.waitFor((x) => x.of('chat:ended').length === 1, 'chat:ended');
    const ended = t.of('chat:ended')[0] as { lastSeq: number; reason: string };
    expect(ended.reason).toBe(reason);
    const items = t.items();
    expect(items[items.length - 1]).toMatchObject({ type: 'EVENT', contentType: 'application/vnd.amazonaws.connect.event.chat.ended' });
    expect(ended.lastSeq).toBe(items[items.length - 1]!.seq);
    const eventsOrder = t.events.map((e) => e.event);
    expect(eventsOrder.lastIndexOf('chat:item')).toBeLessThan(eventsOrder.indexOf('chat:ended'));
    const view = await (await widgetFetch(stack, chat, `/v1/chats/${chat.chatId}`)).json();
    expect(view).toMatchObject({ status: 'ended', endedAt: expect.any(String), lastSeq: ended.lastSeq });
    const send = await t.emit('chat:send', { content: 'too late', clientMessageId: 'late' });
    expect(send).toEqual({ ok: false, error: { code: 'CHAT_ENDED', message: expect.any(String) } });
    const rest = await widgetFetch(stack, chat, `/v1/chats/${chat.chatId}/messages`, { method: 'POST', body: JSON.stringify({ content: 'late', clientMessageId: 'late-2' }) });
    expect(rest.status).toBe(409);
    expect(((await rest.json()) as { error: { code: string } }).error.code).toBe('CHAT_ENDED');
    const end = await widgetFetch(stack, chat, `/v1/chats/${chat.chatId}/end`, { method: 'POST' });
    expect(await end.json()).toEqual({ status: 'ended' });
    const items2 = await (await widgetFetch(stack, chat, `/v1/chats/${chat.chatId}/items`)).json();
    expect((items2 as { items: unknown[] }).items).toHaveLength(items.length);
  });

  it('ends when the chat duration runs out', async () => {
    const chat = await startChat(stack, frontend);
    const t = await tab(chat.sessionToken);
    await emu.expire(chat.contactId);
    await t.waitFor((x) => x.of('chat:ended').length === 1, 'chat:ended');
    expect(['duration', 'stopped']).toContain((t.of('chat:ended')[0] as { reason: string }).reason);
    const view = (await (await widgetFetch(stack, chat, `/v1/chats/${chat.chatId}`)).json()) as { status: string };
    expect(view.status).toBe('ended');
  });

  it('translates Connect throttling into RATE_LIMITED with Retry-After, after its own retries', async () => {
    const chat = await startChat(stack, frontend);
    await emu.configure({ failNext: [{ operation: 'SendMessage', status: 429, errorType: 'ThrottlingException', count: 10, contactId: chat.contactId }] });
    try {
      const res = await widgetFetch(stack, chat, `/v1/chats/${chat.chatId}/messages`, { method: 'POST', body: JSON.stringify({ content: 'busy?', clientMessageId: 'busy-1' }) });
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    } finally {
      await emu.configure({ failNext: [] });
    }
    const again = await widgetFetch(stack, chat, `/v1/chats/${chat.chatId}/messages`, { method: 'POST', body: JSON.stringify({ content: 'busy?', clientMessageId: 'busy-1' }) });
    expect(again.status).toBe(201);
    expect((await emu.transcript(chat.contactId)).filter((i) => i.Content === 'busy?')).toHaveLength(1);
  });
});
