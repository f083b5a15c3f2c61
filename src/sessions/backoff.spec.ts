import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  it('doubles from the base and stops at the cap', () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, 500, 10_000, mid))).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  it('jitters ±30 %', () => {
    expect(backoffDelay(2, 1000, 60_000, () => 0)).toBe(2800);
    expect(backoffDelay(2, 1000, 60_000, () => 0.999999)).toBe(5200);
  });

  it('survives absurd attempt counts', () => {
    expect(backoffDelay(10_000, 1000, 30_000, () => 0.5)).toBe(30_000);
  });
});
