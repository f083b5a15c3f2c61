import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a token grants: `p` participant token, `c` connection token, `w` socket URL, `u`/`g` attachment upload/download. */
export type TokenKind = 'p' | 'c' | 'w' | 'u' | 'g';

export interface TokenClaims {
  kind: TokenKind;
  /** Participant id (or `participantId/attachmentId` for attachment URLs). */
  subject: string;
  /** Epoch ms; 0 = does not expire. */
  expiresAt: number;
}

/**
 * Signed, self-describing tokens: the emulator stores nothing per token, which keeps 10,000 chats
 * (each refreshing its connection token and socket URL) cheap.
 */
export class TokenCodec {
  private secret = randomBytes(32);

  rotate(): void {
    this.secret = randomBytes(32);
  }

  issue(kind: TokenKind, subject: string, expiresAt = 0): string {
    const body = `${kind}.${subject}.${expiresAt.toString(36)}`;
    return `${body}.${this.sign(body)}`;
  }

  /** The claims of a genuine, unexpired token of `kind`, else undefined. */
  verify(token: string | undefined, kind: TokenKind, now = Date.now()): TokenClaims | undefined {
    if (!token || token.length > 1000) return undefined;
    const cut = token.lastIndexOf('.');
    if (cut < 0) return undefined;
    const body = token.slice(0, cut);
    const expected = Buffer.from(this.sign(body));
    const given = Buffer.from(token.slice(cut + 1));
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    const first = body.indexOf('.');
    const last = body.lastIndexOf('.');
    if (body.slice(0, first) !== kind || first === last) return undefined;
    const expiresAt = parseInt(body.slice(last + 1), 36);
    if (expiresAt && expiresAt <= now) return undefined;
    return { kind, subject: body.slice(first + 1, last), expiresAt };
  }

  private sign(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url').slice(0, 27);
  }
}
