import { startTestStack } from '../support/gateway-harness.js';
import type { TestStack } from '../support/gateway-harness.js';
import { EmulatorControl } from '../support/emulator-control.js';
import { TestTab, createFrontend, startChat } from '../support/widget-client.js';
import type { StartedChat, TestFrontend } from '../support/widget-client.js';
import { FAST_ENV, OPEN_LIMITS, expectExact, metric, sendReliably, statesOf, untilCaughtUp } from './exactness.js';

/**
 * The gateway's own AWS clients have maxAttempts 1, so every retry here is the gateway's: dropped and
 * silent sockets, throttling and server errors on CreateParticipantConnection, GetTranscript and
 * SendMessage, while the customer and the agent both keep sending.
 */
describe('upstream faults: nothing lost, nothing twice', () => {
  let stack: TestStack;
  let emu: EmulatorControl;
  let frontend: TestFrontend;
  const tabs: TestTab[] = [];

  beforeAll(async () => {
    stack = await startTestStack(FAST_ENV);
    emu = new EmulatorControl(stack.emulator.url);
    await emu.configure(OPEN_LIMITS);
    frontend = await createFrontend(stack);
  });

  afterEach(async () => {
    tabs.splice(0).forEach((t) => t.close());
    await emu.configure({ failNext: [] });
  });

  afterAll(async () => {
    await stack.close();
  });

  async function openChat(): Promise<{ chat: StartedChat; tab: TestTab }> {
    const chat = await startChat(stack, frontend);
    const tab = await TestTab.open(stack, chat.sessionToken);
    tabs.push(tab);
    await emu.agentJoin(chat.contactId);
    return { chat, tab };
  }

  /** `rounds` times: a fault, then both sides send `perRound` messages while the gateway recovers. */
  async function converse(chat: StartedChat, tab: TestTab, rounds: number, perRound: number, fault: (round: number) => Promise<unknown>) {
    const sent = { customer: [] as string[], agent: [] as string[] };
    for (let round = 0; round < rounds; round++) {
      const activeBefore = statesOf(tab).filter((s) => s === 'active').length;
      const relinks = (await fault(round)) !== false;
      await Promise.all([
        (async () => {
          for (let i = 0; i < perRound; i++) {
            const content = `customer ${round}.${i}`;
            await sendReliably(() => tab, content, `c-${round}-${i}`);
            sent.customer.push(content);
          }
        })(),
        (async () => {
          for (let i = 0; i < perRound; i++) {
            const content = `agent ${round}.${i}`;
            await emu.agentSay(chat.contactId, content);
            sent.agent.push(content);
          }
        })(),
      ]);
      if (relinks) await tab.waitFor((t) => statesOf(t).filter((s) => s === 'active').length > activeBefore, `linked again after round ${round}`, 30_000);
    }
    await untilCaughtUp(emu, chat.contactId, () => tab.items());
    return sent;
  }

  it('survives sockets closed and gone silent, again and again, while both sides send', async () => {
    const { chat, tab } = await openChat();
    const reconnectsBefore = await metric(stack.gateway, 'gateway_upstream_reconnects_total');
    const sent = await converse(chat, tab, 8, 5, (round) => emu.dropSockets(chat.contactId, round % 2 ? 'silent' : 'close'));
    await expectExact(emu, chat.contactId, tab.items(), sent);
    const states = statesOf(tab);
    expect(states).toContain('reconnecting');
    expect(states[states.length - 1]).toBe('active');
    expect(await metric(stack.gateway, 'gateway_upstream_reconnects_total')).toBeGreaterThanOrEqual(reconnectsBefore + 8);
  });

  it('re-dials through throttling and server errors on CreateParticipantConnection', async () => {
    const { chat, tab } = await openChat();
    const sent = await converse(chat, tab, 4, 5, async () => {
      await emu.configure({ failNext: [
        { operation: 'CreateParticipantConnection', status: 429, errorType: 'ThrottlingException', count: 3, contactId: chat.contactId },
        { operation: 'CreateParticipantConnection', status: 500, errorType: 'InternalServerException', count: 2, contactId: chat.contactId },
      ] });
      await emu.dropSockets(chat.contactId, 'close');
    });
    await expectExact(emu, chat.contactId, tab.items(), sent);
  });

  it('backfills through throttling and server errors on GetTranscript', async () => {
    const { chat, tab } = await openChat();
    const sent = await converse(chat, tab, 4, 5, async () => {
      await emu.configure({ failNext: [
        { operation: 'GetTranscript', status: 429, errorType: 'ThrottlingException', count: 3, contactId: chat.contactId },
        { operation: 'GetTranscript', status: 500, errorType: 'InternalServerException', count: 4, contactId: chat.contactId },
      ] });
      await emu.dropSockets(chat.contactId, 'silent');
    });
    await expectExact(emu, chat.contactId, tab.items(), sent);
  });

  it('sends through throttling and server errors on SendMessage, each message once', async () => {
    const { chat, tab } = await openChat();
    const sent = await converse(chat, tab, 4, 5, async (round) => {
      await emu.configure({ failNext: [
        { operation: 'SendMessage', status: 429, errorType: 'ThrottlingException', count: 3, contactId: chat.contactId },
        { operation: 'SendMessage', status: 500, errorType: 'InternalServerException', count: 3, contactId: chat.contactId },
      ] });
      if (!(round % 2)) return false;
      await emu.dropSockets(chat.contactId, 'close');
      return true;
    });
    await expectExact(emu, chat.contactId, tab.items(), sent);
    const customer = tab.items().filter((i) => i.participantRole === 'CUSTOMER' && i.type === 'MESSAGE');
    expect(customer.map((i) => i.clientMessageId)).toEqual(sent.customer.map((c) => `c-${c.slice('customer '.length).replace('.', '-')}`));
  });
});
