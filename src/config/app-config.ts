import path from 'node:path';
import type { Env } from './env-parsers.js';
import {
  ConfigError, readBool, readEnum, readInt, readKey, readSecret, readString, readUrl,
} from './env-parsers.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface HttpConfig {
  port: number;
  host: string;
  publicUrl: string;
  /** Express `trust proxy` value; undefined: client IP from the socket. */
  trustProxy: string | number | boolean | undefined;
}

export interface DatabaseConfig {
  /** undefined: embedded PGlite under dataDir. */
  url: string | undefined;
  migrateOnStart: boolean;
  poolSize: number;
}

export interface SecurityConfig {
  dataDir: string;
  encryptionKey: Buffer | undefined;
  sessionSecret: string | undefined;
  adminToken: string | undefined;
  sessionTtlAfterEndHours: number;
  customerSignatureMaxAgeSeconds: number;
}

export interface ConnectConfig {
  mode: 'emulator' | 'aws';
  /** One endpoint for both AWS clients; with it no emulator runs in-process. */
  endpoint: string | undefined;
  emulatorHost: string;
  emulatorPort: number;
}

export interface ChatPolicyConfig {
  /** Fractions allowed (tests use seconds); 0 disables. */
  abandonAfterMinutes: number;
  /** How often browser presence is recorded and abandonment checked. */
  abandonCheckMs: number;
  chatStartsPerMinutePerIp: number;
  chatStartsPerMinutePerFrontend: number;
}

export interface RateLimitConfig {
  rps: number;
  burst: number;
}

/** The owner side's link to Connect (connect-protocol.md §3.5, §5). */
export interface UpstreamConfig {
  heartbeatMs: number;
  /** Make-before-break socket rotation interval (ChatJS: 59 minutes). */
  rotateMs: number;
  /** The connection token is refreshed this long before it expires (at the latest at half its life). */
  tokenRefreshMarginMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Overrides of Connect's published per-operation limits (CONNECT_RATE_LIMITS). */
  rateLimits: Record<string, RateLimitConfig>;
  /** Share of each limit this process uses (headroom; divide by the number of processes). */
  rateFraction: number;
}

/** Chat ownership (leases) and the transcript write path. */
export interface OwnershipConfig {
  leaseMs: number;
  leaseRenewMs: number;
  /** Items held in memory while the database refuses writes, in bytes (estimated). */
  writeBacklogMaxBytes: number;
  /** How long a group commit may wait for more items after the first one queued (0: not at all). */
  commitDelayMs: number;
}

export interface AppConfig {
  env: 'development' | 'production' | 'test';
  logLevel: LogLevel;
  http: HttpConfig;
  database: DatabaseConfig;
  security: SecurityConfig;
  connect: ConnectConfig;
  chat: ChatPolicyConfig;
  upstream: UpstreamConfig;
  ownership: OwnershipConfig;
  redisUrl: string | undefined;
  /** Namespaces this deployment's Redis streams and channels (several deployments may share a Redis). */
  redisPrefix: string;
}

function readTrustProxy(env: Env): HttpConfig['trustProxy'] {
  const raw = readString(env, 'TRUST_PROXY');
  if (raw === undefined) return undefined;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (/^\d+$/.test(raw)) return Number(raw);
  if (!/^[A-Za-z0-9.:/,\s_-]+$/.test(raw)) throw new ConfigError('TRUST_PROXY', 'must be true, a hop count or a list of addresses');
  return raw;
}

function readPrefix(env: Env, name: string, fallback: string): string {
  const raw = readString(env, name, fallback)!;
  if (!/^[A-Za-z0-9:_.-]{1,64}$/.test(raw)) throw new ConfigError(name, 'must be 1 to 64 characters of letters, digits, : _ . -');
  return raw;
}

