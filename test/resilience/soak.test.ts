import { startTestStack } from '../support/gateway-harness.js';
import type { TestStack } from '../support/gateway-harness.js';
import { EmulatorControl } from '../support/emulator-control.js';
import { until } from '../support/poll.js';
import { TestTab, createFrontend, startChat } from '../support/widget-client.js';
import type { StartedChat } from '../support/widget-client.js';
import { FAST_ENV, OPEN_LIMITS, expectExact, inBatches, metric, sendReliably, untilCaughtUp } from './exactness.js';

const CHATS = 50;
const PER_SIDE = 200;
/** A fault after every this many messages sent (both sides, all chats). */
const FAULT_EVERY = 150;

interface Soaked {
  chat: StartedChat;
  tab: TestTab;
  sent: { customer: string[]; agent: string[] };
}

/** Deterministic pseudo-random faults (the seed is in the failure message). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('soak', () => {
  let stack: TestStack;
  let emu: EmulatorControl;
  const all: Soaked[] = [];

  afterAll(async () => {
    all.forEach((s) => s.tab.close());
    await stack?.close();
  });

  it(`${CHATS} chats × ${PER_SIDE} messages each way under random faults end exact`, async () => {
    const seed = Number(process.env.GW_SOAK_SEED ?? Date.now() % 100_000);
    const random = lcg(seed);
    // Rotations too, every ~3 s.
    stack = await startTestStack({ ...FAST_ENV, UPSTREAM_ROTATE_MINUTES: '0.05' });
    emu = new EmulatorControl(stack.emulator.url);
    await emu.configure(OPEN_LIMITS);
    const frontend = await createFrontend(stack);
    all.push(...await inBatches(Array.from({ length: CHATS }), 10, async () => {
      const chat = await startChat(stack, frontend);
      const tab = await TestTab.open(stack, chat.sessionToken);
      await emu.agentJoin(chat.contactId);
      return { chat, tab, sent: { customer: [], agent: [] } };
    }));

    let messages = 0;
    const senders = Promise.all(all.flatMap((s) => [
      (async () => {
        for (let i = 0; i < PER_SIDE; i++) {
          await sendReliably(() => s.tab, `customer ${i}`, `c-${i}`, 90_000);
          s.sent.customer.push(`customer ${i}`);
          messages++;
        }
      })(),
      (async () => {
        for (let i = 0; i < PER_SIDE; i++) {
          await emu.agentSay(s.chat.contactId, `agent ${i}`);
          s.sent.agent.push(`agent ${i}`);
          messages++;
        }
      })(),
    ]));
    let finished = false;
    void senders.finally(() => (finished = true));

    const faults: string[] = [];
    while (!finished) {
      const next = messages + FAULT_EVERY;
      await until(() => finished || messages >= next, 'progress', 120_000, 20);
      if (finished) break;
      const victim = all[Math.floor(random() * all.length)]!.chat.contactId;
      const pick = random();
      if (pick < 0.3) {
        await emu.dropSockets(victim, 'close');
        faults.push('close');
      } else if (pick < 0.5) {
        await emu.dropSockets(victim, 'silent');
        faults.push('silent');
      } else if (pick < 0.55) {
        await emu.dropSockets(undefined, 'close');
        faults.push('close-all');
      } else {
        const operation = ['CreateParticipantConnection', 'GetTranscript', 'SendMessage'][Math.floor(random() * 3)]!;
        const throttle = random() < 0.5;
        await emu.configure({ failNext: [{
          operation, contactId: victim, count: 1 + Math.floor(random() * 3),
          status: throttle ? 429 : 500, errorType: throttle ? 'ThrottlingException' : 'InternalServerException',
        }] });
        // Make the victim need the failing operation.
        if (operation !== 'SendMessage') await emu.dropSockets(victim, 'close');
        faults.push(`${operation}:${throttle ? 429 : 500}`);
      }
    }
    await senders;
    await emu.configure({ failNext: [] });

    const context = `seed ${seed}, ${faults.length} faults: ${faults.join(' ')}`;
    expect(faults.length).toBeGreaterThanOrEqual(40);
    for (const s of all) {
      await untilCaughtUp(emu, s.chat.contactId, () => s.tab.items(), 60_000).catch((err: Error) => {
        err.message += ` (${context})`;
        throw err;
      });
      await expectExact(emu, s.chat.contactId, s.tab.items(), s.sent);
    }
    expect(await metric(stack.gateway, 'gateway_upstream_rotations_total')).toBeGreaterThan(0);
    if (process.env.GW_TEST_REPORT) {
      console.log(`soak: ${CHATS * PER_SIDE * 2} messages, ${context}; reconnects ${await metric(stack.gateway, 'gateway_upstream_reconnects_total')}, rotations ${await metric(stack.gateway, 'gateway_upstream_rotations_total')}`);
    }
  }, 240_000);
});
