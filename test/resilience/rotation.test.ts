import { startTestStack } from '../support/gateway-harness.js';
import type { GatewayProcess, TestStack } from '../support/gateway-harness.js';
import { EmulatorControl } from '../support/emulator-control.js';
import { TestTab, createFrontend, startChat } from '../support/widget-client.js';
import type { TestFrontend } from '../support/widget-client.js';
import { FAST_ENV, OPEN_LIMITS, expectExact, metric, sendReliably, statesOf, untilCaughtUp, via } from './exactness.js';

/** Sockets that age out and connection tokens that expire, while both sides send. */
describe('socket rotation and token refresh', () => {
  let stack: TestStack;
  let emu: EmulatorControl;
  let frontend: TestFrontend;
  const tabs: TestTab[] = [];

  beforeAll(async () => {
    // Rotate every ~1.2 s (jittered earlier), well before the emulator's 2 s socket lifetime.
    stack = await startTestStack({ ...FAST_ENV, UPSTREAM_ROTATE_MINUTES: '0.02' });
    emu = new EmulatorControl(stack.emulator.url);
    await emu.configure(OPEN_LIMITS);
    frontend = await createFrontend(stack);
  });

  afterEach(() => {
    tabs.splice(0).forEach((t) => t.close());
  });

  afterAll(async () => {
    await stack.close();
  });

  /** Rounds of messages from both sides, each round after `between` has happened once more. */
  async function converse(gateway: GatewayProcess, rounds: number, between: string) {
    const on = via(stack, gateway);
    const chat = await startChat(on, frontend);
    const tab = await TestTab.open(on, chat.sessionToken);
    tabs.push(tab);
    await emu.agentJoin(chat.contactId);
    const sent = { customer: [] as string[], agent: [] as string[] };
    for (let round = 0; round < rounds; round++) {
      const before = await metric(gateway, between);
      await Promise.all([
        (async () => {
          for (let i = 0; i < 4; i++) {
            await sendReliably(() => tab, `customer ${round}.${i}`, `c-${round}-${i}`);
            sent.customer.push(`customer ${round}.${i}`);
          }
        })(),
        (async () => {
          for (let i = 0; i < 4; i++) {
            await emu.agentSay(chat.contactId, `agent ${round}.${i}`);
            sent.agent.push(`agent ${round}.${i}`);
          }
        })(),
      ]);
      await tab.waitFor(async () => (await metric(gateway, between)) > before, `${between} after round ${round}`, 20_000);
    }
    await untilCaughtUp(emu, chat.contactId, () => tab.items());
    return { chat, tab, sent };
  }

  it('rotates make-before-break many times without a gap, a duplicate or a visible reconnect', async () => {
    await emu.configure({ websocketLifetimeSeconds: 2 });
    const { chat, tab, sent } = await converse(stack.gateway, 10, 'gateway_upstream_rotations_total');
    await expectExact(emu, chat.contactId, tab.items(), sent);
    expect(await metric(stack.gateway, 'gateway_upstream_rotations_total')).toBeGreaterThanOrEqual(10);
    // Every socket was replaced before the emulator closed it: no re-dial, browsers never saw one.
    expect(await metric(stack.gateway, 'gateway_upstream_reconnects_total')).toBe(0);
    expect(statesOf(tab)).not.toContain('reconnecting');
  });

  it('refreshes short-lived connection tokens before they expire, sends never fail for it', async () => {
    await emu.configure({ websocketLifetimeSeconds: 7200, connectionTokenLifetimeSeconds: 3 });
    const steady = await stack.spawnAnother({ UPSTREAM_ROTATE_MINUTES: '59' });
    try {
      const { chat, tab, sent } = await converse(steady, 6, 'gateway_upstream_token_refreshes_total');
      await expectExact(emu, chat.contactId, tab.items(), sent);
      expect(await metric(steady, 'gateway_upstream_token_refreshes_total')).toBeGreaterThanOrEqual(6);
      expect(await metric(steady, 'gateway_upstream_rotations_total')).toBe(0);
      expect(statesOf(tab)).not.toContain('reconnecting');
    } finally {
      await emu.configure({ connectionTokenLifetimeSeconds: 86_400 });
    }
  });
});
