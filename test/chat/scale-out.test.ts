import { randomUUID } from 'node:crypto';
import { startTestStack } from '../support/gateway-harness.js';
import type { GatewayProcess, TestStack } from '../support/gateway-harness.js';
import { EmulatorControl } from '../support/emulator-control.js';
import { until } from '../support/poll.js';
import { TestTab, assertGapless, createFrontend, startChat } from '../support/widget-client.js';
import type { TestFrontend } from '../support/widget-client.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Two gateway processes on one database and one Redis: any tab on any process sees and does everything. */
describe('several gateway processes (REDIS_URL)', () => {
  let stack: TestStack;
  let other: GatewayProcess;
  let emu: EmulatorControl;
  let frontend: TestFrontend;
  const tabs: TestTab[] = [];

  beforeAll(async () => {
    stack = await startTestStack({ REDIS_URL, REDIS_PREFIX: `gwtest-${randomUUID().slice(0, 8)}` });
    other = await stack.spawnAnother();
    emu = new EmulatorControl(stack.emulator.url);
    frontend = await createFrontend(stack);
  });

  afterAll(async () => {
    tabs.forEach((t) => t.close());
    await stack.close();
  });

  async function tabOn(gw: GatewayProcess, token: string): Promise<TestTab> {
    const t = await TestTab.open({ ...stack, gateway: gw }, token);
    tabs.push(t);
    return t;
  }

  it('fans out to tabs on both processes and forwards sends to the owner', async () => {
    const chat = await startChat(stack, frontend);
    const onOwner = await tabOn(stack.gateway, chat.sessionToken);
    const onOther = await tabOn(other, chat.sessionToken);
    await emu.agentJoin(chat.contactId);
    for (let i = 1; i <= 5; i++) await emu.agentSay(chat.contactId, `agent ${i}`);
    for (const t of [onOwner, onOther]) {
      await t.waitFor((x) => x.messages().length >= 5, 'agent messages');
      assertGapless(t.items());
    }
    // The other process has no Connect connection for this chat: its send must reach the owner.
    const ack = await until(async () => {
      const a = await onOther.emit<{ item: { id: string; clientMessageId: string } }>('chat:send', { content: 'from the other process', clientMessageId: 'x-1' });
      return a.ok ? a : undefined;
    }, 'send forwarded to the owner (cluster membership is learnt by heartbeat)');
    expect(ack.data!.item.clientMessageId).toBe('x-1');
    await onOwner.waitFor((x) => x.messages().includes('from the other process'), 'message on the owner tab');
    await onOther.waitFor((x) => x.messages().includes('from the other process'), 'message on the other tab');
    expect((await emu.transcript(chat.contactId)).filter((i) => i.Content === 'from the other process')).toHaveLength(1);
    expect(onOwner.items()).toEqual(onOther.items());
    const typing = await onOther.emit('chat:typing', {});
    expect(typing.ok).toBe(true);
    const end = await onOther.emit<{ status: string }>('chat:end', {});
    expect(end.ok).toBe(true);
    for (const t of [onOwner, onOther]) await t.waitFor((x) => x.of('chat:ended').length === 1, 'chat:ended everywhere');
  });
});
