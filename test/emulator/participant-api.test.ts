import {
  AccessDeniedException,
  ConflictException,
  CreateParticipantConnectionCommand,
  DescribeViewCommand,
  DisconnectParticipantCommand,
  GetTranscriptCommand,
  InternalServerException,
  ResourceNotFoundException,
  SendEventCommand,
  SendMessageCommand,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-connectparticipant';
import { until } from '../support/poll.js';
import type { ChatHandle } from './emulator-fixture.js';
import { CT_EVENT, EmulatorFixture, expectAwsError } from './emulator-fixture.js';

const JSON_RESPONSE = 'application/vnd.amazonaws.connect.message.interactive.response';

describe('Participant API through @aws-sdk/client-connectparticipant', () => {
  const fx = new EmulatorFixture();
  beforeAll(() => fx.start());
  afterEach(() => fx.reset());
  afterAll(() => fx.stop());

  const send = (chat: ChatHandle, Content: string, ContentType = 'text/plain', ClientToken?: string) =>
    fx.participant.send(new SendMessageCommand({ ConnectionToken: chat.connectionToken, Content, ContentType, ClientToken }));
  const event = (chat: ChatHandle, ContentType: string, Content?: string) =>
    fx.participant.send(new SendEventCommand({ ConnectionToken: chat.connectionToken, ContentType, Content }));
  const transcript = (chat: ChatHandle) =>
    fx.participant.send(new GetTranscriptCommand({ ConnectionToken: chat.connectionToken, MaxResults: 100, SortOrder: 'ASCENDING' }));
  const joinAgent = (chat: ChatHandle) => fx.control('POST', `contacts/${chat.contactId}/agent/join`, { displayName: 'Ann' });

  describe('CreateParticipantConnection', () => {
    it('returns a ws://127.0.0.1 URL valid for 100 s and a connection token valid for a day', async () => {
      const started = await fx.startChat();
      const before = Date.now();
      const res = await fx.participant.send(
        new CreateParticipantConnectionCommand({ ParticipantToken: started.ParticipantToken!, Type: ['WEBSOCKET', 'CONNECTION_CREDENTIALS'] }),
      );
      expect(res.Websocket!.Url).toMatch(new RegExp(`^ws://127\\.0\\.0\\.1:${fx.emulator.port}/`));
      const urlExpiry = Date.parse(res.Websocket!.ConnectionExpiry!) - before;
      expect(urlExpiry).toBeGreaterThan(95_000);
      expect(urlExpiry).toBeLessThanOrEqual(101_000);
      expect(res.Websocket!.ConnectionExpiry).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const tokenExpiry = Date.parse(res.ConnectionCredentials!.Expiry!) - before;
      expect(tokenExpiry).toBeGreaterThan(86_390_000);
      expect(tokenExpiry).toBeLessThanOrEqual(86_401_000);
    });

    it('returns only what Type asks for, and {} for an acknowledgement-only call', async () => {
      const started = await fx.startChat();
      const creds = await fx.participant.send(
        new CreateParticipantConnectionCommand({ ParticipantToken: started.ParticipantToken!, Type: ['CONNECTION_CREDENTIALS'] }),
      );
      expect(creds.Websocket).toBeUndefined();
      expect(creds.ConnectionCredentials!.ConnectionToken).toBeTruthy();
      const ack = await fx.participant.send(
        new CreateParticipantConnectionCommand({ ParticipantToken: started.ParticipantToken!, ConnectParticipant: true }),
      );
      expect(ack.Websocket).toBeUndefined();
      expect(ack.ConnectionCredentials).toBeUndefined();
      await expectAwsError(
        fx.participant.send(new CreateParticipantConnectionCommand({ ParticipantToken: started.ParticipantToken!, Type: [] })),
        ValidationException,
        400,
      );
      await expectAwsError(
        fx.participant.send(new CreateParticipantConnectionCommand({ ParticipantToken: started.ParticipantToken!, Type: ['PIGEON' as never] })),
        ValidationException,
        400,
      );
    });

    it('a connection token stops working at its Expiry', async () => {
      await fx.configure({ connectionTokenLifetimeSeconds: 0.05 });
      const chat = await fx.chat({}, { socket: false });
      const connection = await fx.participant.send(
        new CreateParticipantConnectionCommand({ ParticipantToken: chat.participantToken, Type: ['CONNECTION_CREDENTIALS'] }),
      );
      await until(() => Date.now() > Date.parse(connection.ConnectionCredentials!.Expiry!), 'the token expiry');
      await expectAwsError(send({ ...chat, connectionToken: connection.ConnectionCredentials!.ConnectionToken! }, 'late'), AccessDeniedException, 403);
    });

    it('every connection token stays valid after a refresh', async () => {
      const chat = await fx.chat({}, { socket: false });
      const refreshed = await fx.participant.send(
        new CreateParticipantConnectionCommand({ ParticipantToken: chat.participantToken, Type: ['CONNECTION_CREDENTIALS'] }),
      );
      expect(refreshed.ConnectionCredentials!.ConnectionToken).not.toBe(chat.connectionToken);
      await send(chat, 'old token');
      await send({ ...chat, connectionToken: refreshed.ConnectionCredentials!.ConnectionToken! }, 'new token');
    });
  });

  describe('authentication by X-Amz-Bearer only', () => {
    it('refuses the wrong kind of token and garbage with 403 AccessDeniedException "Access denied"', async () => {
      const chat = await fx.chat({}, { socket: false });
      const err = await expectAwsError(
        fx.participant.send(new SendMessageCommand({ ConnectionToken: chat.participantToken, Content: 'x', ContentType: 'text/plain' })),
        AccessDeniedException,
        403,
      );
      expect(err.message).toBe('Access denied');
      expect(err.$metadata.requestId).toBeTruthy();
      await expectAwsError(
        fx.participant.send(new CreateParticipantConnectionCommand({ ParticipantToken: chat.connectionToken, Type: ['WEBSOCKET'] })),
        AccessDeniedException,
        403,
      );
      await expectAwsError(send({ ...chat, connectionToken: 'garbage' }, 'x'), AccessDeniedException, 403);
      await expectAwsError(send({ ...chat, connectionToken: `${chat.connectionToken}x` }, 'x'), AccessDeniedException, 403);
    });

    it('ignores SigV4: a request with no Authorization at all works with the right bearer', async () => {
      const chat = await fx.chat({}, { socket: false });
      const res = await fetch(`${fx.url}/participant/message`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'X-Amz-Bearer': chat.connectionToken },
        body: JSON.stringify({ Content: 'raw', ContentType: 'text/plain' }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-amzn-requestid')).toBeTruthy();
      const denied = await fetch(`${fx.url}/participant/message`, { method: 'POST', body: '{}' });
      expect(denied.status).toBe(403);
      expect(denied.headers.get('x-amzn-errortype')).toBe('AccessDeniedException');
      expect(await denied.json()).toEqual({ message: 'Access denied' });
    });

    it('answers CORS preflights and exposes the AWS headers', async () => {
      const preflight = await fetch(`${fx.url}/participant/message`, {
        method: 'OPTIONS',
        headers: { Origin: 'http://shop.test', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'x-amz-bearer,content-type' },
      });
      expect(preflight.status).toBe(200);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('http://shop.test');
      expect(preflight.headers.get('access-control-allow-headers')).toBe('x-amz-bearer,content-type');
      expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
      const error = await fetch(`${fx.url}/participant/event`, { method: 'POST', headers: { Origin: 'http://shop.test' }, body: '{}' });
      expect(error.headers.get('access-control-expose-headers')).toMatch(/x-amzn-RequestId/);
      expect(error.headers.get('access-control-expose-headers')).toMatch(/x-amzn-ErrorType/);
    });

    it('answers malformed JSON with a 400 SerializationException', async () => {
      const chat = await fx.chat({}, { socket: false });
      const res = await fetch(`${fx.url}/participant/message`, {
        method: 'POST',
        headers: { 'X-Amz-Bearer': chat.connectionToken },
        body: '{not json',
      });
      expect(res.status).toBe(400);
      expect(res.headers.get('x-amzn-errortype')).toBe('SerializationException');
    });
  });

  describe('SendMessage', () => {
    it('sends, echoes to the sender socket and stores; the ClientToken makes it idempotent', async () => {
      const chat = await fx.chat();
      const sent = await send(chat, 'hello', 'text/plain', 'token-1');
      expect(sent.AbsoluteTime).toMatch(/\.\d{3}Z$/);
      const echoed = await chat.socket!.item((i) => i.Id === sent.Id);
      expect(echoed).toMatchObject({
        Content: 'hello',
        ContentType: 'text/plain',
        Type: 'MESSAGE',
        ParticipantRole: 'CUSTOMER',
        ParticipantId: chat.participantId,
        InitialContactId: chat.contactId,
        ContactId: chat.contactId,
        AbsoluteTime: sent.AbsoluteTime,
      });
      const again = await send(chat, 'hello', 'text/plain', 'token-1');
      expect(again.Id).toBe(sent.Id);
      const messages = (await transcript(chat)).Transcript!.filter((i) => i.Type === 'MESSAGE');
      expect(messages.map((m) => m.Id)).toEqual([sent.Id]);
    });

    it.each([
      ['text/plain', 1024],
      ['application/json', 12000],
      [JSON_RESPONSE, 12288],
      ['text/markdown', 1024],
    ])('enforces the %s limit of %i characters', async (type, limit) => {
      const chat = await fx.chat({ SupportedMessagingContentTypes: ['text/plain', 'text/markdown', 'application/json', JSON_RESPONSE] }, { socket: false });
      await send(chat, 'é'.repeat(limit), type);
      const err = await expectAwsError(send(chat, 'x'.repeat(limit + 1), type), ValidationException, 400);
      expect(err.message).toContain(`less than or equal to ${limit}`);
    });

    it('refuses empty content, types not enabled on the contact and unknown types', async () => {
      const chat = await fx.chat({}, { socket: false });
      await expectAwsError(send(chat, ''), ValidationException, 400);
      await expectAwsError(send(chat, '**x**', 'text/markdown'), ValidationException, 400);
      await expectAwsError(send(chat, '<b>', 'text/html'), ValidationException, 400);
      await expectAwsError(send(chat, 'x'.repeat(16385)), ValidationException, 400);
    });

    it('is throttled per instance with ThrottlingException', async () => {
      await fx.configure({ rateLimits: { SendMessage: { rps: 0.001, burst: 2 } } });
      const chat = await fx.chat({}, { socket: false });
      await send(chat, '1');
      await send(chat, '2');
      await expectAwsError(send(chat, '3'), ThrottlingException, 429);
      const other = await fx.chat({ InstanceId: 'instance-2' }, { socket: false });
      await send(other, 'other instance');
    });
  });

  describe('SendEvent', () => {
    it('pushes typing to every socket, never into the transcript', async () => {
      const chat = await fx.chat();
      await joinAgent(chat);
      const res = await event(chat, `${CT_EVENT}typing`);
      const typing = await chat.socket!.item((i) => i.Id === res.Id);
      expect(typing).toMatchObject({ Type: 'EVENT', ContentType: `${CT_EVENT}typing`, ParticipantRole: 'CUSTOMER' });
      expect((await transcript(chat)).Transcript!.some((i) => i.ContentType === `${CT_EVENT}typing`)).toBe(false);
    });

    it('turns delivered and read receipts into MESSAGEMETADATA items and MessageMetadata.Receipts', async () => {
      const chat = await fx.chat();
      await joinAgent(chat);
      const { body } = await fx.control<{ id: string }>('POST', `contacts/${chat.contactId}/agent/messages`, { content: 'Hi Jane' });
      await event(chat, `${CT_EVENT}message.delivered`, JSON.stringify({ messageId: body.id }));
      const delivered = await chat.socket!.item((i) => i.Type === 'MESSAGEMETADATA');
      expect(delivered).toMatchObject({ ContentType: `${CT_EVENT}message.metadata`, MessageMetadata: { MessageId: body.id } });
      expect(delivered.InitialContactId).toBeUndefined();
      const receipt = (delivered.MessageMetadata as { Receipts: Record<string, string>[] }).Receipts[0]!;
      expect(receipt.RecipientParticipantId).toBe(chat.participantId);
      expect(receipt.DeliveredTimestamp).toBeTruthy();
      expect(receipt.ReadTimestamp).toBeUndefined();

      await event(chat, `${CT_EVENT}message.read`, JSON.stringify({ messageId: body.id }));
      const read = await chat.socket!.item(
        (i) => i.Type === 'MESSAGEMETADATA' && !!(i.MessageMetadata as { Receipts: { ReadTimestamp?: string }[] }).Receipts[0]!.ReadTimestamp,
      );
      expect(read.Id).not.toBe(delivered.Id);
      const message = (await transcript(chat)).Transcript!.find((i) => i.Id === body.id)!;
      expect(message.MessageMetadata!.Receipts![0]).toMatchObject({
        RecipientParticipantId: chat.participantId,
        DeliveredTimestamp: receipt.DeliveredTimestamp,
        ReadTimestamp: expect.any(String),
      });
      expect((await transcript(chat)).Transcript!.some((i) => (i.Type as string) === 'MESSAGEMETADATA')).toBe(false);
    });

    it('refuses receipts with more than two participants (ConflictException 409)', async () => {
      const chat = await fx.chat({}, { socket: false });
      await joinAgent(chat);
      const { body } = await fx.control<{ id: string }>('POST', `contacts/${chat.contactId}/agent/messages`, { content: 'Hi' });
      await fx.control('POST', `contacts/${chat.contactId}/supervisor/join`, {});
      await expectAwsError(event(chat, `${CT_EVENT}message.read`, JSON.stringify({ messageId: body.id })), ConflictException, 409);
      await event(chat, `${CT_EVENT}typing`);
      await fx.control('POST', `contacts/${chat.contactId}/supervisor/leave`, {});
      await event(chat, `${CT_EVENT}message.read`, JSON.stringify({ messageId: body.id }));
    });

    it('answers a repeated ClientToken with the first reply', async () => {
      const chat = await fx.chat();
      const typing = (ClientToken: string) =>
        fx.participant.send(new SendEventCommand({ ConnectionToken: chat.connectionToken, ContentType: `${CT_EVENT}typing`, ClientToken }));
      const first = await typing('typing-1');
      expect((await typing('typing-1')).Id).toBe(first.Id);
      expect((await typing('typing-2')).Id).not.toBe(first.Id);
      await until(() => chat.socket!.items.filter((i) => i.ContentType === `${CT_EVENT}typing`).length === 2, 'two typing events');
    });

    it('refuses bad receipt content, unknown messages and unsupported event types', async () => {
      const chat = await fx.chat({}, { socket: false });
      await expectAwsError(event(chat, `${CT_EVENT}message.read`), ValidationException, 400);
      await expectAwsError(event(chat, `${CT_EVENT}message.read`, 'not json'), ValidationException, 400);
      await expectAwsError(event(chat, `${CT_EVENT}message.read`, JSON.stringify({ messageId: 'nope' })), ValidationException, 400);
      await expectAwsError(event(chat, `${CT_EVENT}chat.ended`), ValidationException, 400);
      await expectAwsError(event(chat, ''), ValidationException, 400);
      const ack = await event(chat, `${CT_EVENT}connection.acknowledged`);
      expect(ack.Id).toBeTruthy();
    });
  });

  describe('end of chat', () => {
    it('DisconnectParticipant gives participant.left (CUSTOMER) then chat.ended; then every call is 403', async () => {
      const chat = await fx.chat();
      await joinAgent(chat);
      await fx.participant.send(new DisconnectParticipantCommand({ ConnectionToken: chat.connectionToken }));
      const ended = await chat.socket!.event('chat.ended');
      const left = chat.socket!.items.find((i) => i.ContentType === `${CT_EVENT}participant.left`)!;
      expect(left).toMatchObject({ ParticipantRole: 'CUSTOMER', ParticipantId: chat.participantId });
      expect(chat.socket!.items.indexOf(left)).toBeLessThan(chat.socket!.items.indexOf(ended));
      expect(Date.parse(ended.AbsoluteTime as string)).toBeGreaterThan(Date.parse(left.AbsoluteTime as string));

      for (const call of [
        send(chat, 'late'),
        event(chat, `${CT_EVENT}typing`),
        transcript(chat),
        fx.participant.send(new DisconnectParticipantCommand({ ConnectionToken: chat.connectionToken })),
        fx.participant.send(new CreateParticipantConnectionCommand({ ParticipantToken: chat.participantToken, Type: ['WEBSOCKET'] })),
      ]) {
        await expectAwsError(call, AccessDeniedException, 403);
      }
      const contacts = await fx.control<{ contacts: { status: string }[] }>('GET', 'contacts');
      expect(contacts.body.contacts[0]!.status).toBe('ENDED');
    });

    it('with a disconnect flow the chat is "ending" until chat.ended arrives later', async () => {
      await fx.configure({ disconnectFlow: { endAfterMs: 1500 } });
      const chat = await fx.chat();
      await fx.participant.send(new DisconnectParticipantCommand({ ConnectionToken: chat.connectionToken }));
      await chat.socket!.event('participant.left');
      const during = await fx.control<{ contacts: { status: string; ending: boolean }[] }>('GET', 'contacts');
      expect(during.body.contacts[0]).toMatchObject({ status: 'ACTIVE', ending: true });
      await expectAwsError(send(chat, 'after leaving'), AccessDeniedException, 403);
      await chat.socket!.event('chat.ended');
    });

    it('an agent leaving ends the chat', async () => {
      const chat = await fx.chat();
      await joinAgent(chat);
      await fx.control('POST', `contacts/${chat.contactId}/agent/leave`);
      const left = await chat.socket!.event('participant.left');
      expect(left.ParticipantRole).toBe('AGENT');
      await chat.socket!.event('chat.ended');
      await expectAwsError(send(chat, 'anyone?'), AccessDeniedException, 403);
    });
  });

  describe('fault injection', () => {
    it('failNext fails the next calls of an operation with the given status and type', async () => {
      const chat = await fx.chat({}, { socket: false });
      await fx.configure({ failNext: [{ operation: 'SendMessage', status: 500, count: 2 }] });
      await expectAwsError(send(chat, '1'), InternalServerException, 500);
      await expectAwsError(send(chat, '2'), InternalServerException, 500);
      await send(chat, '3');
      await fx.configure({ failNext: [{ operation: 'GetTranscript', status: 429, errorType: 'ThrottlingException' }] });
      await expectAwsError(transcript(chat), ThrottlingException, 429);
      await transcript(chat);
      expect((await fx.control<{ failNext: unknown[] }>('GET', 'config')).body.failNext).toEqual([]);
    });

    it('failNext with a contactId only hits that contact', async () => {
      const a = await fx.chat({}, { socket: false });
      const b = await fx.chat({}, { socket: false });
      await fx.configure({ failNext: [{ operation: 'SendMessage', status: 403, errorType: 'AccessDeniedException', contactId: b.contactId }] });
      await send(a, 'a is fine');
      await expectAwsError(send(b, 'b fails'), AccessDeniedException, 403);
      await send(b, 'b is fine again');
    });

    it('latencyMs holds calls back before answering them', async () => {
      const chat = await fx.chat({}, { socket: false });
      await fx.configure({ latencyMs: 1500 });
      const pending = send(chat, 'slow');
      await until(async () => (await fx.control<{ delayedRequests: number }>('GET', 'stats')).body.delayedRequests === 1, 'a delayed call');
      expect((await pending).Id).toBeTruthy();
      expect((await fx.control<{ delayedRequests: number }>('GET', 'stats')).body.delayedRequests).toBe(0);
    });
  });

  it('DescribeView answers ResourceNotFoundException (no views in the emulator)', async () => {
    const chat = await fx.chat({}, { socket: false });
    await expectAwsError(fx.participant.send(new DescribeViewCommand({ ConnectionToken: chat.connectionToken, ViewToken: 'v1' })), ResourceNotFoundException, 404);
  });
});
