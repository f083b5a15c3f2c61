import { randomUUID } from 'node:crypto';
import { io } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import type { TestStack } from './gateway-harness.js';
import { until } from './poll.js';

export const ADMIN = { authorization: 'Bearer test-admin-token-0123456789' };
export const WIDGET_ORIGIN = 'http://widget.test';

export interface TestFrontend {
  id: string;
  publicKey: string;
  secret: string;
}

export async function createFrontend(stack: TestStack, overrides: Record<string, unknown> = {}): Promise<TestFrontend> {
  const res = await fetch(`${stack.gateway.url}/v1/admin/frontends`, {
    method: 'POST',
    headers: { ...ADMIN, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: `fe-${randomUUID().slice(0, 8)}`,
      allowedOrigins: [WIDGET_ORIGIN],
      connect: { instanceId: 'inst-1', contactFlowId: 'flow-1', region: 'us-east-1', supportedContentTypes: ['text/plain', 'text/markdown', 'application/json'] },
      attributeKeys: ['orderId'],
      ...overrides,
    }),
  });
  if (res.status !== 201) throw new Error(`create front end: ${res.status} ${await res.text()}`);
  return (await res.json()) as TestFrontend;
}

export interface StartedChat {
  chatId: string;
  sessionToken: string;
  contactId: string;
  status: string;
  expiresAt: string;
}

export async function postChat(stack: TestStack, frontend: TestFrontend, body: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${stack.gateway.url}/v1/chats`, {
    method: 'POST',
    headers: { 'x-frontend-key': frontend.publicKey, 'content-type': 'application/json', origin: WIDGET_ORIGIN, ...headers },
    body: JSON.stringify({ displayName: 'Jane', ...body }),
  });
}

export async function startChat(stack: TestStack, frontend: TestFrontend, body: Record<string, unknown> = {}): Promise<StartedChat> {
  const res = await postChat(stack, frontend, body);
  if (res.status !== 201) throw new Error(`start chat: ${res.status} ${await res.text()}`);
  return (await res.json()) as StartedChat;
}

export function widgetFetch(stack: TestStack, chat: { sessionToken: string }, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${stack.gateway.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${chat.sessionToken}`, 'content-type': 'application/json', origin: WIDGET_ORIGIN, ...(init.headers ?? {}) },
  });
}

/** A browser tab: a real socket.io-client that records every server event in order. */
export class TestTab {
  readonly socket: Socket;
  readonly events: { event: string; data: unknown }[] = [];

  constructor(stack: TestStack, token: string, lastSeq?: number, origin = WIDGET_ORIGIN) {
    this.socket = io(`${stack.gateway.url}/chat`, {
      transports: ['websocket'],
      auth: lastSeq === undefined ? { token } : { token, lastSeq },
      extraHeaders: { origin },
      reconnection: false,
      forceNew: true,
    });
    this.socket.onAny((event: string, data: unknown) => this.events.push({ event, data }));
  }

  static async open(stack: TestStack, token: string, lastSeq?: number): Promise<TestTab> {
    const tab = new TestTab(stack, token, lastSeq);
    await new Promise<void>((resolve, reject) => {
      tab.socket.once('connect', () => resolve());
      tab.socket.once('connect_error', (err) => reject(err));
    });
    return tab;
  }

  items(): { seq: number; id: string; type: string; content?: string; contentType?: string; participantRole?: string; clientMessageId?: string }[] {
    return this.events.filter((e) => e.event === 'chat:item').map((e) => e.data as never);
  }

  messages(): string[] {
    return this.items().filter((i) => i.type === 'MESSAGE').map((i) => i.content ?? '');
  }

  lastSeq(): number {
    const items = this.items();
    return items.length ? items[items.length - 1]!.seq : 0;
  }

  of(event: string): unknown[] {
    return this.events.filter((e) => e.event === event).map((e) => e.data);
  }

  async waitFor<T>(check: (tab: TestTab) => T, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
    return until(() => check(this), what, timeoutMs).catch((err: Error) => {
      err.message += `\nevents so far: ${JSON.stringify(this.events.map((e) => [e.event, e.data])).slice(-3000)}`;
      throw err;
    });
  }

  emit<T = unknown>(event: string, payload?: unknown): Promise<{ ok: boolean; data?: T; error?: { code: string; message: string } }> {
    return this.socket.timeout(15_000).emitWithAck(event, payload) as never;
  }

  close(): void {
    this.socket.disconnect();
  }
}

/** seq must be 1..n with no gap or repeat. */
export function assertGapless(items: { seq: number }[], from = 1): void {
  items.forEach((item, i) => {
    if (item.seq !== from + i) throw new Error(`seq gap or repeat at index ${i}: expected ${from + i}, got ${item.seq}`);
  });
}
