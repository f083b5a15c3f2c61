import type { ConnectItem } from './connect-item.js';

/** Where a front end's chats go in Connect. */
export interface ConnectRouting {
  instanceId: string;
  contactFlowId: string;
  region: string;
}

export interface StartChatInput {
  displayName: string;
  attributes: Record<string, string>;
  initialMessage?: { contentType: string; content: string };
  supportedContentTypes: string[];
  clientToken: string;
}

export interface StartedChat {
  contactId: string;
  participantId: string;
  participantToken: string;
}

export interface ParticipantConnection {
  websocketUrl: string;
  websocketExpiresAt: Date;
  connectionToken: string;
  connectionExpiresAt: Date;
}

export interface ConnectionCredentials {
  connectionToken: string;
  connectionExpiresAt: Date;
}

export interface TranscriptQuery {
  contactId?: string;
  startAfterId?: string;
  direction: 'FORWARD' | 'BACKWARD';
  maxResults: number;
  nextToken?: string;
}

export interface TranscriptPage {
  items: ConnectItem[];
  nextToken?: string;
}

/**
 * Amazon Connect chat as the gateway needs it. Every method throws ConnectError on failure.
 * `region` picks the participant endpoint of the chat's Connect instance.
 */
export interface ConnectChatPort {
  startChat(routing: ConnectRouting, input: StartChatInput): Promise<StartedChat>;
  stopContact(routing: Pick<ConnectRouting, 'instanceId' | 'region'>, contactId: string): Promise<void>;
  createConnection(region: string, participantToken: string): Promise<ParticipantConnection>;
  /** A fresh connection token only (no socket URL): CreateParticipantConnection with CONNECTION_CREDENTIALS. */
  refreshConnectionToken(region: string, participantToken: string): Promise<ConnectionCredentials>;
  sendMessage(region: string, connectionToken: string, msg: { contentType: string; content: string; clientToken: string }): Promise<{ id: string; absoluteTime: string }>;
  sendEvent(region: string, connectionToken: string, event: { contentType: string; content?: string; clientToken?: string }): Promise<void>;
  getTranscript(region: string, connectionToken: string, query: TranscriptQuery): Promise<TranscriptPage>;
  disconnect(region: string, connectionToken: string, clientToken?: string): Promise<void>;
}

export const CONNECT_CHAT_PORT = Symbol('CONNECT_CHAT_PORT');
