/** GetTranscript paging over a chat's items (pure: the items come in, a page goes out). */

export type ScanDirection = 'FORWARD' | 'BACKWARD';
export type SortOrder = 'ASCENDING' | 'DESCENDING';

export interface StartPosition {
  id?: string;
  absoluteTime?: number;
  mostRecent?: number;
}

export interface TranscriptRequest {
  maxResults?: number;
  nextToken?: string;
  scanDirection?: ScanDirection;
  sortOrder?: SortOrder;
  startPosition?: StartPosition;
}

export interface Timed {
  id: string;
  time: number;
}

export interface TranscriptPage<T> {
  page: T[];
  nextToken?: string;
}

export class TranscriptQueryError extends Error {}

export const DEFAULT_MAX_RESULTS = 10;

interface Cursor {
  d: 'F' | 'B';
  i: string;
}

/**
 * `items` are in the order they happened. Without a start position the scan begins at the newest item
 * going BACKWARD; with one it begins at that item (inclusive) going FORWARD; an explicit ScanDirection
 * wins. A NextToken continues past its last item in the direction it was made with. SortOrder only
 * orders the returned page (default DESCENDING, as Connect documents).
 */
export function queryTranscript<T extends Timed>(items: readonly T[], request: TranscriptRequest): TranscriptPage<T> {
  const max = request.maxResults || DEFAULT_MAX_RESULTS;
  const start = request.startPosition;
  const hasStart = !!start && (start.id !== undefined || start.absoluteTime !== undefined || start.mostRecent !== undefined);
  let direction: ScanDirection = request.scanDirection ?? (hasStart ? 'FORWARD' : 'BACKWARD');
  let index: number;

  if (request.nextToken !== undefined) {
    const cursor = decodeCursor(request.nextToken);
    direction = cursor.d === 'F' ? 'FORWARD' : 'BACKWARD';
    const anchor = indexOfId(items, cursor.i);
    if (anchor < 0) throw new TranscriptQueryError('Invalid NextToken');
    index = direction === 'FORWARD' ? anchor + 1 : anchor - 1;
  } else if (hasStart) {
    index = startIndex(items, start!, direction);
  } else {
    index = direction === 'FORWARD' ? 0 : items.length - 1;
  }

  const step = direction === 'FORWARD' ? 1 : -1;
  const page: T[] = [];
  while (page.length < max && index >= 0 && index < items.length) {
    page.push(items[index]!);
    index += step;
  }
  const more = page.length > 0 && index >= 0 && index < items.length;
  const nextToken = more ? encodeCursor({ d: direction === 'FORWARD' ? 'F' : 'B', i: page[page.length - 1]!.id }) : undefined;

  const ascending = (request.sortOrder ?? 'DESCENDING') === 'ASCENDING';
  if (ascending !== (direction === 'FORWARD')) page.reverse();
  return nextToken === undefined ? { page } : { page, nextToken };
}

function startIndex(items: readonly Timed[], start: StartPosition, direction: ScanDirection): number {
  const given = [start.id, start.absoluteTime, start.mostRecent].filter((v) => v !== undefined).length;
  if (given > 1) throw new TranscriptQueryError('StartPosition must contain only one of Id, AbsoluteTime and MostRecent');
  if (start.id !== undefined) {
    const index = indexOfId(items, start.id);
    if (index < 0) throw new TranscriptQueryError('StartPosition Id does not match an item of this chat');
    return index;
  }
  if (start.absoluteTime !== undefined) {
    const t = start.absoluteTime;
    if (direction === 'FORWARD') {
      const index = items.findIndex((item) => item.time >= t);
      return index < 0 ? items.length : index;
    }
    for (let i = items.length - 1; i >= 0; i--) if (items[i]!.time <= t) return i;
    return -1;
  }
  return Math.max(0, items.length - 1 - start.mostRecent!);
}

function indexOfId(items: readonly Timed[], id: string): number {
  for (let i = items.length - 1; i >= 0; i--) if (items[i]!.id === id) return i;
  return -1;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(token: string): Cursor {
  try {
    const cursor = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Cursor;
    if ((cursor.d === 'F' || cursor.d === 'B') && typeof cursor.i === 'string') return cursor;
  } catch {
    // fall through
  }
  throw new TranscriptQueryError('Invalid NextToken');
}
