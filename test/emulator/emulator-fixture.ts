import { ConnectClient, StartChatContactCommand } from '@aws-sdk/client-connect';
import type { StartChatContactCommandInput } from '@aws-sdk/client-connect';
import { ConnectParticipantClient, CreateParticipantConnectionCommand } from '@aws-sdk/client-connectparticipant';
import { WebSocket } from 'ws';
import type { EmulatorHandle } from '../../src/emulator/emulator-server.js';
import { startEmulator } from '../../src/emulator/emulator-server.js';
import { until } from '../support/poll.js';

export const INSTANCE_ID = 'instance-1';
export const FLOW_ID = 'flow-1';
export const CT_EVENT = 'application/vnd.amazonaws.connect.event.';

/** An emulator on port 0 with SDK clients built the way the gateway builds them. */
export class EmulatorFixture {
  emulator!: EmulatorHandle;
  connect!: ConnectClient;
  participant!: ConnectParticipantClient;
  private readonly sockets: TestSocket[] = [];

  async start(): Promise<this> {
    this.emulator = await startEmulator({ port: 0, logLevel: 'silent' });
    const common = {
      region: 'us-east-1',
      endpoint: this.emulator.url,
      maxAttempts: 1,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    };
    this.connect = new ConnectClient(common);
    this.participant = new ConnectParticipantClient(common);
    return this;
  }

  /** Between tests: close this fixture's sockets and forget every contact, config change and token. */
  async reset(): Promise<void> {
    for (const socket of this.sockets.splice(0)) socket.close();
    await this.control('POST', 'reset');
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets.splice(0)) socket.close();
    this.connect?.destroy();
    this.participant?.destroy();
    await this.emulator?.close();
  }

  get url(): string {
    return this.emulator.url;
  }

  async control<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.url}/emulator/${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  }

  async configure(patch: unknown): Promise<void> {
    const res = await this.control('PUT', 'config', patch);
    if (res.status !== 200) throw new Error(`config refused: ${JSON.stringify(res.body)}`);
  }

  startChat(input: Partial<StartChatContactCommandInput> = {}) {
    return this.connect.send(
      new StartChatContactCommand({
        InstanceId: INSTANCE_ID,
        ContactFlowId: FLOW_ID,
        ParticipantDetails: { DisplayName: 'Jane' },
        ...input,
      }),
    );
  }

  /** StartChatContact + CreateParticipantConnection (+ an open, subscribed socket unless `socket: false`). */
  async chat(input: Partial<StartChatContactCommandInput> = {}, options: { socket?: boolean } = {}): Promise<ChatHandle> {
    const started = await this.startChat(input);
    const connection = await this.participant.send(
      new CreateParticipantConnectionCommand({
        ParticipantToken: started.ParticipantToken!,
        Type: ['WEBSOCKET', 'CONNECTION_CREDENTIALS'],
      }),
    );
    const handle: ChatHandle = {
      contactId: started.ContactId!,
      participantId: started.ParticipantId!,
      participantToken: started.ParticipantToken!,
      connectionToken: connection.ConnectionCredentials!.ConnectionToken!,
      websocketUrl: connection.Websocket!.Url!,
    };
    if (options.socket !== false) handle.socket = await this.openSocket(handle.websocketUrl);
    return handle;
  }

  async openSocket(url: string, subscribe = true): Promise<TestSocket> {
    const socket = new TestSocket(url);
    this.sockets.push(socket);
    await socket.opened();
    if (subscribe) await socket.subscribe();
    return socket;
  }
}

export interface ChatHandle {
  contactId: string;
  participantId: string;
  participantToken: string;
  connectionToken: string;
  websocketUrl: string;
  socket?: TestSocket;
}

/** A raw `ws` client that records every frame and every parsed aws/chat item. */
export class TestSocket {
  readonly ws: WebSocket;
  readonly frames: Record<string, unknown>[] = [];
  readonly items: Record<string, unknown>[] = [];
  closed: { code: number } | undefined;
  failed: Error | undefined;
  upgradeStatus: number | undefined;

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Record<string, unknown>;
      this.frames.push(frame);
      if (frame.topic === 'aws/chat') this.items.push(JSON.parse(frame.content as string) as Record<string, unknown>);
    });
    this.ws.on('close', (code) => (this.closed = { code }));
    this.ws.on('error', (err) => (this.failed = err));
    this.ws.on('unexpected-response', (_req, res) => {
      this.upgradeStatus = res.statusCode;
      this.ws.terminate();
    });
  }

  async opened(): Promise<void> {
    await until(() => this.ws.readyState === WebSocket.OPEN || this.failed || this.closed, 'socket open');
    if (this.ws.readyState !== WebSocket.OPEN) throw new Error(`socket did not open (status ${this.upgradeStatus})`);
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  async subscribe(): Promise<void> {
    const before = this.frames.length;
    this.send({ topic: 'aws/subscribe', content: { topics: ['aws/chat'] } });
    await until(() => this.frames.slice(before).find((f) => f.topic === 'aws/subscribe'), 'subscribe ack');
  }

  /** The first chat item matching `predicate`, waiting for it to arrive. */
  item(predicate: (item: Record<string, unknown>) => boolean, what = 'item'): Promise<Record<string, unknown>> {
    return until(() => this.items.find(predicate), what);
  }

  event(suffix: string): Promise<Record<string, unknown>> {
    return this.item((i) => i.ContentType === CT_EVENT + suffix, suffix);
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
  }
}

/** Awaits a rejected SDK call and checks its exception class and HTTP status. */
export async function expectAwsError(
  call: Promise<unknown>,
  type: abstract new (...args: never[]) => Error,
  status: number,
): Promise<Error & { $metadata: { httpStatusCode?: number; requestId?: string } }> {
  const err = await call.then(
    () => {
      throw new Error(`expected ${type.name}, but the call succeeded`);
    },
    (e: unknown) => e as Error & { $metadata: { httpStatusCode?: number; requestId?: string } },
  );
  expect(err).toBeInstanceOf(type);
  expect(err.$metadata.httpStatusCode).toBe(status);
  return err;
}
