import type { TranscriptPage, TranscriptQuery } from '../connect/connect-chat.port.js';
import { ConnectError } from '../connect/connect-error.js';
import type { ConnectItem } from '../connect/connect-item.js';

export type PageFetcher = (query: TranscriptQuery) => Promise<TranscriptPage>;

const PAGE_SIZE = 100;
const MAX_PAGES = 1000;

/**
 * What Connect has that we may have missed (connect-protocol.md §5.7): forward from the last item we
 * hold, paging until Connect has no more; without an anchor (nothing stored yet), or when Connect does
 * not know the anchor, the newest pages backward until one holds an item we know.
 */
export async function fetchMissed(fetch: PageFetcher, anchorId: string | undefined, isKnown: (id: string) => boolean): Promise<ConnectItem[]> {
  if (anchorId) {
    try {
      return await pageForward(fetch, anchorId);
    } catch (err) {
      if (!(err instanceof ConnectError && err.failure === 'rejected')) throw err;
    }
  }
  return pageBackward(fetch, isKnown);
}

async function pageForward(fetch: PageFetcher, anchorId: string): Promise<ConnectItem[]> {
  const collected: ConnectItem[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await fetch({ direction: 'FORWARD', startAfterId: anchorId, maxResults: PAGE_SIZE, nextToken });
    collected.push(...res.items);
    nextToken = res.nextToken;
    if (!nextToken || !res.items.length) break;
  }
  return collected;
}

async function pageBackward(fetch: PageFetcher, isKnown: (id: string) => boolean): Promise<ConnectItem[]> {
  const collected: ConnectItem[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await fetch({ direction: 'BACKWARD', maxResults: PAGE_SIZE, nextToken });
    collected.push(...res.items);
    nextToken = res.nextToken;
    if (!nextToken || !res.items.length || res.items.some((i) => isKnown(i.Id))) break;
  }
  return collected;
}
