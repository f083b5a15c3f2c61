import { loadConfig } from './app-config.js';
import { ConfigError } from './env-parsers.js';

function failure(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives the documented defaults with nothing set', () => {
    const c = loadConfig({});
    expect(c.http).toMatchObject({ port: 3000, host: '0.0.0.0', publicUrl: 'http://localhost:3000', trustProxy: undefined });
    expect(c.database).toMatchObject({ url: undefined, migrateOnStart: true });
    expect(c.security.dataDir).toMatch(/\.data$/);
    expect(c.security).toMatchObject({ sessionTtlAfterEndHours: 24, customerSignatureMaxAgeSeconds: 86400, adminToken: undefined });
    expect(c.connect).toEqual({ mode: 'emulator', endpoint: undefined, emulatorHost: '127.0.0.1', emulatorPort: 4100 });
    expect(c.chat).toEqual({ abandonAfterMinutes: 30, abandonCheckMs: 60_000, chatStartsPerMinutePerIp: 10, chatStartsPerMinutePerFrontend: 120 });
    expect(c.upstream).toEqual({
      heartbeatMs: 10_000, rotateMs: 59 * 60_000, tokenRefreshMarginMs: 60_000, backoffBaseMs: 500, backoffMaxMs: 30_000,
      rateLimits: {}, rateFraction: 0.9,
    });
    expect(c.ownership).toEqual({ leaseMs: 30_000, leaseRenewMs: 10_000, writeBacklogMaxBytes: 64 * 1024 * 1024, commitDelayMs: 0 });
    expect(c.redisUrl).toBeUndefined();
    expect(c.logLevel).toBe('info');
  });

  it('reads typed values', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const c = loadConfig({
      PORT: '8080', PUBLIC_URL: 'https://chat.example.com/', DATABASE_URL: 'postgresql://u@db:5432/gw',
      MIGRATE_ON_START: 'false', ENCRYPTION_KEY: key, CONNECT_MODE: 'aws', TRUST_PROXY: '1', ABANDON_AFTER_MINUTES: '0',
    });
    expect(c.http.port).toBe(8080);
    expect(c.http.publicUrl).toBe('https://chat.example.com');
    expect(c.http.trustProxy).toBe(1);
    expect(c.database).toMatchObject({ url: 'postgresql://u@db:5432/gw', migrateOnStart: false });
    expect(c.security.encryptionKey?.equals(Buffer.alloc(32, 7))).toBe(true);
    expect(c.connect.mode).toBe('aws');
    expect(c.chat.abandonAfterMinutes).toBe(0);
  });

  it('reads the reliability knobs, fractions included (tests run on seconds)', () => {
    const c = loadConfig({
      LEASE_SECONDS: '3', LEASE_RENEW_SECONDS: '0.5', UPSTREAM_HEARTBEAT_SECONDS: '0.5', UPSTREAM_ROTATE_MINUTES: '0.05',
      UPSTREAM_TOKEN_REFRESH_MARGIN_SECONDS: '2', UPSTREAM_BACKOFF_BASE_MS: '50', UPSTREAM_BACKOFF_MAX_MS: '2000',
      ABANDON_AFTER_MINUTES: '0.05', ABANDON_CHECK_SECONDS: '0.25', WRITE_BACKLOG_MAX_MB: '0.5', ITEM_COMMIT_DELAY_MS: '2',
      CONNECT_RATE_LIMITS: '{"SendMessage":{"rps":100,"burst":150}}', CONNECT_RATE_FRACTION: '0.45',
    });
    expect(c.ownership).toEqual({ leaseMs: 3000, leaseRenewMs: 500, writeBacklogMaxBytes: 512 * 1024, commitDelayMs: 2 });
    expect(c.upstream).toEqual({
      heartbeatMs: 500, rotateMs: 3000, tokenRefreshMarginMs: 2000, backoffBaseMs: 50, backoffMaxMs: 2000,
      rateLimits: { SendMessage: { rps: 100, burst: 150 } }, rateFraction: 0.45,
    });
    expect(c.chat).toMatchObject({ abandonAfterMinutes: 0.05, abandonCheckMs: 250 });
  });

  it.each([
    ['CONNECT_RATE_LIMITS', 'not json'],
    ['CONNECT_RATE_LIMITS', '{"SendMessage":{"rps":0,"burst":1}}'],
    ['CONNECT_RATE_LIMITS', '{"Send Message":{"rps":1,"burst":1}}'],
    ['CONNECT_RATE_LIMITS', '[1]'],
    ['CONNECT_RATE_FRACTION', '1.5'],
    ['LEASE_SECONDS', '0'],
    ['UPSTREAM_ROTATE_MINUTES', '-1'],
    ['ABANDON_AFTER_MINUTES', 'soon'],
  ])('refuses malformed %s', (name, value) => {
    expect(failure({ [name]: value }).variable).toBe(name);
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['MIGRATE_ON_START', 'perhaps'],
    ['CONNECT_MODE', 'cloud'],
    ['DATABASE_URL', 'mysql://x@y/z'],
    ['DATABASE_URL', 'not a url'],
    ['REDIS_URL', 'http://localhost'],
    ['LOG_LEVEL', 'loud'],
    ['CHAT_STARTS_PER_MINUTE_PER_IP', '0'],
  ])('refuses malformed %s', (name, value) => {
    const err = failure({ [name]: value });
    expect(err.variable).toBe(name);
    expect(err.message).toContain(name);
  });

  it('never echoes a secret value in its message', () => {
    const secretish = 'c2VjcmV0LXZhbHVlLXRoYXQtaXMtbm90LTMyLWJ5dGVz';
    const err = failure({ ENCRYPTION_KEY: secretish });
    expect(err.variable).toBe('ENCRYPTION_KEY');
    expect(err.message).not.toContain(secretish);
    const short = failure({ SESSION_SECRET: 'too-short' });
    expect(short.message).toContain('SESSION_SECRET');
    expect(short.message).not.toContain('too-short');
    const admin = failure({ ADMIN_TOKEN: 'tiny' });
    expect(admin.message).not.toContain('tiny');
  });

  it('does not echo a malformed database URL (it may hold a password)', () => {
    const err = failure({ DATABASE_URL: 'mysql://user:hunter2@db/x' });
    expect(err.message).not.toContain('hunter2');
  });
});
