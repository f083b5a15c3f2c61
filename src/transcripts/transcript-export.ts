import type { ChatItemDto } from './chat-item.js';
import { csvHeader, csvRow, txtLine } from './transcript-format.js';
import type { ExportFormat } from './transcript-format.js';

/** Items per database round trip while streaming a transcript. */
export const EXPORT_PAGE_SIZE = 1_000;

export type ItemPager = (afterSeq: number, limit: number) => Promise<ChatItemDto[]>;

async function* pages(fetch: ItemPager): AsyncGenerator<ChatItemDto[]> {
  let after = 0;
  for (;;) {
    const page = await fetch(after, EXPORT_PAGE_SIZE);
    if (page.length) yield page;
    if (page.length < EXPORT_PAGE_SIZE) return;
    after = page[page.length - 1]!.seq;
  }
}

/**
 * A transcript as text chunks, one per page of items: json `{ "chat": …, "items": [ … ] }`, csv with a
 * header row, or txt lines. Pulled by a stream with backpressure, so at most one page is in memory.
 */
export async function* exportChunks(format: ExportFormat, chat: object, fetch: ItemPager): AsyncGenerator<string> {
  if (format === 'json') {
    yield `{"chat":${JSON.stringify(chat)},"items":[`;
    let first = true;
    for await (const page of pages(fetch)) {
      yield (first ? '' : ',') + page.map((item) => JSON.stringify(item)).join(',');
      first = false;
    }
    yield ']}';
    return;
  }
  if (format === 'csv') yield csvHeader();
  for await (const page of pages(fetch)) yield page.map(format === 'csv' ? csvRow : txtLine).join('');
}
