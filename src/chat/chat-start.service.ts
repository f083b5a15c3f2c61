import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { KEYRING } from '../auth/keyring.js';
import type { Keyring } from '../auth/keyring.js';
import { SessionTokenService } from '../auth/session-token.service.js';
import { AppError } from '../common/app-error.js';
import { decrypt, encrypt, hmacHex, safeEqual, sha256Hex } from '../common/crypto.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { ConnectError } from '../connect/connect-error.js';
import { CONNECT_CHAT_PORT } from '../connect/connect-chat.port.js';
import type { ConnectChatPort } from '../connect/connect-chat.port.js';
import type { Frontend } from '../frontends/frontend.js';
import { FrontendsService } from '../frontends/frontends.service.js';
import type { ChatRecord } from '../sessions/chat-record.js';
import { ChatsRepository } from '../sessions/chats.repository.js';
import { SessionRegistry } from '../sessions/session-registry.service.js';
import { createRedactor } from '../transcripts/redaction.js';
import { IdempotencyRepository } from './idempotency.repository.js';
import { checkContent, parseStartChat } from './widget-validation.js';

export interface StartChatResult {
  status: 201 | 200;
  body: { chatId: string; sessionToken: string; contactId: string; status: string; expiresAt: string };
}

const IDEMPOTENCY_TTL_MS = 24 * 3600_000;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{16,255}$/;
/** How long a fresh chat may take to come up before the answer says `starting`. */
const CONNECT_WAIT_MS = 10_000;

/** POST /v1/chats (CONTRACT.md §2): checks, idempotency, StartChatContact, owning the new chat. */
@Injectable()
export class ChatStartService {
  private readonly log = new Logger(ChatStartService.name);

  constructor(
    private readonly frontends: FrontendsService,
    private readonly chats: ChatsRepository,
    private readonly registry: SessionRegistry,
    private readonly tokens: SessionTokenService,
    private readonly idempotency: IdempotencyRepository,
    @Inject(CONNECT_CHAT_PORT) private readonly connect: ConnectChatPort,
    @Inject(KEYRING) private readonly keyring: Keyring,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** From the request's headers: the front end's key, the browser's Origin, the idempotency key. */
  async startFromRequest(publicKey: string | undefined, origin: string | undefined, rawBody: unknown, idempotencyKey: string | undefined): Promise<StartChatResult> {
    const frontend = publicKey ? await this.frontends.findByPublicKey(publicKey) : null;
    if (!frontend) throw new AppError('UNAUTHENTICATED', 'An x-frontend-key header with a known public key is required.');
    if (origin !== undefined && !this.frontends.isOriginAllowed(frontend, origin)) {
      throw new AppError('FORBIDDEN', 'This origin is not allowed for this front end.');
    }
    return this.start(frontend, rawBody, idempotencyKey);
  }

  async start(frontend: Frontend, rawBody: unknown, idempotencyKey: string | undefined): Promise<StartChatResult> {
    const body = parseStartChat(rawBody);
    if (body.customer) await this.verifyCustomer(frontend, body.customer);
    const disallowed = Object.keys(body.attributes).filter((k) => !frontend.attributeKeys.includes(k));
    if (disallowed.length) {
      throw AppError.validation(disallowed.map((k) => ({ field: `attributes.${k}`, message: 'is not an attribute this front end allows' })));
    }
    const initialMessage = body.rawInitialMessage
      ? checkContent(body.rawInitialMessage, frontend.connect.supportedContentTypes, 'initialMessage')
      : undefined;

    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw AppError.validation([{ field: 'idempotency-key', message: 'must be 16 to 255 visible ASCII characters' }]);
    }
    if (!idempotencyKey) return this.startOrResume(frontend, body, initialMessage);

    const claim = await this.idempotency.claim(frontend.id, idempotencyKey, sha256Hex(JSON.stringify(rawBody)), IDEMPOTENCY_TTL_MS);
    if (claim.kind === 'conflict') {
      throw new AppError('CONFLICT', claim.reason === 'in-flight'
        ? 'A request with this idempotency-key is still in progress.'
        : 'This idempotency-key was used with a different request body.');
    }
    if (claim.kind === 'replay') return this.unsealReplay(claim.status, claim.body);
    try {
      const result = await this.startOrResume(frontend, body, initialMessage, idempotencyKey);
      await this.idempotency.complete(frontend.id, idempotencyKey, result.status, this.sealForReplay(result.body));
      return result;
    } catch (err) {
      await this.idempotency.release(frontend.id, idempotencyKey).catch(() => undefined);
      throw err;
    }
  }

