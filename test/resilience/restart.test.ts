import { startTestStack } from '../support/gateway-harness.js';
import type { GatewayProcess, TestStack } from '../support/gateway-harness.js';
import { EmulatorControl } from '../support/emulator-control.js';
import { until } from '../support/poll.js';
import { TestTab, createFrontend, startChat, widgetFetch } from '../support/widget-client.js';
import type { StartedChat, TestFrontend } from '../support/widget-client.js';
import { FAST_ENV, OPEN_LIMITS, expectExact, metric, sendReliably, untilCaughtUp, via } from './exactness.js';
import type { SeenItem } from './exactness.js';

interface Conversation {
  chat: StartedChat;
  tabs: TestTab[];
  sent: { customer: string[]; agent: string[] };
}

/** Restarts and failover: chat ownership moves through the Postgres leases, Connect fills the gap. */
describe('gateway restarts and failover', () => {
  let stack: TestStack;
  let emu: EmulatorControl;
  let frontend: TestFrontend;
  const allTabs: TestTab[] = [];

  async function begin(env: Record<string, string> = {}): Promise<void> {
    stack = await startTestStack({ ...FAST_ENV, ...env });
    emu = new EmulatorControl(stack.emulator.url);
    await emu.configure(OPEN_LIMITS);
    frontend = await createFrontend(stack);
  }

  afterEach(async () => {
    allTabs.splice(0).forEach((t) => t.close());
    await stack?.close();
  });

  async function tab(gateway: GatewayProcess, token: string, lastSeq?: number): Promise<TestTab> {
    const t = await TestTab.open(via(stack, gateway), token, lastSeq);
    allTabs.push(t);
    return t;
  }

  async function openConversations(n: number): Promise<Conversation[]> {
    return Promise.all(Array.from({ length: n }, async () => {
      const chat = await startChat(stack, frontend);
      const t = await tab(stack.gateway, chat.sessionToken);
      await emu.agentJoin(chat.contactId);
      return { chat, tabs: [t], sent: { customer: [], agent: [] } };
    }));
  }

  /** Both sides send `count` messages each; the customer through whichever tab is current. */
  function talk(c: Conversation, from: number, count: number): Promise<unknown> {
    return Promise.all([
      (async () => {
        for (let i = from; i < from + count; i++) {
          await sendReliably(() => c.tabs[c.tabs.length - 1]!, `customer ${i}`, `c-${i}`);
          c.sent.customer.push(`customer ${i}`);
        }
      })(),
      (async () => {
        for (let i = from; i < from + count; i++) {
          await emu.agentSay(c.chat.contactId, `agent ${i}`);
          c.sent.agent.push(`agent ${i}`);
        }
      })(),
    ]);
  }

  function seen(c: Conversation): SeenItem[] {
    return c.tabs.flatMap((t) => t.items());
  }

  it('SIGKILL mid-stream: a new process resumes every chat, and browsers reconnecting with lastSeq get every item exactly once', async () => {
    await begin();
    const conversations = await openConversations(5);
    await Promise.all(conversations.map((c) => talk(c, 0, 10)));
    // Kill while both sides are sending; the agent side goes on while no gateway holds the chats.
    const streaming = Promise.all(conversations.map((c) => talk(c, 10, 20)));
    await until(() => conversations.every((c) => c.sent.agent.length >= 15), 'agents mid-stream');
    await stack.gateway.stop('SIGKILL');
    const successor = await stack.spawnAnother();
    for (const c of conversations) {
      const cursor = c.tabs[0]!.lastSeq();
      c.tabs.push(await tab(successor, c.chat.sessionToken, cursor));
    }
    await streaming;
    await Promise.all(conversations.map((c) => talk(c, 30, 5)));
    for (const c of conversations) {
      await untilCaughtUp(emu, c.chat.contactId, () => seen(c));
      await expectExact(emu, c.chat.contactId, seen(c), c.sent);
    }
    expect(await metric(successor, 'gateway_chats_owned')).toBe(5);
    // Longer than the waits inside (a send is retried for up to 60 s), so that a failure names the step.
  }, 150_000);

  it('SIGTERM hands the leases back at once: another process takes over well before they would expire', async () => {
    // Leases of ten minutes: only a hand-back lets the other process in within this test.
    await begin({ LEASE_SECONDS: '600' });
    const other = await stack.spawnAnother();
    const conversations = await openConversations(3);
    await Promise.all(conversations.map((c) => talk(c, 0, 5)));
    await stack.gateway.stop('SIGTERM');
    expect(stack.gateway.output()).toMatch(/handed back the lease of 3 chats/);
    await until(async () => (await metric(other, 'gateway_chats_linked')) === 3, 'the other process holds the chats', 20_000);
    for (const c of conversations) c.tabs.push(await tab(other, c.chat.sessionToken, c.tabs[0]!.lastSeq()));
    await Promise.all(conversations.map((c) => talk(c, 5, 5)));
    for (const c of conversations) {
      await untilCaughtUp(emu, c.chat.contactId, () => seen(c));
      await expectExact(emu, c.chat.contactId, seen(c), c.sent);
    }
  });

  it('a chat that ends while no process holds it is recorded as ended with transcriptIncomplete', async () => {
    await begin();
    const [c] = await openConversations(1);
    await talk(c!, 0, 3);
    await untilCaughtUp(emu, c!.chat.contactId, () => seen(c!));
    await stack.gateway.stop('SIGKILL');
    await emu.agentSay(c!.chat.contactId, 'said while nobody held the chat');
    await emu.stop(c!.chat.contactId);
    const successor = await stack.spawnAnother();
    const back = via(stack, successor);
    await until(async () => {
      const res = await widgetFetch(back, c!.chat, `/v1/chats/${c!.chat.chatId}`);
      return ((await res.json()) as { status: string }).status === 'ended';
    }, 'the successor recorded the end', 20_000);
    const view = (await (await widgetFetch(back, c!.chat, `/v1/chats/${c!.chat.chatId}`)).json()) as Record<string, unknown>;
    expect(view).toMatchObject({ status: 'ended', transcriptIncomplete: true, endedAt: expect.any(String) });
    const t = await tab(successor, c!.chat.sessionToken, c!.tabs[0]!.lastSeq());
    await t.waitFor((x) => x.of('chat:ended').length === 1, 'chat:ended');
    expect(t.of('chat:ended')[0]).toMatchObject({ reason: 'unknown' });
    const items = [...c!.tabs[0]!.items(), ...t.items()];
    items.forEach((item, i) => expect(item.seq).toBe(i + 1));
    expect(items[items.length - 1]).toMatchObject({ type: 'EVENT', contentType: 'application/vnd.amazonaws.connect.event.chat.ended' });
  });
});
