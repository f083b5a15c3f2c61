import pg from 'pg';
import { startTestStack } from '../support/gateway-harness.js';
import type { TestStack } from '../support/gateway-harness.js';
import { EmulatorControl } from '../support/emulator-control.js';
import { until } from '../support/poll.js';
import { TestTab, createFrontend, startChat, widgetFetch } from '../support/widget-client.js';
import type { StartedChat, TestFrontend } from '../support/widget-client.js';
import { FAST_ENV, OPEN_LIMITS, sendReliably, via } from './exactness.js';

/** ABANDON_AFTER_MINUTES: a chat nobody has open for that long ends with reason `abandoned`. */
describe('abandoned visitors', () => {
  let stack: TestStack;
  let emu: EmulatorControl;
  let frontend: TestFrontend;
  const tabs: TestTab[] = [];

  beforeAll(async () => {
    stack = await startTestStack({ ...FAST_ENV, ABANDON_AFTER_MINUTES: '0.05', ABANDON_CHECK_SECONDS: '0.25' });
    emu = new EmulatorControl(stack.emulator.url);
    await emu.configure(OPEN_LIMITS);
    frontend = await createFrontend(stack);
  });

  afterAll(async () => {
    tabs.splice(0).forEach((t) => t.close());
    await stack.close();
  });

  async function open(chat: StartedChat, lastSeq?: number): Promise<TestTab> {
    const t = await TestTab.open(stack, chat.sessionToken, lastSeq);
    tabs.push(t);
    return t;
  }

  async function status(chat: StartedChat): Promise<string> {
    return ((await (await widgetFetch(stack, chat, `/v1/chats/${chat.chatId}`)).json()) as { status: string }).status;
  }

  it('ends the chats nobody has open, and lets a visitor who came back in time carry on', async () => {
    const [left, returning, staying, neverOpened] = await Promise.all([0, 1, 2, 3].map(() => startChat(stack, frontend)));
    const leftTab = await open(left!);
    const returningTab = await open(returning!);
    const stayingTab = await open(staying!);
    for (const c of [left!, returning!, staying!, neverOpened!]) await emu.agentJoin(c.contactId);

    leftTab.close();
    returningTab.close();
    const back = await open(returning!, returningTab.lastSeq());

    await until(async () => (await status(left!)) === 'ended', 'the abandoned chat ended', 20_000);
    await until(async () => (await status(neverOpened!)) === 'ended', 'the never-opened chat ended', 20_000);
    expect(await status(returning!)).toBe('active');
    expect(await status(staying!)).toBe('active');

    // The customer's side left Connect (DisconnectParticipant), and the reason is on record.
    const transcript = await emu.transcript(left!.contactId);
    expect(transcript.map((i) => i.ContentType)).toEqual(expect.arrayContaining([
      'application/vnd.amazonaws.connect.event.participant.left', 'application/vnd.amazonaws.connect.event.chat.ended',
    ]));
    expect(transcript.find((i) => String(i.ContentType).endsWith('participant.left'))).toMatchObject({ ParticipantRole: 'CUSTOMER' });
    const db = new pg.Client({ connectionString: stack.database.url });
    await db.connect();
    try {
      const rows = (await db.query('SELECT id, end_reason FROM chats WHERE id = ANY($1::uuid[])', [[left!.chatId, neverOpened!.chatId]])).rows;
      expect(rows.map((r: { end_reason: string }) => r.end_reason)).toEqual(['abandoned', 'abandoned']);
    } finally {
      await db.end();
    }
    const revisit = await open(left!, leftTab.lastSeq());
    await revisit.waitFor((t) => t.of('chat:ended').length === 1, 'chat:ended on a late visit');
    expect(revisit.of('chat:ended')[0]).toMatchObject({ reason: 'abandoned' });

    // Those who stayed or came back simply continue.
    await sendReliably(() => back, 'still here', 'still-1');
    await emu.agentSay(returning!.contactId, 'welcome back');
    await back.waitFor((t) => t.messages().includes('welcome back'), 'the conversation goes on');
    await sendReliably(() => stayingTab, 'me too', 'still-2');
    expect((await emu.contacts()).contacts.filter((c) => [returning!.contactId, staying!.contactId].includes(c.contactId)).map((c) => c.status))
      .toEqual(['ACTIVE', 'ACTIVE']);
  });

  it('counts a browser connected to another gateway process as present', async () => {
    const other = await stack.spawnAnother();
    // Started through, and so owned by, the first process.
    const chat = await startChat(stack, frontend);
    // The browser's socket is on the other process; only browser_seen_at tells the owner it is there.
    const elsewhere = await TestTab.open(via(stack, other), chat.sessionToken);
    tabs.push(elsewhere);
    const control = await startChat(stack, frontend);
    await until(async () => (await status(control)) === 'ended', 'a chat nobody opened ended meanwhile', 20_000);
    expect(await status(chat)).toBe('active');
    elsewhere.close();
    await until(async () => (await status(chat)) === 'ended', 'abandoned once that browser left too', 20_000);
    await other.stop('SIGTERM');
  });
});
