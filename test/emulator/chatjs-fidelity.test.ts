import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { until } from '../support/poll.js';
import { CT_EVENT, EmulatorFixture } from './emulator-fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const maybe = existsSync(CHROMIUM) ? describe : describe.skip;
if (!existsSync(CHROMIUM)) {
  console.warn(`ChatJS fidelity test skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);
}

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><script src="/chat.js"></script></head>
<body><script>window.events = []; window.errors = [];</script></body></html>`;

type Handler = (event: { data: unknown }) => void;
/** The slice of ChatJS's customer session this test uses (the bundle is plain browser JS). */
interface BrowserSession {
  connect(): Promise<unknown>;
  sendMessage(args: { contentType: string; message: string }): Promise<{ data: unknown }>;
  sendEvent(args: { contentType: string; content: string }): Promise<unknown>;
  getTranscript(args: Record<string, unknown>): Promise<{ data: unknown }>;
  disconnectParticipant(): Promise<unknown>;
  onConnectionEstablished(h: Handler): void;
  onMessage(h: Handler): void;
  onTyping(h: Handler): void;
  onReadReceipt(h: Handler): void;
  onDeliveredReceipt(h: Handler): void;
  onEnded(h: Handler): void;
  onConnectionBroken(h: Handler): void;
}
interface BrowserWindow {
  connect: { ChatSession: { setGlobalConfig(config: unknown): void; create(args: unknown): BrowserSession } };
  events: unknown[];
  session: BrowserSession;
}

/** The official amazon-connect-chatjs in headless Chromium, talking to the emulator as it would to AWS. */
maybe('amazon-connect-chatjs against the emulator', () => {
  const fx = new EmulatorFixture();
  let browser: Browser;
  let page: Page;
  let site: http.Server;

  beforeAll(async () => {
    await fx.start();
    const require = createRequire(import.meta.url);
    const bundle = readFileSync(join(dirname(require.resolve('amazon-connect-chatjs/package.json')), 'dist/amazon-connect-chat.js'));
    site = http.createServer((req, res) => {
      if (req.url === '/chat.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
      res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(site.address() as AddressInfo).port}/`);
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => site?.close(resolve));
    await fx.stop();
  });

  type Seen = { kind: string; data: Record<string, unknown> };
  const seen = () => page.evaluate(() => (globalThis as unknown as { events: Seen[] }).events);
  const waitFor = (what: string, predicate: (e: Seen) => boolean) =>
    until(async () => (await seen()).find(predicate), what, 15_000);

  it('connects, receives agent messages and typing, sends, reads the transcript, sends read receipts and ends cleanly', async () => {
    const started = await fx.startChat({ ParticipantDetails: { DisplayName: 'Browser Jane' } });

    await page.evaluate(
      async ({ endpoint, details }) => {
        const w = globalThis as unknown as BrowserWindow;
        w.connect.ChatSession.setGlobalConfig({
          region: 'us-east-1',
          endpoint,
          loggerConfig: { useDefaultLogger: false },
          features: { messageReceipts: { shouldSendMessageReceipts: true, throttleTime: 200 } },
        });
        const session = w.connect.ChatSession.create({
          chatDetails: details,
          options: { region: 'us-east-1' },
          type: 'CUSTOMER',
          disableCSM: true,
        });
        const record = (kind: string) => (event: { data: unknown }) => w.events.push({ kind, data: event.data });
        session.onConnectionEstablished(record('established'));
        session.onMessage(record('message'));
        session.onTyping(record('typing'));
        session.onReadReceipt(record('read'));
        session.onDeliveredReceipt(record('delivered'));
        session.onEnded(record('ended'));
        session.onConnectionBroken(record('broken'));
        w.session = session;
        await session.connect();
      },
      { endpoint: fx.url, details: { contactId: started.ContactId, participantId: started.ParticipantId, participantToken: started.ParticipantToken } },
    );
    await waitFor('connection established', (e) => e.kind === 'established');
    await until(async () => (await fx.control<{ sockets: number }>('GET', 'stats')).body.sockets === 1, 'the ChatJS socket');

    await fx.control('POST', `contacts/${started.ContactId}/agent/join`, { displayName: 'Ann' });
    await waitFor('agent joined', (e) => e.kind === 'message' && e.data.ContentType === `${CT_EVENT}participant.joined`);
    await fx.control('POST', `contacts/${started.ContactId}/agent/typing`);
    await waitFor('agent typing', (e) => e.kind === 'typing' && e.data.ParticipantRole === 'AGENT');
    const agentMessage = await fx.control<{ id: string }>('POST', `contacts/${started.ContactId}/agent/messages`, { content: 'Hello from Ann' });
    await waitFor('agent message', (e) => e.kind === 'message' && e.data.Id === agentMessage.body.id);

    const sent = await page.evaluate(async () => {
      const w = globalThis as unknown as BrowserWindow;
      const res = await w.session.sendMessage({ contentType: 'text/plain', message: 'Hi from ChatJS' });
      return res.data as { Id: string; AbsoluteTime: string };
    });
    expect(sent.Id).toBeTruthy();
    await waitFor('own message echoed', (e) => e.kind === 'message' && e.data.Id === sent.Id);

    const transcript = await page.evaluate(async () => {
      const w = globalThis as unknown as BrowserWindow;
      const res = await w.session.getTranscript({ maxResults: 100, sortOrder: 'ASCENDING' });
      return res.data as { InitialContactId: string; Transcript: { Content?: string }[] };
    });
    expect(transcript.InitialContactId).toBe(started.ContactId);
    expect(transcript.Transcript.map((i) => i.Content).filter(Boolean)).toEqual(['Hello from Ann', 'Hi from ChatJS']);

    await page.evaluate(async (messageId) => {
      const w = globalThis as unknown as BrowserWindow;
      await w.session.sendEvent({
        contentType: 'application/vnd.amazonaws.connect.event.message.read',
        content: JSON.stringify({ messageId }),
      });
    }, agentMessage.body.id);
    await until(async () => {
      const { body } = await fx.control<{ items: { Id: string; MessageMetadata?: { Receipts: { ReadTimestamp?: string }[] } }[] }>(
        'GET',
        `contacts/${started.ContactId}/transcript`,
      );
      return body.items.find((i) => i.Id === agentMessage.body.id)?.MessageMetadata?.Receipts[0]?.ReadTimestamp;
    }, 'the read receipt from ChatJS');

    await fx.control('POST', `contacts/${started.ContactId}/agent/read`, { messageId: sent.Id });
    await waitFor('agent read receipt', (e) => e.kind === 'read');

    await page.evaluate(async () => {
      const w = globalThis as unknown as BrowserWindow;
      await w.session.disconnectParticipant();
    });
    await waitFor('chat ended', (e) => e.kind === 'ended');
    const { body } = await fx.control<{ contacts: { status: string }[] }>('GET', 'contacts');
    expect(body.contacts[0]!.status).toBe('ENDED');
    await until(async () => (await fx.control<{ sockets: number }>('GET', 'stats')).body.sockets === 0, 'ChatJS closed its socket');
    expect((await seen()).some((e) => e.kind === 'broken')).toBe(false);
  });
});
