import vm from 'node:vm';
import { findCards, findEmails, findPhones } from './redaction-detectors.js';
import type { Span } from './redaction-detectors.js';

/**
 * Per-front-end redaction (Frontend.redaction). The gateway masks matches before an item is stored,
 * so stored transcripts, replays, staff views and exports only ever hold the masked text.
 */
export interface RedactionConfig {
  enabled: boolean;
  detectors: ('card' | 'email' | 'phone')[];
  patterns: { name: string; regex: string; flags?: string }[];
}

export type Redactor = (text: string) => string;

export const REDACTION_DETECTORS = ['card', 'email', 'phone'] as const;
export const MAX_PATTERNS = 20;
export const MAX_PATTERN_LENGTH = 500;
/** Longer texts are masked whole (`[redacted:too-long]`); Connect's largest content is 12,288 characters. */
export const MAX_REDACT_INPUT = 32_768;
/** The time box for all custom patterns on one text; on timeout the whole text is masked (`[redacted:timeout]`). */
export const CUSTOM_PATTERN_TIMEOUT_MS = 50;

const NAME = /^[A-Za-z0-9_.-]{1,40}$/;
const FLAGS = /^[imsu]*$/;

export interface RedactionProblem {
  field: string;
  message: string;
}

/**
 * Validates a redaction config from an API body (or a stored Json value). Returns the normalised
 * config, or the problems (field paths relative to the config, e.g. `patterns[0].regex`).
 */
export function validateRedactionConfig(input: unknown): { config?: RedactionConfig; problems: RedactionProblem[] } {
  const problems: RedactionProblem[] = [];
  const add = (field: string, message: string): void => void problems.push({ field, message });
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { problems: [{ field: '', message: 'must be an object { enabled, detectors, patterns }' }] };
  }
  const raw = input as Record<string, unknown>;
  for (const key of Object.keys(raw)) if (!['enabled', 'detectors', 'patterns'].includes(key)) add(key, 'is not an allowed field');
  if (typeof raw.enabled !== 'boolean') add('enabled', 'must be true or false');

  const detectors: RedactionConfig['detectors'] = [];
  if (raw.detectors !== undefined) {
    if (!Array.isArray(raw.detectors)) add('detectors', `must be an array of ${REDACTION_DETECTORS.join(', ')}`);
    else raw.detectors.forEach((d, i) => {
      if (!(REDACTION_DETECTORS as readonly unknown[]).includes(d)) add(`detectors[${i}]`, `must be one of ${REDACTION_DETECTORS.join(', ')}`);
      else if (detectors.includes(d as RedactionConfig['detectors'][number])) add(`detectors[${i}]`, 'is listed twice');
      else detectors.push(d as RedactionConfig['detectors'][number]);
    });
  }

  const patterns: RedactionConfig['patterns'] = [];
  if (raw.patterns !== undefined) {
    if (!Array.isArray(raw.patterns)) add('patterns', 'must be an array');
    else if (raw.patterns.length > MAX_PATTERNS) add('patterns', `must have at most ${MAX_PATTERNS} entries`);
    else raw.patterns.forEach((p, i) => {
      const checked = checkPattern(p, `patterns[${i}]`, add);
      if (checked && patterns.some((q) => q.name === checked.name)) add(`patterns[${i}].name`, 'is used twice');
      else if (checked) patterns.push(checked);
    });
  }
  if (problems.length) return { problems };
  return { config: { enabled: raw.enabled as boolean, detectors, patterns }, problems };
}

function checkPattern(p: unknown, at: string, add: (field: string, message: string) => void): RedactionConfig['patterns'][number] | null {
  if (typeof p !== 'object' || p === null || Array.isArray(p)) {
    add(at, 'must be an object { name, regex, flags? }');
    return null;
  }
  const { name, regex, flags, ...extra } = p as Record<string, unknown>;
  const before = { count: 0 };
  const fail = (field: string, message: string): void => {
    before.count++;
    add(`${at}.${field}`, message);
  };
  for (const key of Object.keys(extra)) fail(key, 'is not an allowed field');
  if (typeof name !== 'string' || !NAME.test(name)) fail('name', 'must be 1..40 characters of A-Z a-z 0-9 _ . -');
  if (flags !== undefined && (typeof flags !== 'string' || !FLAGS.test(flags) || new Set(flags).size !== flags.length)) {
    fail('flags', 'may only contain i, m, s and u, each at most once');
  }
  if (typeof regex !== 'string' || regex.length === 0 || regex.length > MAX_PATTERN_LENGTH) {
    fail('regex', `must be a string of 1..${MAX_PATTERN_LENGTH} characters`);
  } else {
    const danger = dangerousConstruct(regex);
    if (danger) fail('regex', danger);
    else {
      try {
        const compiled = new RegExp(regex, typeof flags === 'string' && FLAGS.test(flags) ? flags : '');
        if (compiled.test('')) fail('regex', 'must not match the empty string');
      } catch {
        fail('regex', 'is not a valid JavaScript regular expression');
      }
    }
  }
  if (before.count) return null;
  return flags ? { name: name as string, regex: regex as string, flags: flags as string } : { name: name as string, regex: regex as string };
}

