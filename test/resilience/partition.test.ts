import { EmulatorControl } from '../support/emulator-control.js';
import { startTestStack } from '../support/gateway-harness.js';
import type { GatewayProcess, TestStack } from '../support/gateway-harness.js';
import { until } from '../support/poll.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { TestTab, createFrontend, startChat, widgetFetch } from '../support/widget-client.js';
import { FAST_ENV, OPEN_LIMITS, expectExact, metric, sendReliably, untilCaughtUp, via } from './exactness.js';

/**
 * A partition: the owner loses Postgres but keeps running (and keeps its Connect socket). Its lease runs
 * out, another process takes the chat over under a new epoch and carries on; when the old owner can
 * reach the database again it lets the chat go, and nothing it held meanwhile is stored twice.
 */
describe('partition of the owner from the database', () => {
  let stack: TestStack;
  let proxy: TcpProxy;
  let cutOff: GatewayProcess;
  const tabs: TestTab[] = [];

  afterAll(async () => {
    tabs.forEach((t) => t.close());
    proxy?.restore();
    await stack?.close();
    await proxy?.close();
  });

  it('the successor takes over under a new epoch; the old owner is fenced off and lets go when it is back', async () => {
    stack = await startTestStack(FAST_ENV);
    proxy = await TcpProxy.start('127.0.0.1', Number(new URL(stack.database.url).port || 5432));
    cutOff = await stack.spawnAnother({ DATABASE_URL: proxy.url(stack.database.url) });
    await stack.gateway.stop('SIGTERM');
    const emu = new EmulatorControl(stack.emulator.url);
    await emu.configure(OPEN_LIMITS);
    const chat = await startChat(via(stack, cutOff), await createFrontend(via(stack, cutOff)));
    const sent = { customer: [] as string[], agent: [] as string[] };
    const first = await TestTab.open(via(stack, cutOff), chat.sessionToken);
    tabs.push(first);
    await emu.agentJoin(chat.contactId);
    const agent = async (text: string): Promise<void> => {
      await emu.agentSay(chat.contactId, text);
      sent.agent.push(text);
    };
    await agent('before the partition');
    await sendReliably(() => first, 'customer before', 'c-0');
    sent.customer.push('customer before');
    await untilCaughtUp(emu, chat.contactId, () => first.items());

    const successor = await stack.spawnAnother();
    proxy.cut();
    // The cut-off owner still receives these on its Connect socket, but can store none of them.
    for (let i = 0; i < 5; i++) await agent(`during ${i}`);
    await until(async () => (await metric(successor, 'gateway_chats_owned')) === 1, 'the successor owns the chat', 30_000);
    const second = await TestTab.open(via(stack, successor), chat.sessionToken, first.lastSeq());
    tabs.push(second);
    await agent('after the takeover');
    await sendReliably(() => second, 'customer after', 'c-1');
    sent.customer.push('customer after');
    const seen = (): ReturnType<TestTab['items']> => [...first.items(), ...second.items()];
    await untilCaughtUp(emu, chat.contactId, seen);

    proxy.restore();
    await until(async () => (await metric(cutOff, 'gateway_chats_owned')) === 0, 'the old owner let the chat go', 30_000);
    // Whichever it learns first: the renewal no longer lists the chat, or a write is refused for its epoch.
    // The log line travels through the child's stdout pipe, which may deliver it after the /metrics answer.
    const released = new RegExp(`chat ${chat.chatId} released: (lease not renewed|lease lost or sequence moved)`);
    await until(() => released.test(cutOff.output()), 'the old owner logged why it let the chat go', 10_000);
    await until(async () => (await metric(cutOff, 'gateway_item_write_backlog')) === 0, 'the old owner dropped what it held', 30_000);
    await agent('after the partition healed');
    await untilCaughtUp(emu, chat.contactId, seen);
    await expectExact(emu, chat.contactId, seen(), sent);
    // What is stored is Connect's transcript once: the old owner's held items were refused by the epoch.
    const res = await widgetFetch(via(stack, successor), chat, `/v1/chats/${chat.chatId}/items?afterSeq=0&limit=500`);
    const stored = ((await res.json()) as { items: { id: string }[] }).items.map((i) => i.id);
    expect(stored).toEqual(seen().map((i) => i.id));
  });
});
