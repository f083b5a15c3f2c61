import pg from 'pg';
import { searchVectorText } from '../../src/transcripts/search-vector.js';
import { ADMIN_URL } from '../support/pg-admin.js';

/** A small seeded generator: the same strings on every run. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

const PLAIN = ['hello', 'World', 'ok', 'a', 'I', 'e', 'E', 'x1', '1', '12', '007', 'abc123', '123abc', 'ZZ9',
  ' ', ' ', ' ', '  ', '\t', '\n', '\r\n', ',', '!', '?', ';', ':', '(', ')', '"', "'", '. ', 'end. ', "don't"];
/** Pieces the parser treats specially (or that are near such cases): mostly left to Postgres. */
const TRICKY = ['.', '..', 'e.g.', '3.14', '1e5', '2E3', '10east', 'x-y', '#', '~', 'a~b', '_', '-', 'é', 'naïve', '/', '@',
  'www.example.com', '&amp;', '<b>', '+1', '1.', 'a.'];

function generated(count: number): [string | null, string | null][] {
  const next = random(42);
  const piece = (): string => {
    const from = next() < 0.04 ? TRICKY : PLAIN;
    return from[Math.floor(next() * from.length)]!;
  };
  const text = (): string => Array.from({ length: 1 + Math.floor(next() * 24) }, piece).join('');
  return Array.from({ length: count }, () => [next() < 0.2 ? null : text(), next() < 0.1 ? null : text()]);
}

const WRITTEN: [string | null, string | null][] = [
  ['Agent', 'message 12: Lorem ipsum dolor sit amet, consectetur adipiscing elit.'],
  [null, ' Hello, world! hello'],
  ['Jane', "Hi! I'm still waiting (order 4412), can you check? \"urgent\""],
  ['', ''],
  [null, null],
  ['Agent', 'Thanks.\nBye.'],
  ['Agent', `${'ha '.repeat(300)}`],
  ['Agent', 'x'.repeat(500)],
];

describe('searchVectorText against Postgres to_tsvector', () => {
  let client: pg.Client;

  beforeAll(async () => {
    client = new pg.Client({ connectionString: ADMIN_URL });
    await client.connect();
  });

  afterAll(async () => {
    await client.end();
  });

  it('gives exactly what Postgres computes wherever it gives anything', async () => {
    const cases = [...WRITTEN, ...generated(3000)];
    const computed = cases.map(([name, content]) => searchVectorText(name, content));
    const res = await client.query<{ ours: string | null; theirs: string }>(
      `SELECT v.ours::tsvector::text AS ours, to_tsvector('simple', coalesce(v.name, '') || ' ' || coalesce(v.content, ''))::text AS theirs
         FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS v(name, content, ours, n) ORDER BY n`,
      [cases.map((c) => c[0]), cases.map((c) => c[1]), computed],
    );
    const mismatches = res.rows
      .map((row, i) => ({ text: cases[i], ours: row.ours, theirs: row.theirs }))
      .filter((r) => r.ours !== null && r.ours !== r.theirs);
    expect(mismatches).toEqual([]);
    // The check means something only if many strings took the fast path.
    expect(computed.filter((c) => c !== null).length).toBeGreaterThan(300);
  });
});