/** A non-negative decimal number (fractions allowed, e.g. `0.05` minutes in tests). */
function readDecimal(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = readString(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+(\.\d+)?$/.test(raw)) throw new ConfigError(name, 'must be a number');
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}`);
  return value;
}

/** `{"SendMessage":{"rps":10,"burst":15},…}`: per-operation overrides of Connect's published limits. */
function readRateLimits(env: Env, name: string): Record<string, RateLimitConfig> {
  const raw = readString(env, name);
  if (raw === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError(name, 'must be a JSON object');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ConfigError(name, 'must be a JSON object');
  const out: Record<string, RateLimitConfig> = {};
  for (const [operation, limit] of Object.entries(parsed as Record<string, unknown>)) {
    const l = limit as { rps?: unknown; burst?: unknown } | null;
    if (!/^[A-Za-z]{1,64}$/.test(operation) || typeof l !== 'object' || l === null
      || typeof l.rps !== 'number' || !(l.rps > 0) || !Number.isFinite(l.rps)
      || typeof l.burst !== 'number' || !(l.burst >= 1) || !Number.isFinite(l.burst)) {
      throw new ConfigError(name, 'must map operation names to { "rps": > 0, "burst": ≥ 1 }');
    }
    out[operation] = { rps: l.rps, burst: l.burst };
  }
  return out;
}

/** Reads and validates every setting once. Throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env): AppConfig {
  const port = readInt(env, 'PORT', 3000, 0, 65535);
  const host = readString(env, 'HOST', '0.0.0.0')!;
  const publicUrl = readUrl(env, 'PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`;
  const dataDir = path.resolve(readString(env, 'DATA_DIR', './.data')!);
  const nodeEnv = readEnum(env, 'NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  return {
    env: nodeEnv,
    logLevel: readEnum(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    http: { port, host, publicUrl: publicUrl.replace(/\/+$/, ''), trustProxy: readTrustProxy(env) },
    database: {
      url: readUrl(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
      migrateOnStart: readBool(env, 'MIGRATE_ON_START', true),
      poolSize: readInt(env, 'DATABASE_POOL_SIZE', 10, 1, 200),
    },
    security: {
      dataDir,
      encryptionKey: readKey(env, 'ENCRYPTION_KEY'),
      sessionSecret: readSecret(env, 'SESSION_SECRET', 32),
      adminToken: readSecret(env, 'ADMIN_TOKEN', 16),
      sessionTtlAfterEndHours: readInt(env, 'SESSION_TTL_AFTER_END_HOURS', 24, 0, 24 * 365),
      customerSignatureMaxAgeSeconds: readInt(env, 'CUSTOMER_SIGNATURE_MAX_AGE_SECONDS', 86400, 1, 86400 * 365),
    },
    connect: {
      mode: readEnum(env, 'CONNECT_MODE', ['emulator', 'aws'] as const, 'emulator'),
      endpoint: readUrl(env, 'CONNECT_ENDPOINT', ['http:', 'https:']),
      emulatorHost: readString(env, 'EMULATOR_HOST', '127.0.0.1')!,
      emulatorPort: readInt(env, 'EMULATOR_PORT', 4100, 0, 65535),
    },
    chat: {
      abandonAfterMinutes: readDecimal(env, 'ABANDON_AFTER_MINUTES', 30, 0, 60 * 24 * 30),
      abandonCheckMs: Math.round(readDecimal(env, 'ABANDON_CHECK_SECONDS', 60, 0.1, 3600) * 1000),
      chatStartsPerMinutePerIp: readInt(env, 'CHAT_STARTS_PER_MINUTE_PER_IP', 10, 1, 1_000_000),
      chatStartsPerMinutePerFrontend: readInt(env, 'CHAT_STARTS_PER_MINUTE_PER_FRONTEND', 120, 1, 1_000_000),
    },
    upstream: {
      heartbeatMs: Math.round(readDecimal(env, 'UPSTREAM_HEARTBEAT_SECONDS', 10, 0.1, 60) * 1000),
      rotateMs: Math.round(readDecimal(env, 'UPSTREAM_ROTATE_MINUTES', 59, 0.005, 24 * 60) * 60_000),
      tokenRefreshMarginMs: Math.round(readDecimal(env, 'UPSTREAM_TOKEN_REFRESH_MARGIN_SECONDS', 60, 0, 12 * 3600) * 1000),
      backoffBaseMs: readInt(env, 'UPSTREAM_BACKOFF_BASE_MS', 500, 1, 60_000),
      backoffMaxMs: readInt(env, 'UPSTREAM_BACKOFF_MAX_MS', 30_000, 1, 600_000),
      rateLimits: readRateLimits(env, 'CONNECT_RATE_LIMITS'),
      rateFraction: readDecimal(env, 'CONNECT_RATE_FRACTION', 0.9, 0.01, 1),
    },
    ownership: {
      leaseMs: Math.round(readDecimal(env, 'LEASE_SECONDS', 30, 1, 3600) * 1000),
      leaseRenewMs: Math.round(readDecimal(env, 'LEASE_RENEW_SECONDS', 10, 0.1, 3600) * 1000),
      writeBacklogMaxBytes: Math.round(readDecimal(env, 'WRITE_BACKLOG_MAX_MB', 64, 0.001, 64 * 1024) * 1024 * 1024),
      commitDelayMs: readInt(env, 'ITEM_COMMIT_DELAY_MS', 0, 0, 100),
    },
    redisUrl: readUrl(env, 'REDIS_URL', ['redis:', 'rediss:']),
    redisPrefix: readPrefix(env, 'REDIS_PREFIX', 'chat-gateway'),
  };
}
