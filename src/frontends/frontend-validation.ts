import { AppError } from '../common/app-error.js';
import { validateRedactionConfig } from '../transcripts/redaction.js';
import type { FieldProblem } from '../common/app-error.js';
import { CONTENT_TYPES, RESERVED_ATTRIBUTE_KEYS } from './frontend.js';
import type { ConnectRouting, FrontendPatch, FrontendSettings, RedactionConfig } from './frontend.js';
import { WILDCARD_ORIGIN, normaliseOrigin } from './origin.js';

/** Checks a redaction setting (non-null); returns the problems found, each with a field path. */
export type RedactionCheck = (value: unknown, field: string) => { value?: RedactionConfig; problems: FieldProblem[] };

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const ATTRIBUTE_KEY = /^[A-Za-z0-9_.-]{1,128}$/;
const MAX_LIST = 100;
const TOP_FIELDS = ['name', 'allowedOrigins', 'connect', 'attributeKeys', 'retentionDays', 'redaction'];
const CONNECT_FIELDS = ['instanceId', 'contactFlowId', 'region', 'supportedContentTypes'];

/** Collects every problem of a body before failing, so one 400 names them all. */
class Checker {
  readonly problems: FieldProblem[] = [];

  constructor(private readonly redaction: RedactionCheck) {}

  fail(field: string, message: string): undefined {
    this.problems.push({ field, message });
    return undefined;
  }

  object(value: unknown, field: string, allowed: string[]): Record<string, unknown> | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return this.fail(field || 'body', 'must be an object');
    const obj = value as Record<string, unknown>;
    for (const key of Object.keys(obj)) if (!allowed.includes(key)) this.fail(join(field, key), 'is not a known field');
    return obj;
  }

  text(value: unknown, field: string, max: number): string | undefined {
    if (typeof value !== 'string') return this.fail(field, 'must be a string');
    if (value.trim().length === 0 || value.length > max) return this.fail(field, `must be 1 to ${max} characters`);
    return value;
  }

  list(value: unknown, field: string): unknown[] | undefined {
    if (!Array.isArray(value)) return this.fail(field, 'must be an array');
    if (value.length > MAX_LIST) return this.fail(field, `must have at most ${MAX_LIST} entries`);
    return value;
  }

  origins(value: unknown, field: string): string[] | undefined {
    const list = this.list(value, field);
    if (!list) return undefined;
    const out = new Set<string>();
    list.forEach((entry, i) => {
      if (entry === WILDCARD_ORIGIN) return out.add(WILDCARD_ORIGIN);
      const normal = typeof entry === 'string' ? normaliseOrigin(entry) : undefined;
      if (normal === undefined) this.fail(`${field}[${i}]`, 'must be an origin such as https://shop.example.com (scheme://host[:port], no path) or "*"');
      else out.add(normal);
    });
    return [...out];
  }

  contentTypes(value: unknown, field: string): string[] | undefined {
    const list = this.list(value, field);
    if (!list) return undefined;
    const given = new Set<string>(['text/plain']);
    list.forEach((entry, i) => {
      if (typeof entry === 'string' && (CONTENT_TYPES as readonly string[]).includes(entry)) given.add(entry);
      else this.fail(`${field}[${i}]`, `must be one of ${CONTENT_TYPES.join(', ')}`);
    });
    return CONTENT_TYPES.filter((t) => given.has(t));
  }

  attributeKeys(value: unknown, field: string): string[] | undefined {
    const list = this.list(value, field);
    if (!list) return undefined;
    const out = new Set<string>();
    list.forEach((entry, i) => {
      if (typeof entry !== 'string' || !ATTRIBUTE_KEY.test(entry)) this.fail(`${field}[${i}]`, 'must be 1 to 128 characters of A-Z a-z 0-9 _ . -');
      else if ((RESERVED_ATTRIBUTE_KEYS as readonly string[]).includes(entry)) this.fail(`${field}[${i}]`, `${entry} is reserved for the gateway`);
      else out.add(entry);
    });
    return [...out];
  }

  retention(value: unknown, field: string): number | null | undefined {
    if (value === null) return null;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 36500) {
      return this.fail(field, 'must be a whole number of days from 1 to 36500, or null to keep forever');
    }
    return value;
  }

  redactionConfig(value: unknown, field: string): RedactionConfig | null | undefined {
    if (value === null) return null;
    const { value: config, problems } = this.redaction(value, field);
    this.problems.push(...problems);
    return problems.length ? undefined : config;
  }

  connect(value: unknown, field: string, partial: boolean): Partial<ConnectRouting> | undefined {
    const obj = this.object(value, field, CONNECT_FIELDS);
    if (!obj) return undefined;
    const out: Partial<ConnectRouting> = {};
    for (const key of ['instanceId', 'contactFlowId'] as const) {
      if (obj[key] !== undefined) out[key] = this.text(obj[key], join(field, key), 256);
      else if (!partial) this.fail(join(field, key), 'is required');
    }
    if (obj.region !== undefined) {
      if (typeof obj.region !== 'string' || !REGION.test(obj.region)) this.fail(join(field, 'region'), 'must be an AWS region such as us-east-1');
      else out.region = obj.region;
    } else if (!partial) this.fail(join(field, 'region'), 'is required');
    if (obj.supportedContentTypes !== undefined) out.supportedContentTypes = this.contentTypes(obj.supportedContentTypes, join(field, 'supportedContentTypes'));
    else if (!partial) out.supportedContentTypes = ['text/plain'];
    return out;
  }

  done(): void {
    if (this.problems.length) throw AppError.validation(this.problems);
  }
}

