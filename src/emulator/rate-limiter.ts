import type { RateLimit } from './emulator-config.js';

export type Clock = () => number;

/** A token bucket: starts full at `burst`, refills `rps` tokens per second. */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    readonly limit: RateLimit,
    private readonly clock: Clock,
  ) {
    this.tokens = limit.burst;
    this.refilledAt = clock();
  }

  tryTake(): boolean {
    const now = this.clock();
    const elapsed = Math.max(0, now - this.refilledAt) / 1000;
    this.tokens = Math.min(this.limit.burst, this.tokens + elapsed * this.limit.rps);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** One bucket per (instance, operation), sized by the current limits; a changed limit starts a fresh bucket. */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly limitOf: (operation: string) => RateLimit,
    private readonly clock: Clock = Date.now,
  ) {}

  tryTake(instanceId: string, operation: string): boolean {
    const key = `${instanceId}\u0000${operation}`;
    const limit = this.limitOf(operation);
    let bucket = this.buckets.get(key);
    if (!bucket || bucket.limit.rps !== limit.rps || bucket.limit.burst !== limit.burst) {
      bucket = new TokenBucket({ ...limit }, this.clock);
      this.buckets.set(key, bucket);
    }
    return bucket.tryTake();
  }

  reset(): void {
    this.buckets.clear();
  }
}
