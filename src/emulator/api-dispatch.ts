import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OperationHandler } from './api-types.js';
import { AwsError, accessDenied, serializationError } from './aws-errors.js';
import type { Chat, ContactStore, Participant } from './contact-store.js';
import type { EmulatorConfig, OperationName } from './emulator-config.js';
import { CONNECT_OPERATIONS } from './emulator-config.js';
import { BodyTooLarge, readBody, sendAwsError, sendAwsResult, setCors } from './http-util.js';
import type { Logger } from './logger.js';
import type { RateLimiter } from './rate-limiter.js';
import type { TokenCodec } from './token-codec.js';

const ROUTES: Record<string, OperationName> = {
  'PUT /contact/chat': 'StartChatContact',
  'POST /contact/stop': 'StopContact',
  'POST /participant/connection': 'CreateParticipantConnection',
  'POST /participant/message': 'SendMessage',
  'POST /participant/event': 'SendEvent',
  'POST /participant/transcript': 'GetTranscript',
  'POST /participant/disconnect': 'DisconnectParticipant',
  'POST /participant/start-attachment-upload': 'StartAttachmentUpload',
  'POST /participant/complete-attachment-upload': 'CompleteAttachmentUpload',
  'POST /participant/attachment': 'GetAttachment',
};
const API_BODY_LIMIT = 1024 * 1024;

export function operationFor(method: string, path: string): OperationName | undefined {
  if (method === 'GET' && path.startsWith('/participant/views/')) return 'DescribeView';
  return ROUTES[`${method} ${path}`];
}

export interface DispatchDeps {
  store: ContactStore;
  tokens: TokenCodec;
  limiter: RateLimiter;
  config: () => EmulatorConfig;
  handlers: Record<string, OperationHandler>;
  log: Logger;
}

/**
 * Every AWS call goes through the same steps: injected latency, body, caller, injected faults,
 * authentication (X-Amz-Bearer only; SigV4 is ignored), per-instance rate limit, then the handler.
 */
export class ApiDispatcher {
  /** Calls currently held back by `latencyMs` (lets tests see latency without timing anything). */
  delayed = 0;
  /** Calls refused by the rate limiter (429) since start or reset; injected faults are not counted. */
  throttled = 0;

  constructor(private readonly deps: DispatchDeps) {}

  async handle(operation: OperationName, req: IncomingMessage, res: ServerResponse): Promise<void> {
    setCors(req, res);
    const isConnect = (CONNECT_OPERATIONS as readonly string[]).includes(operation);
    try {
      const latency = this.deps.config().latencyMs;
      if (latency > 0) {
        this.delayed++;
        await new Promise((resolve) => setTimeout(resolve, latency)).finally(() => this.delayed--);
      }
      const raw = await parseJson(req);
      const participant = isConnect ? undefined : this.caller(operation, req);
      const chat = participant?.chat ?? (operation === 'StopContact' ? this.contactOf(raw) : undefined);
      this.injectFault(operation, chat);
      if (!isConnect && (!participant || participant.left || participant.chat.status !== 'ACTIVE')) throw accessDenied();
      const instanceId = chat?.instanceId ?? stringMember(raw, 'InstanceId');
      if (!this.deps.limiter.tryTake(instanceId, operation)) {
        this.throttled++;
        throw new AwsError(429, operation === 'StartChatContact' ? 'TooManyRequestsException' : 'ThrottlingException', 'Rate exceeded');
      }
      const result = await this.deps.handlers[operation]!({ raw, participant, host: req.headers.host });
      sendAwsResult(res, result);
    } catch (err) {
      if (err instanceof AwsError) return sendAwsError(res, err);
      this.deps.log.error(`${operation} failed: ${(err as Error).stack ?? String(err)}`);
      sendAwsError(res, new AwsError(500, isConnect ? 'InternalServiceException' : 'InternalServerException', 'Internal server error'));
    }
  }

  private caller(operation: OperationName, req: IncomingMessage): Participant | undefined {
    const bearer = req.headers['x-amz-bearer'];
    const token = Array.isArray(bearer) ? bearer[0] : bearer;
    const claims = this.deps.tokens.verify(token, operation === 'CreateParticipantConnection' ? 'p' : 'c');
    return claims && this.deps.store.participants.get(claims.subject);
  }

  private contactOf(raw: unknown): Chat | undefined {
    const contactId = stringMember(raw, 'ContactId');
    return contactId ? this.deps.store.chatsByContact.get(contactId) : undefined;
  }

  private injectFault(operation: OperationName, chat: Chat | undefined): void {
    const rules = this.deps.config().failNext;
    const index = rules.findIndex(
      (rule) => rule.operation === operation && (rule.contactId === undefined || !!chat?.contactIds.includes(rule.contactId)),
    );
    if (index < 0) return;
    const rule = rules[index]!;
    if (--rule.count <= 0) rules.splice(index, 1);
    throw new AwsError(rule.status, rule.errorType, rule.message);
  }
}

async function parseJson(req: IncomingMessage): Promise<unknown> {
  let body: Buffer;
  try {
    body = await readBody(req, API_BODY_LIMIT);
  } catch (err) {
    if (err instanceof BodyTooLarge) throw new AwsError(413, 'ValidationException', 'Request body is too large');
    throw err;
  }
  if (!body.length) return {};
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    throw serializationError('Request body is not valid JSON');
  }
}

function stringMember(raw: unknown, name: string): string {
  const value = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : '';
}