  private async startOrResume(frontend: Frontend, body: ReturnType<typeof parseStartChat>,
    initialMessage: { contentType: string; content: string } | undefined, idempotencyKey?: string): Promise<StartChatResult> {
    if (body.resume && body.customer) {
      const open = await this.chats.findOpenForCustomer(frontend.id, body.customer.id);
      if (open) return { status: 200, body: this.response(open) };
    }
    const attributes: Record<string, string> = { ...body.attributes, gatewayFrontendId: frontend.id };
    if (body.customer) attributes.gatewayCustomerId = body.customer.id;
    let started;
    try {
      started = await this.registry.startChat(frontend.connect, {
        displayName: body.displayName,
        attributes,
        initialMessage,
        supportedContentTypes: frontend.connect.supportedContentTypes,
        clientToken: idempotencyKey ? sha256Hex(`${frontend.id}:${idempotencyKey}`).slice(0, 64) : randomUUID(),
      });
    } catch (err) {
      throw err instanceof ConnectError ? err.toAppError() : err;
    }
    const redact = createRedactor(frontend.redaction);
    const record = await this.chats.create({
      frontendId: frontend.id,
      // Connect sees what the customer typed; what we store is masked like every other customer text.
      displayName: redact ? redact(body.displayName) : body.displayName,
      customerId: body.customer?.id ?? null,
      contactId: started.contactId,
      participantId: started.participantId,
      participantTokenEnc: encrypt(this.keyring.encryptionKey, started.participantToken),
      connectInstanceId: frontend.connect.instanceId,
      connectRegion: frontend.connect.region,
      supportedContentTypes: frontend.connect.supportedContentTypes,
      ownerId: this.registry.ownerId,
    });
    const adopted = this.registry.adopt(record);
    adopted.catch((err: unknown) => this.log.error({ err }, `chat ${record.id} failed to start`));
    await Promise.race([adopted.catch(() => undefined), new Promise((r) => setTimeout(r, CONNECT_WAIT_MS).unref())]);
    const fresh = (await this.chats.findById(record.id)) ?? record;
    return { status: 201, body: this.response(fresh) };
  }

  private response(chat: ChatRecord): StartChatResult['body'] {
    const { token, expiresAt } = this.tokens.issue(chat);
    const live = this.registry.get(chat.id);
    const status = chat.status === 'ended' ? 'ended' : live?.status === 'active' ? 'active' : chat.status;
    return { chatId: chat.id, sessionToken: token, contactId: chat.contactId, status, expiresAt: expiresAt.toISOString() };
  }

  private async verifyCustomer(frontend: Frontend, customer: { id: string; issuedAt: number; signature: string }): Promise<void> {
    const now = Math.floor(Date.now() / 1000);
    const maxAge = this.config.security.customerSignatureMaxAgeSeconds;
    const expected = hmacHex(await this.frontends.signingSecret(frontend.id), `${customer.id}.${customer.issuedAt}`);
    const fresh = customer.issuedAt <= now + 60 && now - customer.issuedAt <= maxAge;
    if (!safeEqual(customer.signature, expected) || !fresh) {
      throw new AppError('UNAUTHENTICATED', 'The customer signature is not valid or has expired.');
    }
  }

  private sealForReplay(body: StartChatResult['body']): object {
    return { ...body, sessionToken: encrypt(this.keyring.encryptionKey, body.sessionToken) };
  }

  private unsealReplay(status: number, stored: unknown): StartChatResult {
    const body = stored as StartChatResult['body'];
    return { status: status as 201 | 200, body: { ...body, sessionToken: decrypt(this.keyring.encryptionKey, body.sessionToken) } };
  }
}
