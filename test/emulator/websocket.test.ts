import { CreateParticipantConnectionCommand, GetTranscriptCommand, SendMessageCommand } from '@aws-sdk/client-connectparticipant';
import { StopContactCommand, ContactNotFoundException } from '@aws-sdk/client-connect';
import { until } from '../support/poll.js';
import type { ChatHandle } from './emulator-fixture.js';
import { CT_EVENT, EmulatorFixture, INSTANCE_ID, TestSocket, expectAwsError } from './emulator-fixture.js';

describe('participant WebSocket', () => {
  const fx = new EmulatorFixture();
  beforeAll(() => fx.start());
  afterEach(() => fx.reset());
  afterAll(() => fx.stop());

  const newUrl = async (chat: ChatHandle) =>
    (await fx.participant.send(new CreateParticipantConnectionCommand({ ParticipantToken: chat.participantToken, Type: ['WEBSOCKET'] }))).Websocket!
      .Url!;
  const agentSays = (chat: ChatHandle, content: string) =>
    fx.control<{ id: string }>('POST', `contacts/${chat.contactId}/agent/messages`, { content });

  it('acknowledges subscribe with an object content and answers heartbeat and deep heartbeat', async () => {
    const chat = await fx.chat({}, { socket: false });
    const socket = await fx.openSocket(chat.websocketUrl, false);
    socket.send({ topic: 'aws/subscribe', content: { topics: ['aws/chat'] } });
    socket.send({ topic: 'aws/ping' });
    socket.send({ topic: 'aws/heartbeat' });
    await until(() => socket.frames.length === 3, 'three replies');
    expect(socket.frames).toEqual([
      { topic: 'aws/subscribe', content: { status: 'success', topics: ['aws/chat'] } },
      { topic: 'aws/ping', statusCode: 200, statusContent: 'OK' },
      { topic: 'aws/heartbeat' },
    ]);
  });

  it('parses frames leniently (the iOS SDK appends a stray ")") and reports a bad subscribe as failure', async () => {
    const chat = await fx.chat({}, { socket: false });
    const socket = await fx.openSocket(chat.websocketUrl, false);
    socket.send('{"topic": "aws/subscribe", "content": {"topics": ["aws/chat"]}})');
    await until(() => socket.frames[0], 'subscribe ack');
    expect(socket.frames[0]).toEqual({ topic: 'aws/subscribe', content: { status: 'success', topics: ['aws/chat'] } });
    socket.send('not json at all');
    socket.send({ topic: 'aws/subscribe', content: 'nope' });
    await until(() => socket.frames[1], 'failure ack');
    expect(socket.frames[1]).toEqual({ topic: 'aws/subscribe', content: { status: 'failure' } });
  });

  it('delivers items only after subscribe, to every socket of every participant, the sender included', async () => {
    const chat = await fx.chat();
    const second = await fx.openSocket(await newUrl(chat));
    const unsubscribed = await fx.openSocket(chat.websocketUrl, false);
    await fx.control('POST', `contacts/${chat.contactId}/agent/join`, {});
    const sent = await fx.participant.send(new SendMessageCommand({ ConnectionToken: chat.connectionToken, Content: 'to all', ContentType: 'text/plain' }));
    const { body } = await agentSays(chat, 'reply');
    for (const socket of [chat.socket!, second]) {
      await socket.item((i) => i.Id === body.id);
      expect(socket.items.map((i) => i.Content ?? i.ContentType)).toEqual([`${CT_EVENT}participant.joined`, 'to all', 'reply']);
      expect(socket.items[1]!.Id).toBe(sent.Id);
    }
    expect(unsubscribed.items).toEqual([]);
  });

  it('allows five sockets per participant and refuses the sixth', async () => {
    const chat = await fx.chat();
    for (let i = 0; i < 4; i++) await fx.openSocket(chat.websocketUrl);
    const sixth = new TestSocket(chat.websocketUrl);
    await until(() => sixth.upgradeStatus, 'the sixth socket refused');
    expect(sixth.upgradeStatus).toBe(429);
    chat.socket!.close();
    await until(async () => (await fx.control<{ sockets: number }>('GET', 'stats')).body.sockets === 4, 'a slot freed');
    await fx.openSocket(chat.websocketUrl);
  });

  it('refuses bad tokens, expired URLs and ended chats with 403 on upgrade', async () => {
    const chat = await fx.chat({}, { socket: false });
    const forged = new TestSocket(chat.websocketUrl.replace(/token=[^&]+/, 'token=forged'));
    await until(() => forged.upgradeStatus, 'forged refused');
    expect(forged.upgradeStatus).toBe(403);

    await fx.configure({ websocketUrlValiditySeconds: 0.05 });
    const stale = (
      await fx.participant.send(new CreateParticipantConnectionCommand({ ParticipantToken: chat.participantToken, Type: ['WEBSOCKET'] }))
    ).Websocket!;
    await until(() => Date.now() > Date.parse(stale.ConnectionExpiry!), 'the URL expiry');
    const late = new TestSocket(stale.Url!);
    await until(() => late.upgradeStatus, 'stale refused');
    expect(late.upgradeStatus).toBe(403);

    await fx.configure({ websocketUrlValiditySeconds: 100 });
    const url = await newUrl(chat);
    await fx.control('POST', `contacts/${chat.contactId}/stop`);
    const afterEnd = new TestSocket(url);
    await until(() => afterEnd.upgradeStatus, 'ended refused');
    expect(afterEnd.upgradeStatus).toBe(403);
  });

  it('closes a socket when its configured lifetime is over', async () => {
    await fx.configure({ websocketLifetimeSeconds: 0.3 });
    const chat = await fx.chat();
    await until(() => chat.socket!.closed, 'server closed the socket', 5000);
    expect(chat.socket!.closed!.code).toBe(1001);
  });

  it('drop close ends sockets abruptly, only of the given contact', async () => {
    const a = await fx.chat();
    const b = await fx.chat();
    const { body } = await fx.control<{ dropped: number }>('POST', 'websockets/drop', { contactId: a.contactId });
    expect(body.dropped).toBe(1);
    await until(() => a.socket!.closed, 'a dropped');
    expect(a.socket!.closed!.code).toBe(1006);
    expect(b.socket!.closed).toBeUndefined();
    await fx.control('POST', 'websockets/drop', {});
    await until(() => b.socket!.closed, 'b dropped');
  });

  it('drop silent keeps sockets open but deaf and mute, while new sockets work', async () => {
    const chat = await fx.chat();
    await fx.control('POST', `contacts/${chat.contactId}/agent/join`, {});
    await chat.socket!.event('participant.joined');
    await fx.control('POST', 'websockets/drop', { contactId: chat.contactId, mode: 'silent' });
    const framesBefore = chat.socket!.frames.length;
    chat.socket!.send({ topic: 'aws/heartbeat' });
    let pong = false;
    chat.socket!.ws.on('pong', () => (pong = true));
    chat.socket!.ws.ping();
    const fresh = await fx.openSocket(await newUrl(chat));
    const { body } = await agentSays(chat, 'only the fresh socket hears this');
    await fresh.item((i) => i.Id === body.id);
    fresh.send({ topic: 'aws/heartbeat' });
    await until(() => fresh.frames.some((f) => f.topic === 'aws/heartbeat'), 'fresh heartbeat');
    expect(chat.socket!.frames.length).toBe(framesBefore);
    expect(chat.socket!.closed).toBeUndefined();
    expect(pong).toBe(false);
  });

  it('answers protocol-level pings', async () => {
    const chat = await fx.chat();
    let pong = false;
    chat.socket!.ws.on('pong', () => (pong = true));
    chat.socket!.ws.ping();
    await until(() => pong, 'pong');
  });

  it('redeliver sends an existing item again (duplicate delivery)', async () => {
    const chat = await fx.chat();
    await fx.control('POST', `contacts/${chat.contactId}/agent/join`, {});
    const { body } = await agentSays(chat, 'twice');
    await chat.socket!.item((i) => i.Id === body.id);
    const res = await fx.control('POST', `contacts/${chat.contactId}/redeliver`, { itemId: body.id });
    expect(res.status).toBe(200);
    await until(() => chat.socket!.items.filter((i) => i.Id === body.id).length === 2, 'the duplicate');
    expect((await fx.control('POST', `contacts/${chat.contactId}/redeliver`, { itemId: 'nope' })).status).toBe(404);
  });

  it('transfer: a new ContactId with the same InitialContactId, transfer and left events, the old contact gone', async () => {
    const chat = await fx.chat();
    await fx.control('POST', `contacts/${chat.contactId}/agent/join`, { displayName: 'First' });
    const { body } = await fx.control<{ contactId: string }>('POST', `contacts/${chat.contactId}/transfer`);
    expect(body.contactId).not.toBe(chat.contactId);
    const transferred = await chat.socket!.event('transfer.succeeded');
    expect(transferred).toMatchObject({ InitialContactId: chat.contactId, ContactId: chat.contactId });
    const left = await chat.socket!.event('participant.left');
    expect(left.DisplayName).toBe('First');

    await fx.control('POST', `contacts/${body.contactId}/agent/join`, { displayName: 'Second' });
    const joined = await chat.socket!.item((i) => i.DisplayName === 'Second');
    expect(joined).toMatchObject({ InitialContactId: chat.contactId, ContactId: body.contactId });
    const sent = await fx.participant.send(new SendMessageCommand({ ConnectionToken: chat.connectionToken, Content: 'still here', ContentType: 'text/plain' }));
    expect((await chat.socket!.item((i) => i.Id === sent.Id)).ContactId).toBe(body.contactId);

    const page = await fx.participant.send(
      new GetTranscriptCommand({ ConnectionToken: chat.connectionToken, ContactId: body.contactId, SortOrder: 'ASCENDING', MaxResults: 100 }),
    );
    expect(page.InitialContactId).toBe(chat.contactId);
    expect(page.Transcript!.map((i) => i.ContactId)).toContain(chat.contactId);

    const contacts = await fx.control<{ contacts: { contactId: string; status: string; initialContactId: string }[] }>('GET', 'contacts');
    expect(contacts.body.contacts.map((c) => [c.contactId, c.status, c.initialContactId])).toEqual([
      [chat.contactId, 'ENDED', chat.contactId],
      [body.contactId, 'ACTIVE', chat.contactId],
    ]);
    await expectAwsError(fx.connect.send(new StopContactCommand({ ContactId: chat.contactId, InstanceId: INSTANCE_ID })), ContactNotFoundException, 410);
    await fx.connect.send(new StopContactCommand({ ContactId: body.contactId, InstanceId: INSTANCE_ID }));
    const ended = await chat.socket!.event('chat.ended');
    expect(ended.ContactId).toBe(body.contactId);
  });
});
