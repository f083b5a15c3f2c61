import {
  AccessDeniedException,
  ConflictException,
  GetTranscriptCommand,
  SendEventCommand,
  SendMessageCommand,
} from '@aws-sdk/client-connectparticipant';
import { until } from '../support/poll.js';
import { CT_EVENT, EmulatorFixture, expectAwsError } from './emulator-fixture.js';

interface ContactView {
  contactId: string;
  initialContactId: string;
  status: string;
  customerDisplayName: string;
  agentJoined: boolean;
  startedAt: string;
}

describe('emulator control API', () => {
  const fx = new EmulatorFixture();
  beforeAll(() => fx.start());
  afterEach(() => fx.reset());
  afterAll(() => fx.stop());

  const contacts = async () => (await fx.control<{ contacts: ContactView[] }>('GET', 'contacts')).body.contacts;

  it('lists contacts', async () => {
    const chat = await fx.chat({ ParticipantDetails: { DisplayName: 'Zoe' } }, { socket: false });
    const [contact] = await contacts();
    expect(contact).toMatchObject({
      contactId: chat.contactId,
      initialContactId: chat.contactId,
      status: 'ACTIVE',
      customerDisplayName: 'Zoe',
      agentJoined: false,
    });
    expect(Date.parse(contact!.startedAt)).toBeGreaterThan(0);
    await fx.control('POST', `contacts/${chat.contactId}/agent/join`, {});
    expect((await contacts())[0]!.agentJoined).toBe(true);
    expect((await fx.control<{ contacts: unknown[] }>('GET', 'contacts?status=ENDED')).body.contacts).toEqual([]);
  });

  it('plays the agent: join, message, typing, read, leave; the customer sees each', async () => {
    const chat = await fx.chat();
    const joined = await fx.control<{ participantId: string }>('POST', `contacts/${chat.contactId}/agent/join`, { displayName: 'Ann' });
    expect(joined.status).toBe(200);
    const joinedEvent = await chat.socket!.event('participant.joined');
    expect(joinedEvent).toMatchObject({ ParticipantRole: 'AGENT', DisplayName: 'Ann', ParticipantId: joined.body.participantId });

    const message = await fx.control<{ id: string; absoluteTime: string }>('POST', `contacts/${chat.contactId}/agent/messages`, {
      content: '**Hi**',
      contentType: 'text/markdown',
    });
    const item = await chat.socket!.item((i) => i.Id === message.body.id);
    expect(item).toMatchObject({ Content: '**Hi**', ContentType: 'text/markdown', ParticipantRole: 'AGENT', AbsoluteTime: message.body.absoluteTime });

    await fx.control('POST', `contacts/${chat.contactId}/agent/typing`);
    expect(await chat.socket!.event('typing')).toMatchObject({ ParticipantRole: 'AGENT', DisplayName: 'Ann' });

    const sent = await fx.participant.send(new SendMessageCommand({ ConnectionToken: chat.connectionToken, Content: 'hi', ContentType: 'text/plain' }));
    const read = await fx.control('POST', `contacts/${chat.contactId}/agent/read`, { messageId: sent.Id });
    expect(read.status).toBe(200);
    const receipt = await chat.socket!.item((i) => i.Type === 'MESSAGEMETADATA');
    expect(receipt.MessageMetadata).toMatchObject({
      MessageId: sent.Id,
      Receipts: [{ RecipientParticipantId: joined.body.participantId, ReadTimestamp: expect.any(String), DeliveredTimestamp: expect.any(String) }],
    });

    const { body } = await fx.control<{ items: Record<string, unknown>[] }>('GET', `contacts/${chat.contactId}/transcript`);
    expect(body.items.map((i) => i.Content ?? (i.ContentType as string).replace(CT_EVENT, ''))).toEqual([
      'participant.joined',
      'participant.joined',
      '**Hi**',
      'hi',
    ]);
    expect(body.items[3]!.MessageMetadata).toBeDefined();

    await fx.control('POST', `contacts/${chat.contactId}/agent/leave`);
    await chat.socket!.event('chat.ended');
    expect((await contacts())[0]!.status).toBe('ENDED');
  });

  it('answers errors as JSON: unknown contact 404, no agent 409, ended chat 409, bad body 400', async () => {
    expect((await fx.control('POST', 'contacts/nope/agent/join', {})).status).toBe(404);
    const chat = await fx.chat({}, { socket: false });
    const noAgent = await fx.control<{ error: { code: string } }>('POST', `contacts/${chat.contactId}/agent/messages`, { content: 'x' });
    expect(noAgent.status).toBe(409);
    expect(noAgent.body.error.code).toBe('CONFLICT');
    await fx.control('POST', `contacts/${chat.contactId}/agent/join`, {});
    expect((await fx.control('POST', `contacts/${chat.contactId}/agent/join`, {})).status).toBe(409);
    expect((await fx.control('POST', `contacts/${chat.contactId}/agent/messages`, {})).status).toBe(400);
    expect((await fx.control('POST', `contacts/${chat.contactId}/agent/messages`, { content: 'x'.repeat(1025) })).status).toBe(400);
    expect((await fx.control('POST', `contacts/${chat.contactId}/agent/messages`, { content: 'x', contentType: 'text/html' })).status).toBe(400);
    expect((await fx.control('POST', `contacts/${chat.contactId}/agent/read`, { messageId: 'nope' })).status).toBe(404);
    expect((await fx.control('POST', `contacts/${chat.contactId}/dance`, {})).status).toBe(404);
    await fx.control('POST', `contacts/${chat.contactId}/stop`);
    const ended = await fx.control<{ error: { code: string } }>('POST', `contacts/${chat.contactId}/agent/messages`, { content: 'x' });
    expect(ended.status).toBe(409);
    expect(ended.body.error.code).toBe('CHAT_ENDED');
    const raw = await fetch(`${fx.url}/emulator/config`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{oops' });
    expect(raw.status).toBe(400);
  });

  it('supervisor join makes receipts answer 409, as Connect does with three participants', async () => {
    const chat = await fx.chat({}, { socket: false });
    await fx.control('POST', `contacts/${chat.contactId}/agent/join`, {});
    const { body } = await fx.control<{ id: string }>('POST', `contacts/${chat.contactId}/agent/messages`, { content: 'Hello' });
    const supervisor = await fx.control('POST', `contacts/${chat.contactId}/supervisor/join`, { displayName: 'Boss' });
    expect(supervisor.status).toBe(200);
    await expectAwsError(
      fx.participant.send(
        new SendEventCommand({ ConnectionToken: chat.connectionToken, ContentType: `${CT_EVENT}message.delivered`, Content: JSON.stringify({ messageId: body.id }) }),
      ),
      ConflictException,
      409,
    );
    expect((await fx.control('POST', `contacts/${chat.contactId}/agent/read`, { messageId: body.id })).status).toBe(409);
    const page = await fx.participant.send(new GetTranscriptCommand({ ConnectionToken: chat.connectionToken, MaxResults: 100 }));
    expect(page.Transcript!.some((i) => i.ParticipantRole === 'SUPERVISOR')).toBe(true);
  });

  it('expire ends the chat as its duration would; stop is idempotent', async () => {
    const chat = await fx.chat();
    const res = await fx.control<{ status: string }>('POST', `contacts/${chat.contactId}/expire`);
    expect(res.body.status).toBe('ENDED');
    await chat.socket!.event('chat.ended');
    expect((await fx.control('POST', `contacts/${chat.contactId}/stop`)).status).toBe(200);
    expect(chat.socket!.items.filter((i) => i.ContentType === `${CT_EVENT}chat.ended`)).toHaveLength(1);
  });

  it('auto-agent joins after joinAfterMs, greets and echoes', async () => {
    await fx.configure({ autoAgent: { joinAfterMs: 0, greeting: 'Hi, I am Otto', echo: true, displayName: 'Otto' } });
    const chat = await fx.chat();
    // The greeting may come before the socket subscribed: nothing replays it live, the transcript has it.
    await until(async () => {
      const { body } = await fx.control<{ items: { Content?: string }[] }>('GET', `contacts/${chat.contactId}/transcript`);
      return body.items.some((i) => i.Content === 'Hi, I am Otto');
    }, 'the greeting');
    const sent = await fx.participant.send(new SendMessageCommand({ ConnectionToken: chat.connectionToken, Content: 'ping', ContentType: 'text/plain' }));
    const echo = await chat.socket!.item((i) => i.Content === 'Echo: ping');
    expect(echo).toMatchObject({ ParticipantRole: 'AGENT', DisplayName: 'Otto' });
    expect(Date.parse(echo.AbsoluteTime as string)).toBeGreaterThan(Date.parse(sent.AbsoluteTime!));
    expect((await contacts())[0]!.agentJoined).toBe(true);
  });

  it('GET and PUT /emulator/config: defaults, deep merge, refusal of bad values', async () => {
    const defaults = await fx.control<Record<string, unknown>>('GET', 'config');
    expect(defaults.body).toMatchObject({
      autoAgent: { joinAfterMs: null, greeting: null, echo: false },
      websocketLifetimeSeconds: 7200,
      connectionTokenLifetimeSeconds: 86400,
      latencyMs: 0,
      concurrentChatLimit: 100,
      disconnectFlow: { endAfterMs: null },
      failNext: [],
      rateLimits: { StartChatContact: { rps: 5, burst: 8 }, SendMessage: { rps: 10, burst: 15 }, CreateParticipantConnection: { rps: 6, burst: 9 } },
    });
    const merged = await fx.control<Record<string, unknown>>('PUT', 'config', { autoAgent: { echo: true }, rateLimits: { GetTranscript: { rps: 1 } } });
    expect(merged.body).toMatchObject({ autoAgent: { joinAfterMs: null, echo: true }, rateLimits: { GetTranscript: { rps: 1, burst: 12 } } });
    const refused = await fx.control<{ error: { code: string; message: string } }>('PUT', 'config', { latencyMs: 'slow' });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toEqual({ code: 'VALIDATION_FAILED', message: 'latencyMs must be a number ≥ 0' });
    expect((await fx.control<{ latencyMs: number }>('GET', 'config')).body.latencyMs).toBe(0);
  });

  it('reset forgets contacts, closes sockets, restores the config and invalidates tokens', async () => {
    await fx.configure({ latencyMs: 1 });
    const chat = await fx.chat();
    await fx.control('POST', 'reset');
    await until(() => chat.socket!.closed, 'socket closed by reset');
    expect(await contacts()).toEqual([]);
    expect((await fx.control<{ latencyMs: number }>('GET', 'config')).body.latencyMs).toBe(0);
    await expectAwsError(
      fx.participant.send(new SendMessageCommand({ ConnectionToken: chat.connectionToken, Content: 'x', ContentType: 'text/plain' })),
      AccessDeniedException,
      403,
    );
  });

  it('serves the agent console page, reports stats and refuses other origins', async () => {
    const page = await fetch(`${fx.url}/emulator/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('agent console');
    expect(html).toContain("'/emulator/'");
    const foreign = await fetch(`${fx.url}/emulator/reset`, { method: 'POST', headers: { Origin: 'http://evil.test' } });
    expect(foreign.status).toBe(403);
    const own = await fetch(`${fx.url}/emulator/stats`, { headers: { Origin: fx.url } });
    expect(own.status).toBe(200);
    const redirect = await fetch(`${fx.url}/emulator`, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    await fx.chat();
    const stats = await fx.control<Record<string, number>>('GET', 'stats');
    expect(stats.body).toMatchObject({ contacts: 1, activeChats: 1, participants: 1, sockets: 1, delayedRequests: 0 });
  });
});
