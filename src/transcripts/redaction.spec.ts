import { createRedactor, validateRedactionConfig } from './redaction.js';
import type { RedactionConfig } from './redaction.js';
import { isPhone, luhnValid } from './redaction-detectors.js';

const all: RedactionConfig = { enabled: true, detectors: ['card', 'email', 'phone'], patterns: [] };
const redact = createRedactor(all)!;

describe('createRedactor', () => {
  it('is null when disabled or empty', () => {
    expect(createRedactor(null)).toBeNull();
    expect(createRedactor(undefined)).toBeNull();
    expect(createRedactor({ ...all, enabled: false })).toBeNull();
    expect(createRedactor({ enabled: true, detectors: [], patterns: [] })).toBeNull();
  });

  it.each([
    ['my card is 4111 1111 1111 1111 thanks', 'my card is [card] thanks'],
    ['4111-1111-1111-1111', '[card]'],
    ['pay with 4111111111111111.', 'pay with [card].'],
    ['amex 3782 822463 10005', 'amex [card]'],
    ['card 5555 5555 5555 4444 2027', 'card [card] 2027'],
    ['diners 30569309025904!', 'diners [card]!'],
  ])('masks card numbers: %s', (input, expected) => expect(redact(input)).toBe(expected));

  it.each([
    'order 4111 1111 1111 1112 (Luhn fails)',
    'tracking 1234567890123',
    'invoice 2026-11-26 and 12345',
    'ref 1234 5678 9012 3456 7890 1234 5678 (too long)',
  ])('leaves numbers that are not cards: %s', (input) => expect(redact(input)).toBe(input));

  it.each([
    ['mail me at jane.doe+tag@example.co.uk please', 'mail me at [email] please'],
    ['JANE_DOE@Example.COM', '[email]'],
    ['<a@b.io>', '<[email]>'],
    ['x@mail-server.example.org, y@z.de', '[email], [email]'],
  ])('masks e-mail addresses: %s', (input, expected) => expect(redact(input)).toBe(expected));

  it.each(['user@localhost', 'twitter @handle', 'a @ b.com', 'price 5@3.50'])('leaves non-addresses: %s', (input) =>
    expect(redact(input)).toBe(input),
  );

  it.each([
    ['call +44 20 7946 0958 now', 'call [phone] now'],
    ['+1 (555) 123-4567', '[phone]'],
    ['+4915112345678', '[phone]'],
    ['+49 (0)30 1234567', '[phone]'],
    ['0044 20 7946 0958', '[phone]'],
    ['(555) 123-4567', '[phone]'],
    ['555-123-4567 or 555.987.6543', '[phone] or [phone]'],
    ['1-800-555-0199', '[phone]'],
    ['(call 555-123-4567)', '(call [phone])'],
    ['020 7946 0958', '[phone]'],
    ['mobile 07700 900123', 'mobile [phone]'],
    ['06 12 34 56 78', '[phone]'],
    ['0301234567', '[phone]'],
    ['555 123 4567 555 987 6500', '[phone] [phone]'],
  ])('masks phone numbers: %s', (input, expected) => expect(redact(input)).toBe(expected));

  it.each([
    'order 4567891234 shipped',
    'order #A-1001, id 12345678',
    'on 2026-11-26 at 10:30',
    'on 26.11.2026 or 26/11/2026 or 01.02.2026',
    'server 192.168.100.200',
    'version 1.2.3',
    'total 1,234,567.89 EUR or 1 234 567',
    'room 555-1234',
    'between 10-20 items, 3-4 days',
    'SKU AB1234567890',
    'ISBN 978-3-16-148410-0',
  ])('leaves ordinary numbers: %s', (input) => expect(redact(input)).toBe(input));

  it('applies custom patterns after the detectors, with flags', () => {
    const r = createRedactor({ enabled: true, detectors: ['email'], patterns: [{ name: 'order', regex: 'ord-\\d{4}', flags: 'i' }] })!;
    expect(r('ORD-1234 and ord-5678 from a@b.com')).toBe('[redacted:order] and [redacted:order] from [email]');
    expect(r('again ORD-1234')).toBe('again [redacted:order]');
  });

  it('masks the whole text when a custom pattern exceeds its time box', () => {
    // (x|x)*y passes the static check (no nested quantifier) yet backtracks exponentially.
    const r = createRedactor({ enabled: true, detectors: [], patterns: [{ name: 'slow', regex: '(x|x)*y' }] })!;
    expect(r(`${'x'.repeat(40)}!`)).toBe('[redacted:timeout]');
  });

  it('masks over-long texts whole and leaves empty ones', () => {
    expect(redact('a'.repeat(40_000))).toBe('[redacted:too-long]');
    expect(redact('')).toBe('');
  });

  it('stays fast on hostile input for the built-in detectors', () => {
    const hostile = ['a'.repeat(12_000), '1 '.repeat(6_000), '+1-'.repeat(4_000), `${'a.'.repeat(6_000)}@`, '@a.'.repeat(4_000)];
    const started = process.hrtime.bigint();
    for (const text of hostile) redact(text);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(2_000);
  });
});

