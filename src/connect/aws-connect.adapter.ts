import { ConnectClient, StartChatContactCommand, StopContactCommand } from '@aws-sdk/client-connect';
import {
  ConnectParticipantClient, CreateParticipantConnectionCommand, DisconnectParticipantCommand, GetTranscriptCommand,
  SendEventCommand, SendMessageCommand,
} from '@aws-sdk/client-connectparticipant';
import type { ConnectTarget } from '../config/config.module.js';
import { translateAwsError } from './connect-error.js';
import type {
  ConnectChatPort, ConnectionCredentials, ConnectRouting, ParticipantConnection, StartChatInput, StartedChat, TranscriptPage, TranscriptQuery,
} from './connect-chat.port.js';
import type { ConnectItem } from './connect-item.js';

// The SDK insists on credentials for participant calls though only X-Amz-Bearer counts; the emulator
// gets dummy ones for StartChatContact too, so the default chain never probes instance metadata.
const DUMMY_CREDENTIALS = { accessKeyId: 'gateway', secretAccessKey: 'gateway' };

/** The AWS SDK v3 implementation of ConnectChatPort. Retries are the gateway's own (maxAttempts 1). */
export class AwsConnectAdapter implements ConnectChatPort {
  private readonly connectClients = new Map<string, ConnectClient>();
  private readonly participantClients = new Map<string, ConnectParticipantClient>();

  constructor(private readonly target: ConnectTarget) {}

  async startChat(routing: ConnectRouting, input: StartChatInput): Promise<StartedChat> {
    const out = await this.call('StartChatContact', () => this.connect(routing.region).send(new StartChatContactCommand({
      InstanceId: routing.instanceId,
      ContactFlowId: routing.contactFlowId,
      ParticipantDetails: { DisplayName: input.displayName },
      Attributes: input.attributes,
      InitialMessage: input.initialMessage
        ? { ContentType: input.initialMessage.contentType, Content: input.initialMessage.content }
        : undefined,
      SupportedMessagingContentTypes: input.supportedContentTypes,
      ClientToken: input.clientToken,
    })));
    if (!out.ContactId || !out.ParticipantId || !out.ParticipantToken) {
      throw translateAwsError('StartChatContact', { name: 'IncompleteResponse', $metadata: { httpStatusCode: 502 } });
    }
    return { contactId: out.ContactId, participantId: out.ParticipantId, participantToken: out.ParticipantToken };
  }

  async stopContact(routing: Pick<ConnectRouting, 'instanceId' | 'region'>, contactId: string): Promise<void> {
    await this.call('StopContact', () => this.connect(routing.region).send(
      new StopContactCommand({ InstanceId: routing.instanceId, ContactId: contactId })));
  }

  async createConnection(region: string, participantToken: string): Promise<ParticipantConnection> {
    const out = await this.call('CreateParticipantConnection', () => this.participant(region).send(
      new CreateParticipantConnectionCommand({ ParticipantToken: participantToken, Type: ['WEBSOCKET', 'CONNECTION_CREDENTIALS'] })));
    const url = out.Websocket?.Url;
    const token = out.ConnectionCredentials?.ConnectionToken;
    if (!url || !token) {
      throw translateAwsError('CreateParticipantConnection', { name: 'IncompleteResponse', $metadata: { httpStatusCode: 502 } });
    }
    return {
      websocketUrl: url,
      websocketExpiresAt: parseTime(out.Websocket?.ConnectionExpiry, 100_000),
      connectionToken: token,
      connectionExpiresAt: parseTime(out.ConnectionCredentials?.Expiry, 24 * 3600_000),
    };
  }

  async refreshConnectionToken(region: string, participantToken: string): Promise<ConnectionCredentials> {
    const out = await this.call('CreateParticipantConnection', () => this.participant(region).send(
      new CreateParticipantConnectionCommand({ ParticipantToken: participantToken, Type: ['CONNECTION_CREDENTIALS'] })));
    const token = out.ConnectionCredentials?.ConnectionToken;
    if (!token) throw translateAwsError('CreateParticipantConnection', { name: 'IncompleteResponse', $metadata: { httpStatusCode: 502 } });
    return { connectionToken: token, connectionExpiresAt: parseTime(out.ConnectionCredentials?.Expiry, 24 * 3600_000) };
  }

  async sendMessage(region: string, connectionToken: string, msg: { contentType: string; content: string; clientToken: string }): Promise<{ id: string; absoluteTime: string }> {
    const out = await this.call('SendMessage', () => this.participant(region).send(new SendMessageCommand({
      ConnectionToken: connectionToken, ContentType: msg.contentType, Content: msg.content, ClientToken: msg.clientToken,
    })));
    if (!out.Id || !out.AbsoluteTime) {
      throw translateAwsError('SendMessage', { name: 'IncompleteResponse', $metadata: { httpStatusCode: 502 } });
    }
    return { id: out.Id, absoluteTime: out.AbsoluteTime };
  }

  async sendEvent(region: string, connectionToken: string, event: { contentType: string; content?: string; clientToken?: string }): Promise<void> {
    await this.call('SendEvent', () => this.participant(region).send(new SendEventCommand({
      ConnectionToken: connectionToken, ContentType: event.contentType, Content: event.content, ClientToken: event.clientToken,
    })));
  }

  async getTranscript(region: string, connectionToken: string, q: TranscriptQuery): Promise<TranscriptPage> {
    const out = await this.call('GetTranscript', () => this.participant(region).send(new GetTranscriptCommand({
      ConnectionToken: connectionToken,
      ContactId: q.contactId,
      MaxResults: q.maxResults,
      NextToken: q.nextToken,
      ScanDirection: q.direction,
      SortOrder: 'ASCENDING',
      StartPosition: q.startAfterId ? { Id: q.startAfterId } : undefined,
    })));
    return { items: (out.Transcript ?? []) as ConnectItem[], nextToken: out.NextToken || undefined };
  }

  async disconnect(region: string, connectionToken: string, clientToken?: string): Promise<void> {
    await this.call('DisconnectParticipant', () => this.participant(region).send(
      new DisconnectParticipantCommand({ ConnectionToken: connectionToken, ClientToken: clientToken })));
  }

  close(): void {
    for (const c of this.connectClients.values()) c.destroy();
    for (const c of this.participantClients.values()) c.destroy();
  }

  private async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw translateAwsError(operation, err);
    }
  }

  private connect(region: string): ConnectClient {
    let client = this.connectClients.get(region);
    if (!client) {
      client = new ConnectClient({
        region,
        endpoint: this.target.endpoint,
        maxAttempts: 1,
        ...(this.target.emulator ? { credentials: DUMMY_CREDENTIALS } : {}),
      });
      this.connectClients.set(region, client);
    }
    return client;
  }

  private participant(region: string): ConnectParticipantClient {
    let client = this.participantClients.get(region);
    if (!client) {
      client = new ConnectParticipantClient({ region, endpoint: this.target.endpoint, maxAttempts: 1, credentials: DUMMY_CREDENTIALS });
      this.participantClients.set(region, client);
    }
    return client;
  }
}

function parseTime(value: string | undefined, fallbackMs: number): Date {
  const t = value ? Date.parse(value) : NaN;
  return new Date(Number.isNaN(t) ? Date.now() + fallbackMs : t);
}
