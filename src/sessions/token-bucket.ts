import type { RateLimit } from '../connect/connect-quotas.js';

/** A token bucket: starts full at `burst`, refills `rps` tokens per second. Time is passed in. */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(readonly limit: RateLimit, now: number) {
    this.tokens = limit.burst;
    this.at = now;
  }

  tryTake(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until a whole token is there (0: now). */
  waitMs(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.limit.rps) * 1000);
  }

  /** Connect throttled us anyway (another client, a restart): assume its bucket is empty too. */
  drain(now: number): void {
    this.refill(now);
    this.tokens = Math.min(this.tokens, 0);
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.at) / 1000;
    this.tokens = Math.min(this.limit.burst, this.tokens + elapsed * this.limit.rps);
    this.at = now;
  }
}
