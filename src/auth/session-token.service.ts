import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error.js';
import { hmacHex, safeEqual } from '../common/crypto.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { KEYRING } from './keyring.js';
import type { Keyring } from './keyring.js';

/** Connect's default (and, without ChatDurationInMinutes, only) chat duration. */
const MAX_CHAT_DURATION_MS = 25 * 3600_000;
const FORMAT = /^st1\.([0-9a-f-]{36})\.(\d{10,13})\.([0-9a-f]{64})$/;

export interface IssuedSessionToken {
  token: string;
  expiresAt: Date;
}

/**
 * Widget session tokens: `st1.<chatId>.<expiry seconds>.<HMAC-SHA256>` signed with SESSION_SECRET.
 * One token authorises one chat; the chat's own state (ended + TTL) is checked on every use.
 */
@Injectable()
export class SessionTokenService {
  private readonly ttlAfterEndMs: number;

  constructor(@Inject(KEYRING) private readonly keyring: Keyring, @Inject(APP_CONFIG) config: AppConfig) {
    this.ttlAfterEndMs = config.security.sessionTtlAfterEndHours * 3600_000;
  }

  issue(chat: { id: string; startedAt: Date; endedAt: Date | null }): IssuedSessionToken {
    const expiresAt = new Date(this.latestValidity(chat));
    const exp = Math.floor(expiresAt.getTime() / 1000);
    const body = `st1.${chat.id}.${exp}`;
    return { token: `${body}.${hmacHex(this.keyring.sessionSecret, body)}`, expiresAt: new Date(exp * 1000) };
  }

  /** The chat id a well-formed, authentic, unexpired token names; throws UNAUTHENTICATED otherwise. */
  verify(token: unknown): string {
    const m = typeof token === 'string' ? FORMAT.exec(token) : null;
    if (!m) throw unauthenticated();
    const [, chatId, exp, sig] = m as unknown as [string, string, string, string];
    if (!safeEqual(sig, hmacHex(this.keyring.sessionSecret, `st1.${chatId}.${exp}`))) throw unauthenticated();
    if (Number(exp) * 1000 <= Date.now()) throw unauthenticated();
    return chatId;
  }

  /** Whether a chat's state still admits its tokens (ended more than the TTL ago: no). */
  assertChatAdmits(chat: { endedAt: Date | null }): void {
    if (chat.endedAt && chat.endedAt.getTime() + this.ttlAfterEndMs <= Date.now()) throw unauthenticated();
  }

  private latestValidity(chat: { startedAt: Date; endedAt: Date | null }): number {
    const end = chat.endedAt?.getTime() ?? chat.startedAt.getTime() + MAX_CHAT_DURATION_MS;
    return end + this.ttlAfterEndMs;
  }
}

function unauthenticated(): AppError {
  return new AppError('UNAUTHENTICATED', 'A valid session token is required.');
}
