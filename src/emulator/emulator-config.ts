/** Behaviour knobs of the emulator (PUT /emulator/config deep-merges into these). */

export const CONNECT_OPERATIONS = ['StartChatContact', 'StopContact'] as const;
export const PARTICIPANT_OPERATIONS = [
  'CreateParticipantConnection',
  'SendMessage',
  'SendEvent',
  'GetTranscript',
  'DisconnectParticipant',
  'StartAttachmentUpload',
  'CompleteAttachmentUpload',
  'GetAttachment',
  'DescribeView',
] as const;
export type OperationName = (typeof CONNECT_OPERATIONS)[number] | (typeof PARTICIPANT_OPERATIONS)[number];
export const OPERATIONS: readonly OperationName[] = [...CONNECT_OPERATIONS, ...PARTICIPANT_OPERATIONS];

export interface RateLimit {
  rps: number;
  burst: number;
}

export interface FailRule {
  operation: OperationName;
  status: number;
  errorType: string;
  count: number;
  message: string;
  contactId?: string;
}

export interface EmulatorConfig {
  autoAgent: { joinAfterMs: number | null; greeting: string | null; echo: boolean; displayName: string };
  /** A SYSTEM message posted right after the customer joins, as a contact flow's greeting would. */
  systemGreeting: string | null;
  websocketLifetimeSeconds: number;
  websocketUrlValiditySeconds: number;
  maxSocketsPerParticipant: number;
  /** Overrides the `ws://127.0.0.1:<port>` base of handed-out socket URLs (e.g. `wss://emulator.example`). */
  websocketBaseUrl: string | null;
  connectionTokenLifetimeSeconds: number;
  defaultChatDurationMinutes: number;
  latencyMs: number;
  concurrentChatLimit: number;
  disconnectFlow: { endAfterMs: number | null };
  attachments: { maxBytes: number; perChat: number };
  rateLimits: Record<OperationName, RateLimit>;
  failNext: FailRule[];
}

/** Amazon Connect's published defaults (connect-protocol.md §4). */
export function defaultConfig(): EmulatorConfig {
  return {
    autoAgent: { joinAfterMs: null, greeting: null, echo: false, displayName: 'Agent' },
    systemGreeting: null,
    websocketLifetimeSeconds: 7200,
    websocketUrlValiditySeconds: 100,
    maxSocketsPerParticipant: 5,
    websocketBaseUrl: null,
    connectionTokenLifetimeSeconds: 86_400,
    defaultChatDurationMinutes: 1500,
    latencyMs: 0,
    concurrentChatLimit: 100,
    disconnectFlow: { endAfterMs: null },
    attachments: { maxBytes: 20 * 1024 * 1024, perChat: 35 },
    rateLimits: {
      StartChatContact: { rps: 5, burst: 8 },
      StopContact: { rps: 2, burst: 5 },
      CreateParticipantConnection: { rps: 6, burst: 9 },
      DisconnectParticipant: { rps: 3, burst: 5 },
      GetTranscript: { rps: 8, burst: 12 },
      SendMessage: { rps: 10, burst: 15 },
      SendEvent: { rps: 10, burst: 15 },
      StartAttachmentUpload: { rps: 2, burst: 5 },
      CompleteAttachmentUpload: { rps: 2, burst: 5 },
      GetAttachment: { rps: 8, burst: 12 },
      DescribeView: { rps: 2, burst: 5 },
    },
    failNext: [],
  };
}

export class ConfigError extends Error {}

const NULLABLE: Record<string, 'number' | 'string'> = {
  'autoAgent.joinAfterMs': 'number',
  'autoAgent.greeting': 'string',
  'disconnectFlow.endAfterMs': 'number',
  systemGreeting: 'string',
  websocketBaseUrl: 'string',
};
const POSITIVE = new Set([
  'websocketLifetimeSeconds',
  'websocketUrlValiditySeconds',
  'maxSocketsPerParticipant',
  'connectionTokenLifetimeSeconds',
  'defaultChatDurationMinutes',
  'attachments.maxBytes',
]);

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep-merges `patch` into a copy of `base`; unknown keys and wrong types are refused, nothing is half-applied. */
export function mergeConfig(base: EmulatorConfig, patch: unknown): EmulatorConfig {
  if (!isPlainObject(patch)) throw new ConfigError('config must be a JSON object');
  const next = structuredClone(base);
  mergeInto(next as unknown as Record<string, unknown>, patch, '');
  return next;
}

