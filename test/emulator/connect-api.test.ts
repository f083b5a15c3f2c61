import {
  ContactNotFoundException,
  IdempotencyException,
  InvalidParameterException,
  InvalidRequestException,
  LimitExceededException,
  ResourceNotFoundException,
  StopContactCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-connect';
import type { StartChatContactCommandInput } from '@aws-sdk/client-connect';
import {
  AccessDeniedException,
  CreateParticipantConnectionCommand,
  GetTranscriptCommand,
  SendMessageCommand,
} from '@aws-sdk/client-connectparticipant';
import { until } from '../support/poll.js';
import { CT_EVENT, EmulatorFixture, INSTANCE_ID, expectAwsError } from './emulator-fixture.js';

describe('Connect API (StartChatContact, StopContact) through @aws-sdk/client-connect', () => {
  const fx = new EmulatorFixture();
  beforeAll(() => fx.start());
  afterEach(() => fx.reset());
  afterAll(() => fx.stop());

  const transcript = (connectionToken: string) =>
    fx.participant.send(new GetTranscriptCommand({ ConnectionToken: connectionToken, SortOrder: 'ASCENDING', MaxResults: 100 }));

  it('starts a chat: ids, a participant token, the customer joined, then the initial message', async () => {
    const started = await fx.startChat({ InitialMessage: { ContentType: 'text/plain', Content: 'Where is my order?' } });
    expect(started.ContactId).toMatch(/^[0-9a-f-]{36}$/);
    expect(started.ParticipantId).toMatch(/^[0-9a-f-]{36}$/);
    expect(started.ParticipantToken).toBeTruthy();
    expect(started.ContinuedFromContactId).toBeUndefined();
    expect(started.$metadata.requestId).toBeTruthy();
    const chat = await fx.chat({}, { socket: false });
    const { Transcript, InitialContactId } = await transcript(chat.connectionToken);
    expect(InitialContactId).toBe(chat.contactId);
    expect(Transcript!.map((i) => i.ContentType)).toEqual([`${CT_EVENT}participant.joined`]);
    expect(Transcript![0]).toMatchObject({ ParticipantRole: 'CUSTOMER', DisplayName: 'Jane', ParticipantId: chat.participantId });

    const withMessage = await fx.chat({ InitialMessage: { ContentType: 'text/plain', Content: 'Hello' } }, { socket: false });
    const items = (await transcript(withMessage.connectionToken)).Transcript!;
    expect(items.map((i) => [i.Type, i.Content])).toEqual([
      ['EVENT', undefined],
      ['MESSAGE', 'Hello'],
    ]);
  });

  it('posts the configured flow greeting as a SYSTEM message', async () => {
    await fx.configure({ systemGreeting: 'Thanks for contacting us' });
    const chat = await fx.chat({}, { socket: false });
    const items = (await transcript(chat.connectionToken)).Transcript!;
    expect(items[1]).toMatchObject({ Type: 'MESSAGE', ParticipantRole: 'SYSTEM', Content: 'Thanks for contacting us' });
  });

  const invalid: [string, Partial<StartChatContactCommandInput>, abstract new (...args: never[]) => Error][] = [
    ['empty InstanceId', { InstanceId: '' }, InvalidParameterException],
    ['InstanceId over 100', { InstanceId: 'i'.repeat(101) }, InvalidParameterException],
    ['ContactFlowId over 500', { ContactFlowId: 'f'.repeat(501) }, InvalidParameterException],
    ['no ParticipantDetails', { ParticipantDetails: undefined }, InvalidParameterException],
    ['empty DisplayName', { ParticipantDetails: { DisplayName: '' } }, InvalidParameterException],
    ['DisplayName over 256', { ParticipantDetails: { DisplayName: 'n'.repeat(257) } }, InvalidParameterException],
    ['attribute key with a space', { Attributes: { 'order id': '1' } }, InvalidParameterException],
    ['attributes over 32 KB', { Attributes: { a: 'x'.repeat(20000), b: 'y'.repeat(20000) } }, InvalidParameterException],
    ['ChatDurationInMinutes 59', { ChatDurationInMinutes: 59 }, InvalidParameterException],
    ['ChatDurationInMinutes 10081', { ChatDurationInMinutes: 10081 }, InvalidParameterException],
    ['unknown content type', { SupportedMessagingContentTypes: ['text/plain', 'text/html'] }, InvalidParameterException],
    ['content types without text/plain', { SupportedMessagingContentTypes: ['text/markdown'] }, InvalidRequestException],
    ['InitialMessage of a type not enabled', { InitialMessage: { ContentType: 'text/markdown', Content: 'x' } }, InvalidRequestException],
    ['empty InitialMessage', { InitialMessage: { ContentType: 'text/plain', Content: '' } }, InvalidParameterException],
    ['InitialMessage over 16384', { InitialMessage: { ContentType: 'text/plain', Content: 'x'.repeat(16385) } }, InvalidParameterException],
    ['ClientToken over 500', { ClientToken: 't'.repeat(501) }, InvalidParameterException],
    ['bad ResponseMode', { ParticipantConfiguration: { ResponseMode: 'LOUD' as never } }, InvalidParameterException],
    ['CustomerId over 128', { CustomerId: 'c'.repeat(129) }, InvalidParameterException],
    ['DisconnectOnCustomerExit twice', { DisconnectOnCustomerExit: ['AGENT', 'AGENT'] }, InvalidParameterException],
    [
      'PersistentChat with RelatedContactId',
      { PersistentChat: { RehydrationType: 'FROM_SEGMENT', SourceContactId: 'x' }, RelatedContactId: 'y' },
      InvalidRequestException,
    ],
    ['unknown RelatedContactId', { RelatedContactId: 'nope' }, ResourceNotFoundException],
  ];
  it.each(invalid)('refuses %s', async (_name, input, type) => {
    await expectAwsError(fx.startChat(input), type, type === ResourceNotFoundException ? 404 : 400);
  });

  it('accepts every field at its limit', async () => {
    const started = await fx.startChat({
      ParticipantDetails: { DisplayName: 'n'.repeat(256) },
      Attributes: { order_id: 'A-1', 'x-y': '' },
      ChatDurationInMinutes: 10080,
      SupportedMessagingContentTypes: ['text/plain', 'text/markdown', 'application/json'],
      InitialMessage: { ContentType: 'text/markdown', Content: 'x'.repeat(1024) },
      ParticipantConfiguration: { ResponseMode: 'COMPLETE' },
      DisconnectOnCustomerExit: ['AGENT'],
      CustomerId: 'c'.repeat(128),
      SegmentAttributes: { 'connect:Subtype': { ValueString: 'connect:Guide' } },
    });
    expect(started.ContactId).toBeTruthy();
  });

  it('returns the first response for a repeated ClientToken and refuses it with other parameters', async () => {
    const first = await fx.startChat({ ClientToken: 'start-1' });
    const again = await fx.startChat({ ClientToken: 'start-1' });
    expect(again.ContactId).toBe(first.ContactId);
    expect(again.ParticipantToken).toBe(first.ParticipantToken);
    const contacts = await fx.control<{ contacts: unknown[] }>('GET', 'contacts');
    expect(contacts.body.contacts).toHaveLength(1);
    await expectAwsError(fx.startChat({ ClientToken: 'start-1', ParticipantDetails: { DisplayName: 'Other' } }), IdempotencyException, 409);
    expect((await fx.startChat({ ClientToken: 'start-2' })).ContactId).not.toBe(first.ContactId);
  });

  it('refuses chats over the concurrent-chat quota with LimitExceededException until one ends', async () => {
    await fx.configure({ concurrentChatLimit: 2 });
    const a = await fx.startChat();
    await fx.startChat();
    const err = await expectAwsError(fx.startChat(), LimitExceededException, 429);
    expect(err.message).toMatch(/limit/);
    await fx.connect.send(new StopContactCommand({ ContactId: a.ContactId!, InstanceId: INSTANCE_ID }));
    await fx.startChat();
    // The quota is per instance.
    await fx.startChat({ InstanceId: 'instance-2' });
  });

  it('throttles StartChatContact per instance with TooManyRequestsException', async () => {
    await fx.configure({ rateLimits: { StartChatContact: { rps: 0.001, burst: 2 } } });
    await fx.startChat();
    await fx.startChat();
    await expectAwsError(fx.startChat(), TooManyRequestsException, 429);
    await fx.startChat({ InstanceId: 'instance-2' });
  });

  it('ends a chat whose duration runs out', async () => {
    await fx.configure({ defaultChatDurationMinutes: 0.0005 });
    const chat = await fx.chat();
    await chat.socket!.event('chat.ended');
    await expectAwsError(transcript(chat.connectionToken), AccessDeniedException, 403);
  });

  it('StopContact ends the chat for everyone; unknown, ended or foreign contacts are ContactNotFoundException', async () => {
    const chat = await fx.chat();
    await expectAwsError(fx.connect.send(new StopContactCommand({ ContactId: chat.contactId, InstanceId: 'other' })), ContactNotFoundException, 410);
    const stopped = await fx.connect.send(new StopContactCommand({ ContactId: chat.contactId, InstanceId: INSTANCE_ID }));
    expect(stopped.$metadata.httpStatusCode).toBe(200);
    const ended = await chat.socket!.event('chat.ended');
    expect(ended).toMatchObject({ Type: 'EVENT', InitialContactId: chat.contactId, ContactId: chat.contactId });
    expect(ended.ParticipantRole).toBeUndefined();
    await expectAwsError(fx.connect.send(new StopContactCommand({ ContactId: chat.contactId, InstanceId: INSTANCE_ID })), ContactNotFoundException, 410);
    await expectAwsError(fx.connect.send(new StopContactCommand({ ContactId: 'unknown', InstanceId: INSTANCE_ID })), ContactNotFoundException, 410);
    await expectAwsError(fx.connect.send(new StopContactCommand({ ContactId: '', InstanceId: INSTANCE_ID })), InvalidParameterException, 400);
    await expectAwsError(
      fx.participant.send(new SendMessageCommand({ ConnectionToken: chat.connectionToken, Content: 'hi', ContentType: 'text/plain' })),
      AccessDeniedException,
      403,
    );
    await expectAwsError(
      fx.participant.send(new CreateParticipantConnectionCommand({ ParticipantToken: chat.participantToken, Type: ['WEBSOCKET'] })),
      AccessDeniedException,
      403,
    );
  });

  describe('persistent chat', () => {
    async function endedChatWithTransfer() {
      const chat = await fx.chat({}, { socket: false });
      await fx.control('POST', `contacts/${chat.contactId}/agent/join`, {});
      await fx.control('POST', `contacts/${chat.contactId}/agent/messages`, { content: 'first segment' });
      const { body } = await fx.control<{ contactId: string }>('POST', `contacts/${chat.contactId}/transfer`);
      await fx.control('POST', `contacts/${chat.contactId}/agent/join`, {});
      await fx.control('POST', `contacts/${chat.contactId}/agent/messages`, { content: 'second segment' });
      await fx.control('POST', `contacts/${chat.contactId}/stop`);
      return { initial: chat.contactId, second: body.contactId };
    }

    it('ENTIRE_PAST_SESSION continues from the last contact and pages back into the past items', async () => {
      const past = await endedChatWithTransfer();
      const next = await fx.chat({ PersistentChat: { RehydrationType: 'ENTIRE_PAST_SESSION', SourceContactId: past.initial } });
      const rehydrated = await next.socket!.event('chat.rehydrated');
      expect(rehydrated.InitialContactId).toBe(next.contactId);

      const started = await fx.startChat({ PersistentChat: { RehydrationType: 'ENTIRE_PAST_SESSION', SourceContactId: past.initial } });
      expect(started.ContinuedFromContactId).toBe(past.second);

      const first = await fx.participant.send(
        new GetTranscriptCommand({ ConnectionToken: next.connectionToken, MaxResults: 1, SortOrder: 'ASCENDING' }),
      );
      expect(first.Transcript!.map((i) => i.ContactId)).toEqual([next.contactId]);
      expect(first.NextToken).toBeTruthy();
      const rest = await fx.participant.send(
        new GetTranscriptCommand({ ConnectionToken: next.connectionToken, MaxResults: 100, SortOrder: 'ASCENDING', NextToken: first.NextToken }),
      );
      const contents = rest.Transcript!.filter((i) => i.Type === 'MESSAGE').map((i) => i.Content);
      expect(contents).toEqual(['first segment', 'second segment']);
      expect(rest.Transcript!.every((i) => i.RelatedContactId && !i.ContactId)).toBe(true);
      expect(rest.Transcript!.at(-1)!.ContentType).toBe(`${CT_EVENT}chat.ended`);
      expect(rest.NextToken).toBeUndefined();
    });

    it('FROM_SEGMENT rehydrates up to that very contact', async () => {
      const past = await endedChatWithTransfer();
      const started = await fx.startChat({ PersistentChat: { RehydrationType: 'FROM_SEGMENT', SourceContactId: past.initial } });
      expect(started.ContinuedFromContactId).toBe(past.initial);
      const connection = await fx.participant.send(
        new CreateParticipantConnectionCommand({ ParticipantToken: started.ParticipantToken!, Type: ['CONNECTION_CREDENTIALS'] }),
      );
      const items = (await transcript(connection.ConnectionCredentials!.ConnectionToken!)).Transcript!;
      const contents = items.filter((i) => i.Type === 'MESSAGE').map((i) => i.Content);
      expect(contents).toEqual(['first segment']);
    });

    it('refuses active, unknown and non-initial sources', async () => {
      const active = await fx.startChat();
      await expectAwsError(
        fx.startChat({ PersistentChat: { RehydrationType: 'ENTIRE_PAST_SESSION', SourceContactId: active.ContactId! } }),
        InvalidRequestException,
        400,
      );
      await expectAwsError(
        fx.startChat({ PersistentChat: { RehydrationType: 'FROM_SEGMENT', SourceContactId: 'nope' } }),
        ResourceNotFoundException,
        404,
      );
      const past = await endedChatWithTransfer();
      await expectAwsError(
        fx.startChat({ PersistentChat: { RehydrationType: 'ENTIRE_PAST_SESSION', SourceContactId: past.second } }),
        InvalidRequestException,
        400,
      );
      await expectAwsError(fx.startChat({ PersistentChat: { SourceContactId: past.initial } }), InvalidParameterException, 400);
      await until(async () => (await fx.control<{ contacts: unknown[] }>('GET', 'contacts')).body.contacts.length === 3, 'contacts');
    });
  });
});
