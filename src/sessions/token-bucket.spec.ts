import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('gives the burst at once, then rps per second', () => {
    const b = new TokenBucket({ rps: 2, burst: 3 }, 0);
    expect([1, 2, 3, 4].map(() => b.tryTake(0))).toEqual([true, true, true, false]);
    expect(b.waitMs(0)).toBe(500);
    expect(b.tryTake(499)).toBe(false);
    expect(b.tryTake(500)).toBe(true);
    expect(b.tryTake(10_000)).toBe(true);
  });

  it('never saves up more than the burst', () => {
    const b = new TokenBucket({ rps: 10, burst: 2 }, 0);
    expect(b.tryTake(0) && b.tryTake(0)).toBe(true);
    expect([1, 2, 3].map(() => b.tryTake(60_000))).toEqual([true, true, false]);
  });

  it('drain() empties it, as after a 429 from Connect', () => {
    const b = new TokenBucket({ rps: 4, burst: 5 }, 0);
    b.drain(0);
    expect(b.tryTake(0)).toBe(false);
    expect(b.waitMs(0)).toBe(250);
  });
});
