import { defaultConfig } from '../../src/emulator/emulator-config.js';
import type { EmulatorHandle } from '../../src/emulator/emulator-server.js';
import { startTestStack } from '../support/gateway-harness.js';
import type { TestStack } from '../support/gateway-harness.js';
import { EmulatorControl } from '../support/emulator-control.js';
import { until } from '../support/poll.js';
import { createFrontend, startChat, widgetFetch } from '../support/widget-client.js';
import { FAST_ENV, OPEN_LIMITS, inBatches, metric, via } from './exactness.js';

const CHATS = 500;

/**
 * A restart with 500 active chats: the new process re-dials every one of them (CreateParticipantConnection,
 * then a GetTranscript catch-up) paced by its token buckets, inside Connect's published limits, which
 * the emulator enforces at its defaults here: not a single 429.
 */
describe('re-dial pacing after a restart', () => {
  let stack: TestStack;
  let emu: EmulatorControl;

  afterAll(async () => {
    await stack?.close();
  });

  it(`re-dials ${CHATS} chats with zero 429s at the emulator's default rate limits`, async () => {
    // Setting up 500 chats at Connect's StartChatContact rate would take minutes: the first process and
    // the emulator run with raised limits; the restart below runs at the defaults.
    stack = await startTestStack(FAST_ENV);
    emu = new EmulatorControl(stack.emulator.url);
    await emu.configure(OPEN_LIMITS);
    const frontend = await createFrontend(stack);
    const chats = await inBatches(Array.from({ length: CHATS }), 25, () => startChat(stack, frontend));
    await until(async () => (await metric(stack.gateway, 'gateway_chats_linked')) === CHATS, 'all chats linked', 60_000, 250);

    await stack.gateway.stop('SIGKILL');
    await emu.configure({ rateLimits: defaultConfig().rateLimits });
    const handle = stack.emulator as EmulatorHandle;
    const throttledBefore = handle.stats().throttledRequests ?? 0;
    const started = Date.now();
    const successor = await stack.spawnAnother({ CONNECT_RATE_LIMITS: '' });
    await until(async () => (await metric(successor, 'gateway_chats_linked')) === CHATS, 'all chats re-dialled', 240_000, 500);
    const seconds = (Date.now() - started) / 1000;

    expect((handle.stats().throttledRequests ?? 0) - throttledBefore).toBe(0);
    expect(await metric(successor, 'gateway_upstream_calls_total', 'outcome="throttled"')).toBe(0);
    expect(await metric(successor, 'gateway_upstream_calls_total', 'operation="CreateParticipantConnection",outcome="ok"')).toBeGreaterThanOrEqual(CHATS);
    await until(() => handle.stats().sockets === CHATS, 'one socket per chat', 20_000);
    // Every chat is live again: an agent message reaches storage through the new owner.
    for (const chat of chats.slice(0, 5)) {
      await emu.agentJoin(chat.contactId);
      await emu.agentSay(chat.contactId, 'after the restart');
      await until(async () => {
        const res = await widgetFetch(via(stack, successor), chat, `/v1/chats/${chat.chatId}/items?limit=500`);
        return ((await res.json()) as { items: { content?: string }[] }).items.some((i) => i.content === 'after the restart');
      }, `chat ${chat.chatId} live after the restart`);
    }
    if (process.env.GW_TEST_REPORT) {
      console.log(`re-dialled ${CHATS} chats in ${seconds.toFixed(1)} s (${(CHATS / seconds).toFixed(2)} CreateParticipantConnection/s incl. start-up and lease expiry), 0 throttled`);
    }
  }, 360_000);
});
