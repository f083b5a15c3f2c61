import type { ChatItemDto } from './chat-item.js';
import { csvCell, csvHeader, csvRow, txtLine } from './transcript-format.js';
import { EXPORT_PAGE_SIZE, exportChunks } from './transcript-export.js';
import { decodeCursor, encodeCursor } from './cursor.js';

const item = (seq: number, extra: Partial<ChatItemDto> = {}): ChatItemDto => ({
  seq, id: `i-${seq}`, type: 'MESSAGE', contentType: 'text/plain', content: `m${seq}`, participantRole: 'CUSTOMER',
  displayName: 'Jane', absoluteTime: '2026-11-26T10:00:00.000Z', ...extra,
});

describe('csv', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', `"'\rx"`],
    ['=HYPERLINK("x","y")', `"'=HYPERLINK(""x"",""y"")"`],
    ['a=b', 'a=b'],
  ])('cell %j → %j', (input, expected) => expect(csvCell(input)).toBe(expected));

  it('leaves numbers and empties alone', () => {
    expect(csvCell(-1)).toBe('-1');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(null)).toBe('');
  });

  it('writes rows in the contract column order with CRLF', () => {
    expect(csvHeader()).toBe('seq,absoluteTime,participantRole,displayName,type,contentType,content\r\n');
    expect(csvRow(item(3))).toBe('3,2026-11-26T10:00:00.000Z,CUSTOMER,Jane,MESSAGE,text/plain,m3\r\n');
  });
});

describe('txt', () => {
  it('writes one line per item', () => {
    expect(txtLine(item(1, { content: 'hi\nthere \\o/' }))).toBe('[2026-11-26T10:00:00.000Z] Jane (CUSTOMER): hi\\nthere \\\\o/\n');
    expect(txtLine(item(2, { type: 'EVENT', content: undefined, contentType: 'application/vnd.amazonaws.connect.event.chat.ended', participantRole: 'SYSTEM', displayName: undefined })))
      .toBe('[2026-11-26T10:00:00.000Z] SYSTEM (SYSTEM): application/vnd.amazonaws.connect.event.chat.ended\n');
  });
});

describe('exportChunks', () => {
  const pager = (total: number) => {
    const calls: number[] = [];
    const fetch = async (after: number, limit: number): Promise<ChatItemDto[]> => {
      calls.push(after);
      const out: ChatItemDto[] = [];
      for (let s = after + 1; s <= Math.min(total, after + limit); s++) out.push(item(s));
      return out;
    };
    return { fetch, calls };
  };
  const collect = async (it: AsyncIterable<string>): Promise<string> => {
    let s = '';
    for await (const chunk of it) s += chunk;
    return s;
  };

  it('pages through the items and produces valid JSON', async () => {
    const total = EXPORT_PAGE_SIZE * 2 + 5;
    const { fetch, calls } = pager(total);
    const parsed = JSON.parse(await collect(exportChunks('json', { chatId: 'c' }, fetch)));
    expect(parsed.chat).toEqual({ chatId: 'c' });
    expect(parsed.items.map((i: ChatItemDto) => i.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(calls).toEqual([0, EXPORT_PAGE_SIZE, EXPORT_PAGE_SIZE * 2]);
  });

  it('handles empty chats and exact page multiples', async () => {
    expect(JSON.parse(await collect(exportChunks('json', {}, pager(0).fetch)))).toEqual({ chat: {}, items: [] });
    expect(await collect(exportChunks('csv', {}, pager(0).fetch))).toBe(csvHeader());
    const exact = pager(EXPORT_PAGE_SIZE);
    const txt = await collect(exportChunks('txt', {}, exact.fetch));
    expect(txt.split('\n')).toHaveLength(EXPORT_PAGE_SIZE + 1);
    expect(exact.calls).toEqual([0, EXPORT_PAGE_SIZE]);
  });
});

describe('cursor', () => {
  it('round-trips and refuses anything else', () => {
    expect(decodeCursor(encodeCursor(['c', '2026', 'x']))).toEqual(['c', '2026', 'x']);
    for (const bad of ['', '!!', 'e30', Buffer.from('[1]').toString('base64url'), Buffer.from('{"a":1}').toString('base64url'), 'x'.repeat(600)]) {
      expect(decodeCursor(bad)).toBeNull();
    }
  });
});