function join(parent: string, key: string): string {
  return parent ? `${parent}.${key}` : key;
}

/** The transcripts module's check, with its field paths placed under `redaction`. */
export const checkRedaction: RedactionCheck = (value, field) => {
  const { config, problems } = validateRedactionConfig(value);
  return { value: config, problems: problems.map((p) => ({ field: p.field ? `${field}.${p.field}` : field, message: p.message })) };
};

export function validateCreate(body: unknown, redaction: RedactionCheck = checkRedaction): FrontendSettings {
  const c = new Checker(redaction);
  const obj = c.object(body, '', TOP_FIELDS);
  if (!obj) return c.done() as never;
  const name = obj.name === undefined ? c.fail('name', 'is required') : c.text(obj.name, 'name', 100);
  const allowedOrigins = obj.allowedOrigins === undefined ? c.fail('allowedOrigins', 'is required') : c.origins(obj.allowedOrigins, 'allowedOrigins');
  const connect = obj.connect === undefined ? c.fail('connect', 'is required') : c.connect(obj.connect, 'connect', false);
  const attributeKeys = obj.attributeKeys === undefined ? [] : c.attributeKeys(obj.attributeKeys, 'attributeKeys');
  const retentionDays = obj.retentionDays === undefined ? null : c.retention(obj.retentionDays, 'retentionDays');
  const redactionConfig = obj.redaction === undefined ? null : c.redactionConfig(obj.redaction, 'redaction');
  c.done();
  return {
    name: name!,
    allowedOrigins: allowedOrigins!,
    connect: connect as ConnectRouting,
    attributeKeys: attributeKeys!,
    retentionDays: retentionDays!,
    redaction: redactionConfig!,
  };
}

export function validatePatch(body: unknown, redaction: RedactionCheck = checkRedaction): FrontendPatch {
  const c = new Checker(redaction);
  const obj = c.object(body, '', TOP_FIELDS);
  if (!obj) return c.done() as never;
  const patch: FrontendPatch = {};
  if (obj.name !== undefined) patch.name = c.text(obj.name, 'name', 100);
  if (obj.allowedOrigins !== undefined) patch.allowedOrigins = c.origins(obj.allowedOrigins, 'allowedOrigins');
  if (obj.connect !== undefined) patch.connect = c.connect(obj.connect, 'connect', true);
  if (obj.attributeKeys !== undefined) patch.attributeKeys = c.attributeKeys(obj.attributeKeys, 'attributeKeys');
  if (obj.retentionDays !== undefined) patch.retentionDays = c.retention(obj.retentionDays, 'retentionDays');
  if (obj.redaction !== undefined) patch.redaction = c.redactionConfig(obj.redaction, 'redaction');
  c.done();
  return patch;
}
