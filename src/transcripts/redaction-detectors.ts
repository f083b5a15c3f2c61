/**
 * The built-in redaction detectors. Each returns the [start, end) spans to mask, in order and
 * non-overlapping. Every regular expression here is linear (no ambiguous nesting; bounded repeats),
 * and the decisions are made in code, so no input can make them slow.
 */
export type Span = [start: number, end: number];

/** Maximal runs of digits separated by single spaces or dashes, not after a `+` (a phone number): card candidates. */
const DIGIT_RUN = /(?<![+\d])\d+(?:[ -]\d+)*/g;

/**
 * Payment card numbers: 13–19 digits, optionally grouped with single spaces or dashes, passing the
 * Luhn check. Within a longer run (e.g. a card number followed by a year) the longest Luhn-valid
 * sequence of whole groups is masked.
 */
export function findCards(text: string): Span[] {
  const spans: Span[] = [];
  for (const m of text.matchAll(DIGIT_RUN)) {
    const groups = groupsOf(m[0], m.index);
    let i = 0;
    while (i < groups.length) {
      const hit = longestCardFrom(groups, i);
      if (hit === null) {
        i++;
        continue;
      }
      spans.push([groups[i]!.start, groups[hit]!.end]);
      i = hit + 1;
    }
  }
  return spans;
}

interface Group {
  digits: string;
  start: number;
  end: number;
}

function groupsOf(run: string, offset: number): Group[] {
  const groups: Group[] = [];
  for (const g of run.matchAll(/\d+/g)) groups.push({ digits: g[0], start: offset + g.index, end: offset + g.index + g[0].length });
  return groups;
}

function longestCardFrom(groups: Group[], from: number): number | null {
  let digits = '';
  let best: number | null = null;
  for (let j = from; j < groups.length; j++) {
    digits += groups[j]!.digits;
    if (digits.length > 19) break;
    if (digits.length >= 13 && luhnValid(digits)) best = j;
  }
  return best;
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * E-mail addresses: a local part of up to 64 characters that does not start inside a longer word,
 * `@`, dot-separated domain labels and a 2–24 letter top-level domain.
 */
const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9-])/g;

export function findEmails(text: string): Span[] {
  return [...text.matchAll(EMAIL)].map((m) => [m.index, m.index + m[0].length] as Span);
}

/**
 * Phone candidates: runs of digits with single separators (space, dot, dash) and parentheses, up to
 * 32 characters, optionally starting with `+` or `(`, not glued to a letter or digit on either side.
 */
const PHONE_RUN = /(?<![\p{L}\p{N}_+])[+(]?\d(?:[ .\-()]{0,2}\d){5,24}(?![\p{L}\p{N}])/gu;

/**
 * Phone numbers, in the formats people type:
 * - international: `+` then 8–15 digits (E.164), any grouping (`+44 20 7946 0958`, `+1 (555) 123-4567`);
 * - `00` then a country code, 11–15 digits, grouped (`0044 20 7946 0958`);
 * - North American: 3-3-4 grouped with separators or parentheses, optionally with a leading 1
 *   (`(555) 123-4567`, `555-123-4567`, `1 555 123 4567`);
 * - national numbers with a trunk `0`: 10–11 digits, bare or in groups of two or more
 *   (`020 7946 0958`, `07700 900123`, `06 12 34 56 78`, `0301234567`).
 * Not masked on purpose: bare digit strings not starting with 0 or + (order ids, amounts,
 * `4567891234`), dates and times, IP and version numbers, and numbers of 7 digits or fewer.
 */
export function findPhones(text: string): Span[] {
  const spans: Span[] = [];
  for (const m of text.matchAll(PHONE_RUN)) {
    // "(555-123-4567)": an opening parenthesis whose partner the run did not include is punctuation.
    const skip = m[0].startsWith('(') && !m[0].includes(')') ? 1 : 0;
    const run = m[0].slice(skip);
    const at = m.index + skip;
    if (isPhone(run)) {
      spans.push([at, at + run.length]);
      continue;
    }
    // Two numbers typed next to each other ("555 123 4567 555 987 6543"): try whitespace-separated windows.
    spans.push(...phoneWindows(run, at));
  }
  return spans;
}

function phoneWindows(run: string, offset: number): Span[] {
  const parts = [...run.matchAll(/\S+/g)].map((p) => ({ start: p.index, end: p.index + p[0].length }));
  if (parts.length < 2) return [];
  const spans: Span[] = [];
  let i = 0;
  while (i < parts.length) {
    let hit = -1;
    for (let j = Math.min(parts.length - 1, i + 5); j >= i && hit < 0; j--) {
      if (i === 0 && j === parts.length - 1) continue; // the whole run was already tried
      const candidate = run.slice(parts[i]!.start, parts[j]!.end);
      if (isPhone(candidate)) hit = j;
    }
    if (hit < 0) {
      i++;
      continue;
    }
    spans.push([offset + parts[i]!.start, offset + parts[hit]!.end]);
    i = hit + 1;
  }
  return spans;
}

export function isPhone(candidate: string): boolean {
  if (!wellFormed(candidate)) return false;
  const digits = candidate.replace(/\D/g, '');
  const groups = candidate.split(/[^\d]+/).filter(Boolean).map((g) => g.length);
  const separated = groups.length > 1;
  if (candidate.startsWith('+')) return digits.length >= 8 && digits.length <= 15 && digits[0] !== '0';
  if (digits.startsWith('00') && digits[2] !== '0') return separated && digits.length >= 11 && digits.length <= 15;
  const nanp = groups[0] === 1 && digits[0] === '1' ? groups.slice(1) : groups;
  const nanpDigits = groups[0] === 1 && digits[0] === '1' ? digits.slice(1) : digits;
  if (nanp.length === 3 && nanp[0] === 3 && nanp[1] === 3 && nanp[2] === 4 && /^[2-9]/.test(nanpDigits)) return true;
  if (digits[0] === '0' && digits[1] !== '0') {
    return digits.length >= 10 && digits.length <= 11 && groups.every((g) => g >= 2);
  }
  return false;
}

/** Separators are single characters (a parenthesis may sit next to a space); parentheses pair up. */
function wellFormed(s: string): boolean {
  if (/[ .-]{2,}|\)\(|[.-]\(|\)[.]/.test(s)) return false;
  const opens = (s.match(/\(/g) ?? []).length;
  const closes = (s.match(/\)/g) ?? []).length;
  if (opens !== closes || opens > 1) return false;
  if (opens === 1 && !/\(\d{1,5}\)/.test(s)) return false;
  return true;
}
