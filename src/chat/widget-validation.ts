import { AppError } from '../common/app-error.js';
import type { FieldProblem } from '../common/app-error.js';

/** Connect's own per-content-type limits (CONTRACT.md §2), counted as String.length counts. */
export const CONTENT_LIMITS: Record<string, number> = {
  'text/plain': 1024,
  'text/markdown': 1024,
  'application/json': 12000,
  'application/vnd.amazonaws.connect.message.interactive.response': 12288,
};

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Content rules of a message: 400 for a missing/unknown type or empty content, 413 over the limit. */
export function checkContent(input: { contentType?: unknown; content?: unknown }, allowed: string[], field = ''): { contentType: string; content: string } {
  const contentType = input.contentType === undefined ? 'text/plain' : input.contentType;
  const prefix = field ? `${field}.` : '';
  if (typeof contentType !== 'string' || !(contentType in CONTENT_LIMITS) || !allowed.includes(contentType)) {
    throw AppError.validation([{ field: `${prefix}contentType`, message: `must be one of ${allowed.join(', ')}` }]);
  }
  if (typeof input.content !== 'string' || input.content.length === 0) {
    throw AppError.validation([{ field: `${prefix}content`, message: 'must be a non-empty string' }]);
  }
  const limit = CONTENT_LIMITS[contentType]!;
  if (input.content.length > limit) {
    throw new AppError('PAYLOAD_TOO_LARGE', `${prefix}content is longer than ${limit} characters, the limit for ${contentType}.`);
  }
  return { contentType, content: input.content };
}

export function checkClientMessageId(v: unknown, field = 'clientMessageId'): string {
  if (typeof v !== 'string' || v.length < 1 || v.length > 64) throw AppError.validation([{ field, message: 'must be a string of 1 to 64 characters' }]);
  return v;
}

export function checkMessageId(v: unknown): string {
  if (typeof v !== 'string' || v.length < 1 || v.length > 256) throw AppError.validation([{ field: 'messageId', message: 'must be a string of 1 to 256 characters' }]);
  return v;
}

/** A whole number in [min, max], or the default when absent. Accepts numeric strings (query strings). */
export function checkInt(v: unknown, field: string, min: number, max: number, fallback?: number): number {
  if (v === undefined || v === '') {
    if (fallback !== undefined) return fallback;
    throw AppError.validation([{ field, message: 'is required' }]);
  }
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min || n > max) {
    throw AppError.validation([{ field, message: `must be a whole number from ${min} to ${max}` }]);
  }
  return n;
}

export interface StartChatBody {
  displayName: string;
  customer?: { id: string; issuedAt: number; signature: string };
  attributes: Record<string, string>;
  initialMessage?: { contentType: string; content: string };
  resume: boolean;
}

/** Shape checks of POST /v1/chats; content rules need the front end and run afterwards. */
export function parseStartChat(body: unknown): StartChatBody & { rawInitialMessage?: Record<string, unknown> } {
  const problems: FieldProblem[] = [];
  if (!isObject(body)) throw AppError.validation([{ field: 'body', message: 'must be a JSON object' }]);
  const { displayName, customer, attributes, initialMessage, resume } = body;
  if (typeof displayName !== 'string' || displayName.trim().length < 1 || displayName.length > 256) {
    problems.push({ field: 'displayName', message: 'must be a string of 1 to 256 characters' });
  }
  let parsedCustomer: StartChatBody['customer'];
  if (customer !== undefined && customer !== null) {
    if (!isObject(customer)) problems.push({ field: 'customer', message: 'must be an object' });
    else {
      if (typeof customer.id !== 'string' || customer.id.length < 1 || customer.id.length > 256) problems.push({ field: 'customer.id', message: 'must be a string of 1 to 256 characters' });
      if (typeof customer.issuedAt !== 'number' || !Number.isSafeInteger(customer.issuedAt) || customer.issuedAt < 0) problems.push({ field: 'customer.issuedAt', message: 'must be Unix seconds' });
      if (typeof customer.signature !== 'string' || !/^[0-9a-f]{64}$/.test(customer.signature)) problems.push({ field: 'customer.signature', message: 'must be a lowercase hex HMAC-SHA256' });
      if (!problems.length) parsedCustomer = customer as StartChatBody['customer'];
    }
  }
  const attrs: Record<string, string> = {};
  if (attributes !== undefined && attributes !== null) {
    if (!isObject(attributes)) problems.push({ field: 'attributes', message: 'must be an object of strings' });
    else {
      for (const [k, v] of Object.entries(attributes)) {
        if (typeof v !== 'string' || v.length > 32768) problems.push({ field: `attributes.${k}`, message: 'must be a string' });
        else attrs[k] = v;
      }
      if (Buffer.byteLength(JSON.stringify(attrs)) > 32768) problems.push({ field: 'attributes', message: 'must total at most 32768 bytes' });
    }
  }
  if (initialMessage !== undefined && initialMessage !== null && !isObject(initialMessage)) {
    problems.push({ field: 'initialMessage', message: 'must be an object' });
  }
  if (resume !== undefined && typeof resume !== 'boolean') problems.push({ field: 'resume', message: 'must be a boolean' });
  if (problems.length) throw AppError.validation(problems);
  return {
    displayName: (displayName as string).trim(),
    customer: parsedCustomer,
    attributes: attrs,
    rawInitialMessage: isObject(initialMessage) ? initialMessage : undefined,
    resume: resume === true,
  };
}
