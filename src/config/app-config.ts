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
  abandonAfterMinutes: number;
  chatStartsPerMinutePerIp: number;
  chatStartsPerMinutePerFrontend: number;
}

export interface AppConfig {
  env: 'development' | 'production' | 'test';
  logLevel: LogLevel;
  http: HttpConfig;
  database: DatabaseConfig;
  security: SecurityConfig;
  connect: ConnectConfig;
  chat: ChatPolicyConfig;
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
      abandonAfterMinutes: readInt(env, 'ABANDON_AFTER_MINUTES', 30, 0, 60 * 24 * 30),
      chatStartsPerMinutePerIp: readInt(env, 'CHAT_STARTS_PER_MINUTE_PER_IP', 10, 1, 1_000_000),
      chatStartsPerMinutePerFrontend: readInt(env, 'CHAT_STARTS_PER_MINUTE_PER_FRONTEND', 120, 1, 1_000_000),
    },
    redisUrl: readUrl(env, 'REDIS_URL', ['redis:', 'rediss:']),
    redisPrefix: readPrefix(env, 'REDIS_PREFIX', 'chat-gateway'),
  };
}
