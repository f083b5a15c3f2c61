import { EmulatorControl } from '../support/emulator-control.js';
import { startTestStack } from '../support/gateway-harness.js';
import type { TestStack } from '../support/gateway-harness.js';
import { until } from '../support/poll.js';
import { ADMIN, TestTab, createFrontend, startChat, widgetFetch } from '../support/widget-client.js';
import { FAST_ENV, OPEN_LIMITS, expectExact, sendReliably, untilCaughtUp, via } from './exactness.js';

/**
 * A transfer to another agent (Connect: a new ContactId, the same InitialContactId) through the
 * gateway: the browser keeps one chat and one gapless transcript across it, and so does a process that
 * takes the chat over after the transfer.
 */
describe('transfer to another agent', () => {
  let stack: TestStack;
  let emu: EmulatorControl;
  const tabs: TestTab[] = [];

  beforeAll(async () => {
    stack = await startTestStack(FAST_ENV);
    emu = new EmulatorControl(stack.emulator.url);
    await emu.configure(OPEN_LIMITS);
  });

  afterAll(async () => {
    tabs.forEach((t) => t.close());
    await stack?.close();
  });

  it('keeps one gapless transcript across the transfer, a takeover after it, and the end by the second agent', async () => {
    const chat = await startChat(stack, await createFrontend(stack));
    const sent = { customer: [] as string[], agent: [] as string[] };
    const tab = await TestTab.open(stack, chat.sessionToken);
    tabs.push(tab);
    const customer = async (text: string): Promise<void> => {
      await sendReliably(() => tabs[tabs.length - 1]!, text, `c-${sent.customer.length}`);
      sent.customer.push(text);
    };
    const agent = async (text: string): Promise<void> => {
      await emu.agentSay(chat.contactId, text);
      sent.agent.push(text);
    };

    await emu.agentJoin(chat.contactId, 'First Agent');
    await agent('first agent here');
    await customer('I need billing');

    const { contactId: second } = await emu.transfer(chat.contactId);
    expect(second).not.toBe(chat.contactId);
    await emu.agentJoin(chat.contactId, 'Billing Agent');
    await agent('billing here');
    await customer('thanks, billing');
    await untilCaughtUp(emu, chat.contactId, () => tab.items());
    expect(tab.items().some((i) => i.contentType === 'application/vnd.amazonaws.connect.event.transfer.succeeded')).toBe(true);
    // Staff find the chat under the contact Connect shows now.
    const staffView = async (): Promise<{ contactId: string; currentContactId: string }> =>
      ((await (await fetch(`${stack.gateway.url}/v1/admin/chats/${chat.chatId}`, { headers: ADMIN })).json()) as { chat: never }).chat;
    await until(async () => (await staffView()).currentContactId === second, 'the chat row follows the transfer');
    expect((await staffView()).contactId).toBe(chat.contactId);

    // The owner dies after the transfer; its successor must resume on the second contact.
    await stack.gateway.stop('SIGKILL');
    await agent('are you still there?');
    const successor = await stack.spawnAnother();
    const back = await TestTab.open(via(stack, successor), chat.sessionToken, tab.lastSeq());
    tabs.push(back);
    await customer('yes, still here');
    await agent('all sorted, goodbye');
    await emu.stop(chat.contactId);
    await back.waitFor((t) => t.of('chat:ended').length > 0, 'chat:ended after the second agent ended it', 30_000);

    await untilCaughtUp(emu, chat.contactId, () => [...tab.items(), ...back.items()]);
    await expectExact(emu, chat.contactId, [...tab.items(), ...back.items()], sent);
    const rest = await widgetFetch(via(stack, successor), chat, `/v1/chats/${chat.chatId}/items?afterSeq=0&limit=500`);
    const stored = (await rest.json()) as { items: { id: string }[] };
    expect(stored.items.map((i) => i.id)).toEqual([...tab.items(), ...back.items()].map((i) => i.id));
  });
});

