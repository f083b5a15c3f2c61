import { AppError } from '../common/app-error.js';
import type { FieldProblem } from '../common/app-error.js';
import { validateCreate, validatePatch } from './frontend-validation.js';

const valid = {
  name: 'Shop',
  allowedOrigins: ['https://Shop.Example.com', 'http://localhost:3000'],
  connect: { instanceId: 'inst-1', contactFlowId: 'flow-1', region: 'eu-west-2' },
};

function problems(fn: () => unknown): FieldProblem[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('VALIDATION_FAILED');
    return (err as AppError).extra.details ?? [];
  }
  throw new Error('expected a validation error');
}

const fields = (fn: () => unknown) => problems(fn).map((p) => p.field);

describe('validateCreate', () => {
  it('normalises a valid body and fills defaults', () => {
    expect(validateCreate(valid)).toEqual({
      name: 'Shop',
      allowedOrigins: ['https://shop.example.com', 'http://localhost:3000'],
      connect: { instanceId: 'inst-1', contactFlowId: 'flow-1', region: 'eu-west-2', supportedContentTypes: ['text/plain'] },
      attributeKeys: [],
      retentionDays: null,
      redaction: null,
    });
  });

  it('always includes text/plain, de-duplicates and orders content types, origins and keys', () => {
    const s = validateCreate({
      ...valid,
      allowedOrigins: ['https://a.com', 'HTTPS://A.COM:443', '*'],
      connect: { ...valid.connect, supportedContentTypes: ['application/json', 'text/markdown', 'application/json'] },
      attributeKeys: ['orderId', 'orderId', 'a.b-c_D9'],
      retentionDays: 30,
    });
    expect(s.allowedOrigins).toEqual(['https://a.com', '*']);
    expect(s.connect.supportedContentTypes).toEqual(['text/plain', 'text/markdown', 'application/json']);
    expect(s.attributeKeys).toEqual(['orderId', 'a.b-c_D9']);
    expect(s.retentionDays).toBe(30);
  });

  it('accepts a redaction config checked by the transcripts module', () => {
    const s = validateCreate({ ...valid, redaction: { enabled: true, detectors: ['card', 'email'], patterns: [] } });
    expect(s.redaction).toMatchObject({ enabled: true, detectors: ['card', 'email'] });
  });

  it('names every missing required field', () => {
    expect(fields(() => validateCreate({}))).toEqual(['name', 'allowedOrigins', 'connect']);
    expect(fields(() => validateCreate({ ...valid, connect: {} }))).toEqual(['connect.instanceId', 'connect.contactFlowId', 'connect.region']);
  });

  it('refuses a body that is not an object', () => {
    for (const body of [null, [], 'x', 3]) expect(fields(() => validateCreate(body))).toEqual(['body']);
  });

  it.each([
    [{ name: '' }, 'name'],
    [{ name: '   ' }, 'name'],
    [{ name: 'x'.repeat(101) }, 'name'],
    [{ name: 42 }, 'name'],
    [{ allowedOrigins: 'https://a.com' }, 'allowedOrigins'],
    [{ allowedOrigins: ['https://a.com/'] }, 'allowedOrigins[0]'],
    [{ allowedOrigins: ['https://a.com', 'https://a.com/path'] }, 'allowedOrigins[1]'],
    [{ allowedOrigins: ['https://a.com?q=1'] }, 'allowedOrigins[0]'],
    [{ allowedOrigins: ['a.com'] }, 'allowedOrigins[0]'],
    [{ allowedOrigins: [7] }, 'allowedOrigins[0]'],
    [{ allowedOrigins: Array.from({ length: 101 }, (_, i) => `https://a${i}.com`) }, 'allowedOrigins'],
    [{ connect: { ...valid.connect, instanceId: '' } }, 'connect.instanceId'],
    [{ connect: { ...valid.connect, contactFlowId: 'x'.repeat(257) } }, 'connect.contactFlowId'],
    [{ connect: { ...valid.connect, region: 'US-EAST-1' } }, 'connect.region'],
    [{ connect: { ...valid.connect, region: 'mars' } }, 'connect.region'],
    [{ connect: { ...valid.connect, supportedContentTypes: ['text/html'] } }, 'connect.supportedContentTypes[0]'],
    [{ connect: { ...valid.connect, supportedContentTypes: 'text/plain' } }, 'connect.supportedContentTypes'],
    [{ connect: { ...valid.connect, extra: 1 } }, 'connect.extra'],
    [{ connect: 'x' }, 'connect'],
    [{ attributeKeys: ['has space'] }, 'attributeKeys[0]'],
    [{ attributeKeys: [''] }, 'attributeKeys[0]'],
    [{ attributeKeys: ['k'.repeat(129)] }, 'attributeKeys[0]'],
    [{ attributeKeys: ['ok', 'gatewayFrontendId'] }, 'attributeKeys[1]'],
    [{ attributeKeys: ['gatewayCustomerId'] }, 'attributeKeys[0]'],
    [{ retentionDays: 0 }, 'retentionDays'],
    [{ retentionDays: 36501 }, 'retentionDays'],
    [{ retentionDays: 1.5 }, 'retentionDays'],
    [{ retentionDays: '30' }, 'retentionDays'],
    [{ redaction: 'on' }, 'redaction'],
    [{ redaction: { enabled: 'yes' } }, 'redaction.enabled'],
    [{ id: 'x' }, 'id'],
    [{ secret: 'sk_x' }, 'secret'],
  ])('%j → problem on %s', (override, field) => {
    const details = problems(() => validateCreate({ ...valid, ...override }));
    expect(details.map((d) => d.field)).toContain(field);
    for (const d of details) expect(d.message).toEqual(expect.any(String));
  });

  it('never echoes a reserved key as allowed', () => {
    const details = problems(() => validateCreate({ ...valid, attributeKeys: ['gatewayCustomerId'] }));
    expect(details[0]!.message).toMatch(/reserved/);
  });
});

describe('validatePatch', () => {
  it('keeps only the fields given; connect may be partial', () => {
    expect(validatePatch({ connect: { region: 'us-west-2' } })).toEqual({ connect: { region: 'us-west-2' } });
    expect(validatePatch({ retentionDays: null, redaction: null })).toEqual({ retentionDays: null, redaction: null });
    expect(validatePatch({})).toEqual({});
  });

  it('normalises like create', () => {
    expect(validatePatch({ allowedOrigins: ['HTTP://LOCALHOST:80'] })).toEqual({ allowedOrigins: ['http://localhost'] });
    expect(validatePatch({ connect: { supportedContentTypes: [] } })).toEqual({ connect: { supportedContentTypes: ['text/plain'] } });
  });

  it('refuses bad values and unknown or read-only fields, all at once', () => {
    expect(fields(() => validatePatch({ name: '', publicKey: 'pk_x', connect: { region: 'x' }, retentionDays: -1 })))
      .toEqual(['publicKey', 'name', 'connect.region', 'retentionDays']);
  });
});