describe('detector helpers', () => {
  it('luhn', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
  });
  it('isPhone', () => {
    expect(isPhone('+1 555 123 4567')).toBe(true);
    expect(isPhone('5551234567')).toBe(false);
  });
});

describe('validateRedactionConfig', () => {
  it('accepts and normalises a good config', () => {
    const { config, problems } = validateRedactionConfig({ enabled: true, detectors: ['card'], patterns: [{ name: 'emp-id', regex: 'E\\d{6}', flags: 'iu' }] });
    expect(problems).toEqual([]);
    expect(config).toEqual({ enabled: true, detectors: ['card'], patterns: [{ name: 'emp-id', regex: 'E\\d{6}', flags: 'iu' }] });
    expect(validateRedactionConfig({ enabled: false }).config).toEqual({ enabled: false, detectors: [], patterns: [] });
  });

  it.each([
    [null, ''],
    [[], ''],
    [{ enabled: 'yes' }, 'enabled'],
    [{ enabled: true, detectors: ['ssn'] }, 'detectors[0]'],
    [{ enabled: true, detectors: ['card', 'card'] }, 'detectors[1]'],
    [{ enabled: true, extra: 1 }, 'extra'],
    [{ enabled: true, patterns: {} }, 'patterns'],
    [{ enabled: true, patterns: [{ name: 'x', regex: '(' }] }, 'patterns[0].regex'],
    [{ enabled: true, patterns: [{ name: 'x', regex: '(a+)+$' }] }, 'patterns[0].regex'],
    [{ enabled: true, patterns: [{ name: 'x', regex: '(\\w*\\s?)*' }] }, 'patterns[0].regex'],
    [{ enabled: true, patterns: [{ name: 'x', regex: '(?:ab+){2,}' }] }, 'patterns[0].regex'],
    [{ enabled: true, patterns: [{ name: 'x', regex: '(a)\\1' }] }, 'patterns[0].regex'],
    [{ enabled: true, patterns: [{ name: 'x', regex: 'a*' }] }, 'patterns[0].regex'],
    [{ enabled: true, patterns: [{ name: 'x', regex: 'a'.repeat(501) }] }, 'patterns[0].regex'],
    [{ enabled: true, patterns: [{ name: 'x', regex: 'a', flags: 'g' }] }, 'patterns[0].flags'],
    [{ enabled: true, patterns: [{ name: 'x', regex: 'a', flags: 'ii' }] }, 'patterns[0].flags'],
    [{ enabled: true, patterns: [{ name: 'bad name!', regex: 'a' }] }, 'patterns[0].name'],
    [{ enabled: true, patterns: [{ name: 'x', regex: 'a' }, { name: 'x', regex: 'b' }] }, 'patterns[1].name'],
    [{ enabled: true, patterns: Array.from({ length: 21 }, (_, i) => ({ name: `p${i}`, regex: 'a' })) }, 'patterns'],
  ])('rejects %j at %s', (input, field) => {
    const { config, problems } = validateRedactionConfig(input);
    expect(config).toBeUndefined();
    expect(problems.map((p) => p.field)).toContain(field);
  });
});
