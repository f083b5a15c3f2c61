/**
 * The search vector of plain ASCII chat text, computed here instead of by Postgres's text-search parser
 * (`to_tsvector('simple', …)` costs Postgres ≈ 20 µs per item, a third of the group commit).
 * Only text on which the parser is known to do nothing but split words and lower-case them takes this
 * path: ASCII letters, digits, space, tab, line breaks and , ! ? ; : ( ) " ' — and a full stop that ends
 * a word. Anything else (other characters, scientific numbers such as 1e5, long text) returns null and
 * Postgres computes it as before; test/transcripts/search-vector.test.ts checks the output against
 * Postgres's own. A word repeated is written once per position: the tsvector input merges them.
 */
const MAX_WORDS = 255;
const MAX_WORD = 200;

const enum Kind { Other, Letter, Digit, Separator, Stop }
const KIND = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z]/.test(ch)) KIND[c] = Kind.Letter;
  else if (/[0-9]/.test(ch)) KIND[c] = Kind.Digit;
  else if (' \t\r\n,!?;:()"\''.includes(ch)) KIND[c] = Kind.Separator;
  else if (ch === '.') KIND[c] = Kind.Stop;
}
const E_LOWER = 101;
const E_UPPER = 69;

/** `to_tsvector('simple', displayName + ' ' + content)` as tsvector text, or null where Postgres must compute it. */
export function searchVectorText(displayName: string | null, content: string | null): string | null {
  const text = `${displayName ?? ''} ${content ?? ''}`;
  let out = '';
  let words = 0;
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 32;
    const kind = c < 128 ? KIND[c]! : Kind.Other;
    if (kind === Kind.Letter || kind === Kind.Digit) {
      // The parser reads digit + e as a number in scientific notation and splits the word there.
      if ((c === E_LOWER || c === E_UPPER) && start >= 0 && KIND[text.charCodeAt(i - 1)] === Kind.Digit) return null;
      if (start < 0) start = i;
      continue;
    }
    if (kind === Kind.Other) return null;
    if (kind === Kind.Stop) {
      // Only a full stop that ends a word: inside one it makes hosts, versions and file names.
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 32;
      if (start < 0 || !(next === 32 || next === 9 || next === 10 || next === 13)) return null;
    }
    if (start < 0) continue;
    if (i - start > MAX_WORD || ++words > MAX_WORDS) return null;
    out += `${out ? ' ' : ''}'${text.slice(start, i).toLowerCase()}':${words}`;
    start = -1;
  }
  return out;
}