function mergeInto(target: Record<string, unknown>, patch: Record<string, unknown>, prefix: string): void {
  for (const [key, value] of Object.entries(patch)) {
    const path = prefix + key;
    if (!(key in target)) throw new ConfigError(`unknown setting ${path}`);
    if (path === 'failNext') {
      target.failNext = parseFailRules(value);
    } else if (prefix === 'rateLimits.') {
      target[key] = parseRateLimit(value, path, target[key] as RateLimit);
    } else if (isPlainObject(target[key])) {
      if (!isPlainObject(value)) throw new ConfigError(`${path} must be an object`);
      mergeInto(target[key] as Record<string, unknown>, value, `${path}.`);
    } else {
      target[key] = parseScalar(value, path, target[key]);
    }
  }
}

function parseScalar(value: unknown, path: string, current: unknown): unknown {
  const nullableKind = NULLABLE[path];
  if (value === null && nullableKind) return null;
  const kind = nullableKind ?? typeof current;
  if (kind === 'number') {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new ConfigError(`${path} must be a number ≥ 0`);
    if (POSITIVE.has(path) && value <= 0) throw new ConfigError(`${path} must be > 0`);
    return value;
  }
  if (typeof value !== kind) throw new ConfigError(`${path} must be a ${kind}`);
  return value;
}

function parseRateLimit(value: unknown, path: string, current: RateLimit): RateLimit {
  if (!isPlainObject(value)) throw new ConfigError(`${path} must be { rps, burst }`);
  const rps = value.rps ?? current.rps;
  const burst = value.burst ?? current.burst;
  if (typeof rps !== 'number' || !(rps > 0) || !Number.isFinite(rps)) throw new ConfigError(`${path}.rps must be a number > 0`);
  if (typeof burst !== 'number' || !(burst >= 1) || !Number.isFinite(burst)) throw new ConfigError(`${path}.burst must be a number ≥ 1`);
  return { rps, burst };
}

function parseFailRules(value: unknown): FailRule[] {
  if (!Array.isArray(value)) throw new ConfigError('failNext must be a list');
  return value.map((entry, i) => {
    const where = `failNext[${i}]`;
    if (!isPlainObject(entry)) throw new ConfigError(`${where} must be an object`);
    const operation = entry.operation;
    if (typeof operation !== 'string' || !(OPERATIONS as readonly string[]).includes(operation)) {
      throw new ConfigError(`${where}.operation must be one of ${OPERATIONS.join(', ')}`);
    }
    const isConnect = (CONNECT_OPERATIONS as readonly string[]).includes(operation);
    const status = entry.status ?? 500;
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 599) {
      throw new ConfigError(`${where}.status must be an HTTP error status (400-599)`);
    }
    const errorType = entry.errorType ?? (isConnect ? 'InternalServiceException' : 'InternalServerException');
    if (typeof errorType !== 'string' || !/^[A-Za-z]{1,100}$/.test(errorType)) throw new ConfigError(`${where}.errorType must be a name`);
    const count = entry.count ?? 1;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) throw new ConfigError(`${where}.count must be a whole number ≥ 1`);
    const message = entry.message ?? 'Injected fault';
    if (typeof message !== 'string') throw new ConfigError(`${where}.message must be a string`);
    const contactId = entry.contactId;
    if (contactId !== undefined && typeof contactId !== 'string') throw new ConfigError(`${where}.contactId must be a string`);
    const rule: FailRule = { operation: operation as OperationName, status, errorType, count, message };
    if (contactId !== undefined) rule.contactId = contactId;
    return rule;
  });
}