/**
 * Refuses the constructs behind catastrophic backtracking: a quantified group that itself contains a
 * quantifier (`(a+)+`, `(\w*\s?)*`), and backreferences. A static check cannot catch every slow
 * pattern, so custom patterns also run under a time box (see createRedactor).
 */
function dangerousConstruct(regex: string): string | null {
  if (/\\[1-9]|\\k</.test(regex)) return 'must not use backreferences';
  // Walk the pattern, tracking for each open group whether it contains a quantifier.
  const stack: boolean[] = [];
  let inClass = false;
  for (let i = 0; i < regex.length; i++) {
    const c = regex[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') stack.push(false);
    else if (c === ')') {
      const hadQuantifier = stack.pop() ?? false;
      const next = regex[i + 1];
      const quantified = next === '*' || next === '+' || next === '?' || next === '{';
      if (hadQuantifier && quantified && next !== '?') return 'must not nest quantifiers, e.g. (a+)+ (catastrophic backtracking)';
      if ((hadQuantifier || quantified) && stack.length) stack[stack.length - 1] = true;
    } else if ((c === '*' || c === '+' || c === '{') && stack.length) stack[stack.length - 1] = true;
  }
  return null;
}

const MASKS = { card: '[card]', email: '[email]', phone: '[phone]' } as const;
const DETECTORS: Record<RedactionConfig['detectors'][number], (text: string) => Span[]> = {
  card: findCards,
  email: findEmails,
  phone: findPhones,
};

/**
 * A function that masks what the config asks for, or null when redaction is off (or asks for
 * nothing). Order: cards, e-mail addresses, phone numbers, then the custom patterns in their order,
 * each on the text the previous step produced. Built-in detectors are linear-time code; custom
 * patterns run together in a V8 context with a CUSTOM_PATTERN_TIMEOUT_MS time box, and a text they
 * cannot finish in time is masked whole: redaction fails closed.
 */
export function createRedactor(config: RedactionConfig | null | undefined): Redactor | null {
  if (!config || !config.enabled) return null;
  const detectors = REDACTION_DETECTORS.filter((d) => config.detectors.includes(d));
  const custom = config.patterns.length ? customPatterns(config.patterns) : null;
  if (!detectors.length && !custom) return null;
  return (text: string): string => {
    if (typeof text !== 'string' || text.length === 0) return text;
    if (text.length > MAX_REDACT_INPUT) return '[redacted:too-long]';
    let out = text;
    for (const d of detectors) out = maskSpans(out, DETECTORS[d](out), MASKS[d]);
    return custom ? custom(out) : out;
  };
}

function maskSpans(text: string, spans: Span[], mask: string): string {
  if (!spans.length) return text;
  let out = '';
  let at = 0;
  for (const [start, end] of spans) {
    out += text.slice(at, start) + mask;
    at = end;
  }
  return out + text.slice(at);
}

function customPatterns(patterns: RedactionConfig['patterns']): Redactor {
  const context = vm.createContext(Object.create(null) as object);
  const sources = patterns.map((p) => [p.regex, `${p.flags ?? ''}g`, `[redacted:${p.name}]`]);
  vm.runInContext(`var rules = ${JSON.stringify(sources)}.map(function (r) { return [new RegExp(r[0], r[1]), r[2]]; });`, context);
  const run = new vm.Script(
    'var out = input; for (var i = 0; i < rules.length; i++) { rules[i][0].lastIndex = 0; out = out.replace(rules[i][0], rules[i][1]); } out',
  );
  return (text: string): string => {
    (context as { input?: string }).input = text;
    try {
      const out: unknown = run.runInContext(context, { timeout: CUSTOM_PATTERN_TIMEOUT_MS });
      return typeof out === 'string' ? out : '[redacted:error]';
    } catch {
      return '[redacted:timeout]';
    } finally {
      (context as { input?: string }).input = undefined;
    }
  };
}
