import { classify } from '../../src/connect/connect-item.js';
import type { ConnectItem } from '../../src/connect/connect-item.js';
import type { EmulatorControl } from '../support/emulator-control.js';
import type { GatewayProcess, TestStack } from '../support/gateway-harness.js';
import { until } from '../support/poll.js';
import type { TestTab } from '../support/widget-client.js';

/** Gateway timings fast enough for tests (README, Reliability); each test adds what it exercises. */
export const FAST_ENV: Record<string, string> = {
  LEASE_SECONDS: '3',
  LEASE_RENEW_SECONDS: '0.5',
  UPSTREAM_HEARTBEAT_SECONDS: '0.5',
  UPSTREAM_BACKOFF_BASE_MS: '50',
  UPSTREAM_BACKOFF_MAX_MS: '1000',
  // Raised together with the emulator's limits (OPEN_LIMITS) to keep the tests fast; the re-dial
  // pacing test runs at the published defaults.
  CONNECT_RATE_LIMITS: JSON.stringify(Object.fromEntries(
    ['CreateParticipantConnection', 'GetTranscript', 'SendMessage', 'SendEvent', 'DisconnectParticipant', 'StartChatContact']
      .map((op) => [op, { rps: 2000, burst: 2000 }]),
  )),
};

export const OPEN_LIMITS = {
  concurrentChatLimit: 100_000,
  rateLimits: Object.fromEntries(
    ['StartChatContact', 'CreateParticipantConnection', 'GetTranscript', 'SendMessage', 'SendEvent', 'DisconnectParticipant']
      .map((op) => [op, { rps: 5000, burst: 5000 }]),
  ),
};

export interface SeenItem {
  seq: number;
  id: string;
  type: string;
  content?: string;
  contentType?: string;
  participantRole?: string;
  clientMessageId?: string;
}

/** The same stack, driven through another of its gateway processes. */
export function via(stack: TestStack, gateway: GatewayProcess): TestStack {
  return { ...stack, gateway };
}

/** The Connect items a transcript keeps (what the gateway must store), from the emulator's own record. */
export async function connectIds(emu: EmulatorControl, contactId: string): Promise<string[]> {
  const items = (await emu.transcript(contactId)) as unknown as ConnectItem[];
  return items.filter((i) => classify(i) === 'stored').map((i) => i.Id);
}

/**
 * What a browser saw is exactly Connect's transcript: every item, none twice, `seq` gapless from 1, and
 * each side's messages in the order that side sent them.
 */
export async function expectExact(emu: EmulatorControl, contactId: string, seen: SeenItem[], sent: { customer: string[]; agent: string[] }): Promise<void> {
  seen.forEach((item, i) => {
    if (item.seq !== i + 1) throw new Error(`seq gap or repeat at index ${i}: expected ${i + 1}, got ${item.seq}`);
  });
  const ids = seen.map((i) => i.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect([...ids].sort()).toEqual([...(await connectIds(emu, contactId))].sort());
  const messages = (role: string) => seen.filter((i) => i.type === 'MESSAGE' && i.participantRole === role).map((i) => i.content);
  expect(messages('CUSTOMER')).toEqual(sent.customer);
  expect(messages('AGENT')).toEqual(sent.agent);
}

/** Waits until a browser has seen as many items as Connect has for the chat. */
export async function untilCaughtUp(emu: EmulatorControl, contactId: string, seen: () => SeenItem[], timeoutMs = 30_000): Promise<void> {
  await until(async () => seen().length >= (await connectIds(emu, contactId)).length, `browser caught up with contact ${contactId}`, timeoutMs, 50)
    .catch(async (err: Error) => {
      err.message += ` (browser has ${seen().length}, Connect ${(await connectIds(emu, contactId)).length})`;
      throw err;
    });
}

/** A widget's send: retried with the same clientMessageId until the gateway acknowledges it. */
export async function sendReliably(tab: () => TestTab, content: string, clientMessageId: string, timeoutMs = 60_000): Promise<void> {
  let last = '';
  await until(async () => {
    if (!tab().socket.connected) return false;
    const ack = await tab().emit('chat:send', { content, clientMessageId }).catch((err: Error) => ({ ok: false, error: { code: 'TIMEOUT', message: err.message } }));
    if (!ack.ok) last = ack.error?.code ?? 'unknown';
    return ack.ok;
  }, `send ${clientMessageId} acknowledged (last error ${last})`, timeoutMs, 100);
}

/** Prometheus counter (or gauge) value from a gateway's /metrics, summed over the series whose labels contain `labels`. */
export async function metric(gateway: GatewayProcess, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${gateway.url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!(line.startsWith(`${name} `) || line.startsWith(`${name}{`)) || !line.includes(labels)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** Runs `task` for every element, at most `limit` at a time. */
export async function inBatches<T, R>(items: T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await task(items[i]!);
    }
  }));
  return out;
}

export function statesOf(tab: TestTab): string[] {
  return tab.of('chat:state').map((s) => (s as { status: string }).status);
}
