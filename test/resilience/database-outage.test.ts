import { startTestStack } from '../support/gateway-harness.js';
import type { GatewayProcess, TestStack } from '../support/gateway-harness.js';
import { EmulatorControl } from '../support/emulator-control.js';
import { until } from '../support/poll.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { TestTab, createFrontend, startChat } from '../support/widget-client.js';
import type { StartedChat, TestFrontend } from '../support/widget-client.js';
import { FAST_ENV, OPEN_LIMITS, connectIds, expectExact, metric, sendReliably, untilCaughtUp, via } from './exactness.js';

interface Conversation {
  chat: StartedChat;
  tab: TestTab;
  sent: { customer: string[]; agent: string[] };
}

/**
 * Postgres unreachable for a while (a TCP proxy between the gateway and the machine's Postgres is cut):
 * items are held in memory (bounded), nothing reaches a browser before it is stored, readiness says so,
 * the process stays up, and once the database is back every item is stored exactly once.
 */
describe('database outage', () => {
  let stack: TestStack;
  let proxy: TcpProxy;
  let gateway: GatewayProcess;
  let emu: EmulatorControl;
  let frontend: TestFrontend;
  const tabs: TestTab[] = [];

  async function begin(env: Record<string, string> = {}): Promise<void> {
    stack = await startTestStack(FAST_ENV);
    proxy = await TcpProxy.start('127.0.0.1', Number(new URL(stack.database.url).port || 5432));
    const { DATABASE_URL_QUERY: query = '', ...rest } = env;
    gateway = await stack.spawnAnother({ DATABASE_URL: `${proxy.url(stack.database.url)}${query}`, ...rest });
    await stack.gateway.stop('SIGTERM');
    emu = new EmulatorControl(stack.emulator.url);
    await emu.configure(OPEN_LIMITS);
    frontend = await createFrontend(via(stack, gateway));
  }

  afterEach(async () => {
    tabs.splice(0).forEach((t) => t.close());
    proxy?.restore();
    await stack?.close();
    await proxy?.close();
  });

  async function conversations(n: number): Promise<Conversation[]> {
    return Promise.all(Array.from({ length: n }, async () => {
      const chat = await startChat(via(stack, gateway), frontend);
      const tab = await TestTab.open(via(stack, gateway), chat.sessionToken);
      tabs.push(tab);
      await emu.agentJoin(chat.contactId);
      return { chat, tab, sent: { customer: [], agent: [] } };
    }));
  }

  async function agentSays(c: Conversation, content: string): Promise<void> {
    await emu.agentSay(c.chat.contactId, content);
    c.sent.agent.push(content);
  }

  async function customerSays(c: Conversation, content: string): Promise<void> {
    await sendReliably(() => c.tab, content, content, 120_000);
    c.sent.customer.push(content);
  }

  async function ready(): Promise<number> {
    return (await fetch(`${gateway.url}/health/ready`)).status;
  }

  it('holds what arrives while Postgres is unreachable, shows nothing unstored, and stores it all exactly once when it returns', async () => {
    await begin();
    const all = await conversations(3);
    for (const c of all) for (let i = 0; i < 3; i++) await Promise.all([agentSays(c, `before ${i}`), customerSays(c, `customer before ${i}`)]);
    for (const c of all) await untilCaughtUp(emu, c.chat.contactId, () => c.tab.items());
    const shown = all.map((c) => c.tab.items().length);

    proxy.cut();
    // The customers keep typing: their sends reach Connect, their acks wait for the database.
    const customers = Promise.all(all.map((c) => customerSays(c, `customer during ${c.chat.chatId.slice(0, 8)}`)));
    for (let i = 0; i < 10; i++) for (const c of all) await agentSays(c, `during ${i}`);
    await until(async () => (await ready()) === 503, 'readiness reports the outage', 20_000);
    const health = (await (await fetch(`${gateway.url}/health/ready`)).json()) as { error?: Record<string, unknown> };
    expect(Object.keys(health.error ?? {})).toContain('database');
    await until(async () => (await metric(gateway, 'gateway_item_write_backlog')) >= 30, 'the items held in memory', 20_000);
    expect(await metric(gateway, 'gateway_item_write_backlog_bytes')).toBeGreaterThan(0);
    expect(await metric(gateway, 'gateway_item_write_errors_total')).toBeGreaterThan(0);
    // Durable before visible: no browser got any of them.
    expect(all.map((c) => c.tab.items().length)).toEqual(shown);

    proxy.restore();
    await customers;
    for (const c of all) await customerSays(c, 'customer after');
    for (const c of all) await agentSays(c, 'after');
    for (const c of all) {
      await untilCaughtUp(emu, c.chat.contactId, () => c.tab.items(), 60_000);
      await expectExact(emu, c.chat.contactId, c.tab.items(), c.sent);
    }
    await until(async () => (await ready()) === 200, 'ready again', 20_000);
    expect(await metric(gateway, 'gateway_item_write_backlog')).toBe(0);
    // Only statements that committed are timed: the failed ones during the outage are not.
    const commits = await metric(gateway, 'gateway_item_commit_seconds_count');
    expect(commits).toBeGreaterThan(0);
    expect(commits).toBeLessThanOrEqual(await metric(gateway, 'gateway_item_flush_size_count'));
  });

  it('past its memory bound the backlog sheds live items and fetches them from Connect again once the database is back', async () => {
    // About ten items' worth of memory.
    const capBytes = 0.004 * 1024 * 1024;
    await begin({ WRITE_BACKLOG_MAX_MB: '0.004' });
    const [c] = await conversations(1);
    await agentSays(c!, 'before');
    await untilCaughtUp(emu, c!.chat.contactId, () => c!.tab.items());
    const shown = c!.tab.items().length;

    proxy.cut();
    for (let i = 0; i < 40; i++) await agentSays(c!, `during ${i}`);
    await until(async () => (await metric(gateway, 'gateway_items_shed_total')) > 0, 'items shed', 20_000);
    const held = await metric(gateway, 'gateway_item_write_backlog_bytes');
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThan(capBytes + 1000);
    expect(c!.tab.items()).toHaveLength(shown);

    proxy.restore();
    await customerSays(c!, 'customer after');
    await agentSays(c!, 'after');
    await untilCaughtUp(emu, c!.chat.contactId, () => c!.tab.items(), 60_000);
    await expectExact(emu, c!.chat.contactId, c!.tab.items(), c!.sent);
  });

  it('a black-holed path (connections hang, nothing fails): queries time out and the writes resume when it returns', async () => {
    // The app's pool gives up on a query after 60 s; DATABASE_URL's query_timeout shortens that here.
    await begin({ DATABASE_URL_QUERY: '?query_timeout=3000' });
    const [c] = await conversations(1);
    const seen = [c!.tab];
    /** A browser reconnects with its lastSeq whenever the gateway drops its socket (a replay that timed out). */
    const current = async (): Promise<TestTab> => {
      const last = seen[seen.length - 1]!;
      if (last.socket.connected) return last;
      const next = await TestTab.open(via(stack, gateway), c!.chat.sessionToken, seen.flatMap((t) => t.items()).at(-1)?.seq ?? 0);
      tabs.push(next);
      seen.push(next);
      return next;
    };
    await agentSays(c!, 'before');
    await untilCaughtUp(emu, c!.chat.contactId, () => seen.flatMap((t) => t.items()));

    proxy.blackhole();
    for (let i = 0; i < 10; i++) await agentSays(c!, `during ${i}`);
    await until(async () => (await ready()) === 503, 'readiness reports the outage', 20_000);
    await until(async () => (await metric(gateway, 'gateway_item_write_backlog')) >= 10, 'the items held in memory', 20_000);

    proxy.restore();
    await agentSays(c!, 'after');
    await until(async () => {
      await current();
      return seen.flatMap((t) => t.items()).length >= (await connectIds(emu, c!.chat.contactId)).length;
    }, 'the browser caught up', 60_000, 100);
    await expectExact(emu, c!.chat.contactId, seen.flatMap((t) => t.items()), c!.sent);
  });
});
