import { randomUUID } from 'node:crypto';
import type { OperationHandler, PublicBases } from './api-types.js';
import { conflict, constraintMessage, resourceNotFound, validationError } from './aws-errors.js';
import type { ChatEngine } from './chat-engine.js';
import { MESSAGE_LIMITS } from './connect-api.js';
import type { Participant } from './contact-store.js';
import type { EmulatorConfig } from './emulator-config.js';
import { CT, connectItem, iso } from './item-format.js';
import type { TokenCodec } from './token-codec.js';
import { queryTranscript, TranscriptQueryError } from './transcript-query.js';
import { BodyReader, ISO_MS } from './validation.js';
import { WEBSOCKET_PATH } from './websocket-hub.js';

export interface ParticipantApiDeps {
  engine: ChatEngine;
  tokens: TokenCodec;
  config: () => EmulatorConfig;
  bases: PublicBases;
}

const CONNECTION_TYPES = ['WEBSOCKET', 'CONNECTION_CREDENTIALS', 'WEBRTC_CONNECTION'] as const;
const REPLAYED_EVENTS = 8;

/** The participant service, authenticated by X-Amz-Bearer before a handler runs (see api-dispatch.ts). */
export function participantApi(deps: ParticipantApiDeps): Record<string, OperationHandler> {
  const { engine, tokens, config, bases } = deps;
  return {
    CreateParticipantConnection: ({ raw, participant, host }) => {
      const body = BodyReader.of(raw, validationError);
      const types = body.optionalStringList('Type', { min: 1 }, {}) ?? [];
      for (const type of types) {
        if (!(CONNECTION_TYPES as readonly string[]).includes(type)) {
          throw body.error('Type', `Member must satisfy enum value set: [${CONNECTION_TYPES.join(', ')}]`);
        }
      }
      body.optionalBoolean('ConnectParticipant');
      if (types.includes('WEBRTC_CONNECTION')) throw validationError('This contact has no WebRTC capability');
      const id = participant!.id;
      const now = Date.now();
      const out: Record<string, unknown> = {};
      if (types.includes('WEBSOCKET')) {
        const expiresAt = now + config().websocketUrlValiditySeconds * 1000;
        const url = `${bases.websocket(host)}${WEBSOCKET_PATH}?token=${encodeURIComponent(tokens.issue('w', id, expiresAt))}`;
        out.Websocket = { Url: url, ConnectionExpiry: iso(expiresAt) };
      }
      if (types.includes('CONNECTION_CREDENTIALS')) {
        const expiresAt = now + config().connectionTokenLifetimeSeconds * 1000;
        out.ConnectionCredentials = { ConnectionToken: tokens.issue('c', id, expiresAt), Expiry: iso(expiresAt) };
      }
      return out;
    },

    SendMessage: ({ raw, participant }) => {
      const body = BodyReader.of(raw, validationError);
      const contentType = body.string('ContentType', { min: 1, max: 100 });
      const content = body.string('Content', { min: 1, max: 16384 });
      const clientToken = body.optionalString('ClientToken', { max: 500 });
      const chat = participant!.chat;
      const limit = MESSAGE_LIMITS[contentType];
      if (!limit || !chat.contentTypes.includes(contentType)) {
        throw validationError(`Content type ${contentType} is not supported for this contact`);
      }
      if (content.length > limit) throw validationError(constraintMessage('content', `Member must have length less than or equal to ${limit}`));
      if (clientToken) {
        const earlier = chat.items.findLast((item) => item.clientToken === clientToken && item.sender === participant);
        if (earlier) return { Id: earlier.id, AbsoluteTime: iso(earlier.time) };
      }
      const item = engine.post(chat, participant, 'MESSAGE', contentType, content, clientToken ? { clientToken } : {});
      return { Id: item.id, AbsoluteTime: iso(item.time) };
    },

    SendEvent: ({ raw, participant }) => {
      const body = BodyReader.of(raw, validationError);
      const contentType = body.string('ContentType', { min: 1, max: 100 });
      const content = body.optionalString('Content', { min: 1, max: 16384 });
      const clientToken = body.optionalString('ClientToken', { max: 500 });
      const p = participant!;
      const replayed = clientToken ? p.eventReplies?.find((r) => r.token === clientToken) : undefined;
      if (replayed) return { Id: replayed.id, AbsoluteTime: iso(replayed.time) };
      const result = sendEvent(engine, p, contentType, content);
      if (clientToken) {
        const replies = (p.eventReplies ??= []);
        replies.push({ token: clientToken, ...result });
        if (replies.length > REPLAYED_EVENTS) replies.shift();
      }
      return { Id: result.id, AbsoluteTime: iso(result.time) };
    },

    GetTranscript: ({ raw, participant }) => {
      const body = BodyReader.of(raw, validationError);
      const chat = participant!.chat;
      const contactId = body.optionalString('ContactId', { min: 1, max: 256 });
      if (contactId !== undefined && !chat.contactIds.includes(contactId)) {
        throw validationError('ContactId must be a contact of the current contact chain');
      }
      const maxResults = body.optionalInt('MaxResults', 0, 100);
      const nextToken = body.optionalString('NextToken', { min: 1, max: 1000 });
      const scanDirection = body.optionalEnum('ScanDirection', ['FORWARD', 'BACKWARD'] as const);
      const sortOrder = body.optionalEnum('SortOrder', ['DESCENDING', 'ASCENDING'] as const);
      const start = body.optionalObject('StartPosition');
      const absoluteTime = start?.optionalString('AbsoluteTime', { min: 1, max: 100 });
      if (absoluteTime !== undefined && !ISO_MS.test(absoluteTime)) {
        throw start!.error('AbsoluteTime', 'Member must be a timestamp like 2019-11-08T02:41:28.172Z');
      }
      const startPosition = start && {
        id: start.optionalString('Id', { min: 1, max: 256 }),
        absoluteTime: absoluteTime === undefined ? undefined : Date.parse(absoluteTime),
        mostRecent: start.optionalInt('MostRecent', 0, 100),
      };
      try {
        const result = queryTranscript(engine.transcriptEntries(chat), { maxResults, nextToken, scanDirection, sortOrder, startPosition });
        const out: Record<string, unknown> = {
          InitialContactId: chat.initialContactId,
          Transcript: result.page.map((entry) => connectItem(entry.item, entry.chat, entry.form)),
        };
        if (result.nextToken) out.NextToken = result.nextToken;
        return out;
      } catch (err) {
        if (err instanceof TranscriptQueryError) throw validationError(err.message);
        throw err;
      }
    },

    DisconnectParticipant: ({ raw, participant }) => {
      BodyReader.of(raw, validationError).optionalString('ClientToken', { max: 500 });
      engine.leave(participant!);
      return {};
    },

    DescribeView: () => {
      throw resourceNotFound('View not found');
    },
  };
}

function sendEvent(engine: ChatEngine, participant: Participant, contentType: string, content: string | undefined) {
  switch (contentType) {
    case CT.typing:
      return engine.typing(participant);
    case CT.acknowledged:
      return { id: randomUUID(), time: participant.chat.nextTime() };
    case CT.delivered:
    case CT.read: {
      const messageId = receiptMessageId(content);
      if (participant.chat.activeParticipants().length > 2) {
        throw conflict('Message receipts are not supported when there are more than two active participants in the chat');
      }
      const result = engine.receipt(participant, messageId, contentType === CT.read ? 'read' : 'delivered');
      if (!result) throw validationError(`No message with Id ${messageId} in this chat`);
      return result;
    }
    default:
      throw validationError(`Unsupported event content type: ${contentType}`);
  }
}

function receiptMessageId(content: string | undefined): string {
  let parsed: unknown;
  try {
    parsed = content === undefined ? undefined : JSON.parse(content);
  } catch {
    parsed = undefined;
  }
  const messageId = (parsed as { messageId?: unknown } | undefined)?.messageId;
  if (typeof messageId !== 'string' || !messageId) throw validationError('Content must be a JSON object like {"messageId":"<Id>"}');
  return messageId;
}
