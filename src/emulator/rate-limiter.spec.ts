import { RateLimiter, TokenBucket } from './rate-limiter.js';

describe('TokenBucket', () => {
  it('allows a burst, then refills at rps', () => {
    let now = 1_000;
    const bucket = new TokenBucket({ rps: 2, burst: 3 }, () => now);
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([true, true, true, false]);
    now += 499;
    expect(bucket.tryTake()).toBe(false);
    now += 1;
    expect(bucket.tryTake()).toBe(true);
    expect(bucket.tryTake()).toBe(false);
    now += 10_000;
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([true, true, true, false]);
  });

  it('survives a clock that goes backwards', () => {
    let now = 5_000;
    const bucket = new TokenBucket({ rps: 1, burst: 1 }, () => now);
    expect(bucket.tryTake()).toBe(true);
    now -= 1_000;
    expect(bucket.tryTake()).toBe(false);
  });
});

describe('RateLimiter', () => {
  it('keeps separate buckets per instance and operation', () => {
    const now = 0;
    const limiter = new RateLimiter(() => ({ rps: 1, burst: 1 }), () => now);
    expect(limiter.tryTake('i1', 'SendMessage')).toBe(true);
    expect(limiter.tryTake('i1', 'SendMessage')).toBe(false);
    expect(limiter.tryTake('i2', 'SendMessage')).toBe(true);
    expect(limiter.tryTake('i1', 'SendEvent')).toBe(true);
  });

  it('starts a fresh bucket when the limit changes, and forgets everything on reset', () => {
    const now = 0;
    let limit = { rps: 1, burst: 1 };
    const limiter = new RateLimiter(() => limit, () => now);
    expect(limiter.tryTake('i', 'op')).toBe(true);
    expect(limiter.tryTake('i', 'op')).toBe(false);
    limit = { rps: 1, burst: 2 };
    expect(limiter.tryTake('i', 'op')).toBe(true);
    expect(limiter.tryTake('i', 'op')).toBe(true);
    expect(limiter.tryTake('i', 'op')).toBe(false);
    limiter.reset();
    expect(limiter.tryTake('i', 'op')).toBe(true);
  });
});
