import { createHash } from 'node:crypto';
import type { OperationHandler } from './api-types.js';
import {
  AwsError,
  contactNotFound,
  invalidParameter,
  invalidRequest,
  resourceNotFound,
} from './aws-errors.js';
import type { ChatEngine } from './chat-engine.js';
import type { ContactStore, PastLink } from './contact-store.js';
import type { EmulatorConfig } from './emulator-config.js';
import type { TokenCodec } from './token-codec.js';
import { BodyReader } from './validation.js';

export const SUPPORTED_CONTENT_TYPES = [
  'text/plain',
  'text/markdown',
  'application/json',
  'application/vnd.amazonaws.connect.message.interactive',
  'application/vnd.amazonaws.connect.message.interactive.response',
];
/** Content types a participant may send, with their length limits (SendMessage's model docs). */
export const MESSAGE_LIMITS: Record<string, number> = {
  'text/plain': 1024,
  'text/markdown': 1024,
  'application/json': 12000,
  'application/vnd.amazonaws.connect.message.interactive.response': 12288,
};
const ATTRIBUTE_KEY = /^[A-Za-z0-9_-]+$/;
const ATTRIBUTES_MAX_BYTES = 32_768;

export interface ConnectApiDeps {
  store: ContactStore;
  engine: ChatEngine;
  tokens: TokenCodec;
  config: () => EmulatorConfig;
}

/** The Amazon Connect (SigV4, not verified) operations a chat needs: StartChatContact and StopContact. */
export function connectApi(deps: ConnectApiDeps): Record<'StartChatContact' | 'StopContact', OperationHandler> {
  return {
    StartChatContact: ({ raw }) => startChatContact(deps, raw),
    StopContact: ({ raw }) => {
      const body = BodyReader.of(raw, invalidParameter);
      const contactId = body.string('ContactId', { min: 1, max: 256 });
      const instanceId = body.string('InstanceId', { min: 1, max: 100 });
      body.optionalObject('DisconnectReason')?.optionalString('Code', { min: 1, max: 1000 });
      const chat = deps.store.chatsByContact.get(contactId);
      // A transferred-away contact has ended even though its chat goes on.
      if (!chat || chat.instanceId !== instanceId || chat.status !== 'ACTIVE' || chat.contactId !== contactId) {
        throw contactNotFound();
      }
      deps.engine.endChat(chat);
      return {};
    },
  };
}

function startChatContact({ store, engine, tokens, config }: ConnectApiDeps, raw: unknown): object {
  const body = BodyReader.of(raw, invalidParameter);
  const instanceId = body.string('InstanceId', { min: 1, max: 100 });
  body.string('ContactFlowId', { min: 1, max: 500 });
  checkAttributes(body);
  const displayName = body.object('ParticipantDetails').string('DisplayName', { min: 1, max: 256 });
  body.optionalObject('ParticipantConfiguration')?.optionalEnum('ResponseMode', ['INCREMENTAL', 'COMPLETE']);
  const initial = body.optionalObject('InitialMessage');
  const initialMessage = initial && {
    contentType: initial.string('ContentType', { min: 1, max: 100 }),
    content: initial.string('Content', { min: 1, max: 16384 }),
  };
  const clientToken = body.optionalString('ClientToken', { max: 500 });
  const duration = body.optionalInt('ChatDurationInMinutes', 60, 10080);
  const contentTypes = body.optionalStringList('SupportedMessagingContentTypes', {}, { min: 1, max: 100 }) ?? ['text/plain'];
  const persistent = body.optionalObject('PersistentChat');
  const rehydration = persistent && {
    type: persistent.optionalEnum('RehydrationType', ['ENTIRE_PAST_SESSION', 'FROM_SEGMENT']),
    source: persistent.optionalString('SourceContactId', { min: 1, max: 256 }),
  };
  const relatedContactId = body.optionalString('RelatedContactId', { min: 1, max: 256 });
  checkSegmentAttributes(body);
  body.optionalString('CustomerId', { min: 1, max: 128 });
  const exitList = body.optionalStringList('DisconnectOnCustomerExit', { min: 1, max: 1 }, {});
  if (exitList && exitList[0] !== 'AGENT') throw body.error('DisconnectOnCustomerExit', 'Member must satisfy enum value set: [AGENT]');

  for (const type of contentTypes) {
    if (!SUPPORTED_CONTENT_TYPES.includes(type)) throw invalidParameter(`Unsupported messaging content type: ${type}`);
  }
  if (!contentTypes.includes('text/plain')) throw invalidRequest('SupportedMessagingContentTypes must include text/plain');
  if (initialMessage && (!MESSAGE_LIMITS[initialMessage.contentType] || !contentTypes.includes(initialMessage.contentType))) {
    throw invalidRequest(`InitialMessage content type ${initialMessage.contentType} is not supported for this contact`);
  }
  if (persistent && relatedContactId) throw invalidRequest('PersistentChat and RelatedContactId cannot be used together');
  if (relatedContactId && store.chatsByContact.get(relatedContactId)?.instanceId !== instanceId) {
    throw resourceNotFound(`Contact ${relatedContactId} not found`);
  }

  if (clientToken) {
    const fingerprint = createHash('sha256').update(JSON.stringify({ ...(raw as object), ClientToken: undefined })).digest('base64url');
    const key = `${instanceId}\u0000${clientToken}`;
    const earlier = store.startTokens.get(key);
    if (earlier) {
      if (earlier.fingerprint !== fingerprint) {
        throw new AwsError(409, 'IdempotencyException', 'A request with the same ClientToken but different parameters already exists');
      }
      return startResponse(earlier.chat.initialContactId, earlier.participant.id, tokens.issue('p', earlier.participant.id));
    }
    const response = create();
    store.startTokens.set(key, { ...response.started, fingerprint });
    return response.body;
  }
  return create().body;

  function create() {
    const past = rehydration && pastLink(store, instanceId, rehydration.type, rehydration.source);
    if (store.activeCount(instanceId) >= config().concurrentChatLimit) {
      throw new AwsError(429, 'LimitExceededException', 'The allowed limit for the resource has been exceeded.');
    }
    const started = engine.startChat({
      instanceId,
      displayName,
      contentTypes,
      durationMinutes: duration ?? config().defaultChatDurationMinutes,
      initialMessage,
      past: past?.link,
    });
    const token = tokens.issue('p', started.customer.id);
    return {
      started: { chat: started.chat, participant: started.customer },
      body: startResponse(started.chat.initialContactId, started.customer.id, token, past?.continuedFrom),
    };
  }
}

