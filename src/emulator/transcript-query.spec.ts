import { queryTranscript, TranscriptQueryError } from './transcript-query.js';

const items = Array.from({ length: 25 }, (_, i) => ({ id: `m${i}`, time: 1000 + i * 10 }));
const ids = (page: { id: string }[]) => page.map((i) => i.id);
const range = (from: number, to: number) => Array.from({ length: Math.abs(to - from) + 1 }, (_, k) => `m${from <= to ? from + k : from - k}`);

describe('queryTranscript', () => {
  it('defaults to the newest 10 items, scanning backward, sorted descending', () => {
    const { page, nextToken } = queryTranscript(items, {});
    expect(ids(page)).toEqual(range(24, 15));
    expect(nextToken).toBeDefined();
  });

  it('treats StartPosition {} as no start position', () => {
    const { page } = queryTranscript(items, { startPosition: {}, sortOrder: 'ASCENDING', maxResults: 15 });
    expect(ids(page)).toEqual(range(10, 24));
  });

  it('pages backward to the oldest item and then stops giving a token', () => {
    const seen: string[] = [];
    let nextToken: string | undefined;
    let calls = 0;
    do {
      const result = queryTranscript(items, { nextToken, sortOrder: 'ASCENDING' });
      seen.unshift(...ids(result.page));
      nextToken = result.nextToken;
      calls++;
    } while (nextToken);
    expect(seen).toEqual(range(0, 24));
    expect(calls).toBe(3);
  });

  it('pages forward from a start Id (inclusive) in both sort orders', () => {
    const first = queryTranscript(items, { startPosition: { id: 'm5' }, maxResults: 4, sortOrder: 'ASCENDING' });
    expect(ids(first.page)).toEqual(range(5, 8));
    const second = queryTranscript(items, { nextToken: first.nextToken, maxResults: 4, sortOrder: 'DESCENDING' });
    expect(ids(second.page)).toEqual(range(12, 9));
  });

  it('scans backward from a start Id when asked to', () => {
    const { page } = queryTranscript(items, { startPosition: { id: 'm5' }, scanDirection: 'BACKWARD', sortOrder: 'ASCENDING' });
    expect(ids(page)).toEqual(range(0, 5));
  });

  it('starts at an AbsoluteTime in either direction', () => {
    expect(ids(queryTranscript(items, { startPosition: { absoluteTime: 1095 }, maxResults: 3, sortOrder: 'ASCENDING' }).page)).toEqual(
      range(10, 12),
    );
    expect(ids(queryTranscript(items, { startPosition: { absoluteTime: 1100 }, maxResults: 3, sortOrder: 'ASCENDING' }).page)).toEqual(
      range(10, 12),
    );
    expect(
      ids(queryTranscript(items, { startPosition: { absoluteTime: 1095 }, scanDirection: 'BACKWARD', maxResults: 3 }).page),
    ).toEqual(range(9, 7));
    expect(queryTranscript(items, { startPosition: { absoluteTime: 99_999 } }).page).toEqual([]);
  });

  it('starts at the MostRecent-th newest item', () => {
    expect(ids(queryTranscript(items, { startPosition: { mostRecent: 0 }, sortOrder: 'ASCENDING' }).page)).toEqual(['m24']);
    expect(ids(queryTranscript(items, { startPosition: { mostRecent: 2 }, scanDirection: 'BACKWARD', maxResults: 2 }).page)).toEqual([
      'm22',
      'm21',
    ]);
    expect(ids(queryTranscript(items, { startPosition: { mostRecent: 100 }, maxResults: 2 }).page)).toEqual(['m1', 'm0']);
  });

  it('caps the page at MaxResults and treats 0 as the default', () => {
    expect(queryTranscript(items, { maxResults: 100 }).page).toHaveLength(25);
    expect(queryTranscript(items, { maxResults: 100 }).nextToken).toBeUndefined();
    expect(queryTranscript(items, { maxResults: 0 }).page).toHaveLength(10);
  });

  it('answers an empty chat with an empty page and no token', () => {
    expect(queryTranscript([], {})).toEqual({ page: [] });
  });

  it('rejects bad tokens, unknown start ids and several start fields', () => {
    expect(() => queryTranscript(items, { nextToken: 'garbage' })).toThrow(TranscriptQueryError);
    const foreign = queryTranscript([{ id: 'x1', time: 1 }, { id: 'x2', time: 2 }], { maxResults: 1 }).nextToken;
    expect(() => queryTranscript(items, { nextToken: foreign })).toThrow('Invalid NextToken');
    expect(() => queryTranscript(items, { startPosition: { id: 'nope' } })).toThrow(TranscriptQueryError);
    expect(() => queryTranscript(items, { startPosition: { id: 'm1', mostRecent: 1 } })).toThrow(TranscriptQueryError);
  });
});
