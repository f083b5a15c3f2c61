import { TtlCache } from './ttl-cache.js';

describe('TtlCache', () => {
  let now = 0;
  const cache = () => new TtlCache<string>(1000, 3, () => now);
  beforeEach(() => {
    now = 0;
  });

  it('serves a hit until it expires, then loads again', async () => {
    const c = cache();
    let loads = 0;
    const load = async () => `v${++loads}`;
    expect(await c.get('k', load)).toBe('v1');
    now = 999;
    expect(await c.get('k', load)).toBe('v1');
    now = 1000;
    expect(await c.get('k', load)).toBe('v2');
  });

  it('shares one load between concurrent misses', async () => {
    const c = cache();
    let loads = 0;
    const load = async () => `v${++loads}`;
    const [a, b] = await Promise.all([c.get('k', load), c.get('k', load)]);
    expect([a, b, loads]).toEqual(['v1', 'v1', 1]);
  });

  it('clear() drops entries and does not keep a value loaded before it', async () => {
    const c = cache();
    let release!: (v: string) => void;
    const slow = c.get('k', () => new Promise<string>((r) => (release = r)));
    c.clear();
    release('stale');
    expect(await slow).toBe('stale');
    expect(await c.get('k', async () => 'fresh')).toBe('fresh');
  });

  it('evicts the oldest entry beyond its size', async () => {
    const c = cache();
    for (const k of ['a', 'b', 'c', 'd']) await c.get(k, async () => k);
    expect(await c.get('a', async () => 'reloaded')).toBe('reloaded');
    expect(await c.get('d', async () => 'reloaded')).toBe('d');
  });
});
