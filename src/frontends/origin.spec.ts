import { normaliseOrigin, originAllowed } from './origin.js';

describe('normaliseOrigin', () => {
  it.each([
    ['https://shop.example.com', 'https://shop.example.com'],
    ['HTTPS://Shop.Example.COM', 'https://shop.example.com'],
    ['http://localhost:3000', 'http://localhost:3000'],
    ['https://example.com:443', 'https://example.com'],
    ['http://example.com:80', 'http://example.com'],
    ['http://example.com:443', 'http://example.com:443'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['http://[::1]:3000', 'http://[::1]:3000'],
    ['https://bücher.example', 'https://xn--bcher-kva.example'],
    ['capacitor://localhost', 'capacitor://localhost'],
  ])('%s → %s', (raw, expected) => {
    expect(normaliseOrigin(raw)).toBe(expected);
  });

  it.each([
    '', 'shop.example.com', 'https://shop.example.com/', 'https://shop.example.com/path', 'https://a.com?x=1',
    'https://a.com#f', 'https://user@a.com', 'https://a.com:0', 'https://a.com:65536', 'https://a.com:abc',
    'https://', 'https://a b.com', '*', 'null', 'https://a..com', `https://${'a'.repeat(2100)}.com`,
  ])('refuses %j', (raw) => {
    expect(normaliseOrigin(raw)).toBeUndefined();
  });
});

describe('originAllowed', () => {
  const list = ['https://shop.example.com', 'http://localhost:3000'];

  it('matches exactly after normalising the request origin', () => {
    expect(originAllowed(list, 'https://shop.example.com')).toBe(true);
    expect(originAllowed(list, 'HTTPS://SHOP.example.com:443')).toBe(true);
    expect(originAllowed(list, 'http://localhost:3000')).toBe(true);
  });

  it('refuses other schemes, ports, subdomains and lookalikes', () => {
    for (const o of ['http://shop.example.com', 'http://localhost:3001', 'https://evil.shop.example.com',
      'https://shop.example.com.evil.com', 'null', '', 'garbage']) {
      expect(originAllowed(list, o)).toBe(false);
    }
  });

  it('allows anything, even "null", only with an explicit *', () => {
    expect(originAllowed(['*'], 'https://anything.example')).toBe(true);
    expect(originAllowed(['*'], 'null')).toBe(true);
    expect(originAllowed([], 'https://shop.example.com')).toBe(false);
  });
});