function startResponse(contactId: string, participantId: string, token: string, continuedFrom?: string): object {
  const out: Record<string, string> = { ContactId: contactId, ParticipantId: participantId, ParticipantToken: token };
  if (continuedFrom) out.ContinuedFromContactId = continuedFrom;
  return out;
}

/** ENTIRE_PAST_SESSION takes a past chat's initial contact id (continuing from its last contact); FROM_SEGMENT that very contact. */
function pastLink(
  store: ContactStore,
  instanceId: string,
  type: string | undefined,
  source: string | undefined,
): { link: PastLink; continuedFrom: string } {
  if (!type) throw invalidParameter('PersistentChat.RehydrationType is required');
  if (!source) throw invalidParameter('PersistentChat.SourceContactId is required');
  const chat = store.chatsByContact.get(source);
  if (!chat || chat.instanceId !== instanceId) throw resourceNotFound(`Contact ${source} not found`);
  if (chat.status !== 'ENDED') throw invalidRequest('Only chats that have ended can be rehydrated');
  if (type === 'ENTIRE_PAST_SESSION') {
    if (source !== chat.initialContactId) throw invalidRequest('ENTIRE_PAST_SESSION needs the initial contact id of the past chat');
    return { link: { chat, uptoContact: chat.contactIds.length - 1 }, continuedFrom: chat.contactId };
  }
  return { link: { chat, uptoContact: chat.contactIds.indexOf(source) }, continuedFrom: source };
}

function checkAttributes(body: BodyReader): void {
  const attributes = body.optionalStringMap('Attributes', { min: 1, max: 32767 }, { min: 0, max: 32767 });
  if (!attributes) return;
  let bytes = 0;
  for (const [key, value] of Object.entries(attributes)) {
    if (!ATTRIBUTE_KEY.test(key)) throw invalidParameter(`Attribute key ${JSON.stringify(key)} may contain only letters, digits, - and _`);
    bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  if (bytes > ATTRIBUTES_MAX_BYTES) throw invalidParameter(`Attributes exceed ${ATTRIBUTES_MAX_BYTES} bytes`);
}

function checkSegmentAttributes(body: BodyReader): void {
  if (!body.has('SegmentAttributes')) return;
  const value = body.raw('SegmentAttributes');
  if (typeof value !== 'object' || Array.isArray(value)) throw body.error('SegmentAttributes', 'Member must be a map');
  for (const [name, entry] of Object.entries(value as object)) {
    if (name.length < 1 || name.length > 128) throw body.error('SegmentAttributes', 'Map keys must have length between 1 and 128');
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw body.error('SegmentAttributes', 'Map values must be structures');
    }
  }
}
