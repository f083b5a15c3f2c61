import { GetTranscriptCommand, paginateGetTranscript, SendEventCommand, SendMessageCommand, ValidationException } from '@aws-sdk/client-connectparticipant';
import type { GetTranscriptCommandInput, Item } from '@aws-sdk/client-connectparticipant';
import type { ChatHandle } from './emulator-fixture.js';
import { CT_EVENT, EmulatorFixture, expectAwsError } from './emulator-fixture.js';

/** GetTranscript paging: 1 joined event + 24 messages = 25 items, m1..m24. */
describe('GetTranscript paging', () => {
  const fx = new EmulatorFixture();
  let chat: ChatHandle;
  let all: Item[];

  beforeAll(async () => {
    await fx.start();
    await fx.configure({ rateLimits: { SendMessage: { rps: 1000, burst: 1000 }, GetTranscript: { rps: 1000, burst: 1000 } } });
    chat = await fx.chat({}, { socket: false });
    for (let i = 1; i <= 24; i++) {
      await fx.participant.send(new SendMessageCommand({ ConnectionToken: chat.connectionToken, Content: `m${i}`, ContentType: 'text/plain' }));
      if (i % 8 === 0) {
        await fx.participant.send(new SendEventCommand({ ConnectionToken: chat.connectionToken, ContentType: `${CT_EVENT}typing` }));
      }
    }
    all = (await get({ MaxResults: 100, SortOrder: 'ASCENDING' })).Transcript!;
  });
  afterAll(() => fx.stop());

  const get = (input: Partial<GetTranscriptCommandInput>) =>
    fx.participant.send(new GetTranscriptCommand({ ConnectionToken: chat.connectionToken, ...input }));
  const names = (items: Item[] | undefined) => (items ?? []).map((i) => i.Content ?? 'joined');
  const seq = (from: number, to: number) =>
    Array.from({ length: Math.abs(to - from) + 1 }, (_, k) => (from <= to ? from + k : from - k)).map((n) => (n === 0 ? 'joined' : `m${n}`));

  it('holds every stored item once, strictly increasing in time, and never typing', () => {
    expect(names(all)).toEqual(seq(0, 24));
    const times = all.map((i) => Date.parse(i.AbsoluteTime!));
    expect(times.every((t, k) => k === 0 || t > times[k - 1]!)).toBe(true);
  });

  it('defaults to the newest 10, newest first (BACKWARD, DESCENDING)', async () => {
    const page = await get({});
    expect(names(page.Transcript)).toEqual(seq(24, 15));
    expect(page.NextToken).toBeTruthy();
    expect(page.InitialContactId).toBe(chat.contactId);
  });

  it('treats StartPosition {} like ChatJS means it: the newest page', async () => {
    const page = await get({ StartPosition: {}, ScanDirection: 'BACKWARD', SortOrder: 'ASCENDING', MaxResults: 15 });
    expect(names(page.Transcript)).toEqual(seq(10, 24));
  });

  it('pages BACKWARD with NextToken to the oldest item in both sort orders', async () => {
    for (const SortOrder of ['ASCENDING', 'DESCENDING'] as const) {
      const pages: string[][] = [];
      let NextToken: string | undefined;
      do {
        const page = await get({ MaxResults: 7, SortOrder, NextToken });
        pages.push(names(page.Transcript));
        NextToken = page.NextToken;
      } while (NextToken);
      const flat = SortOrder === 'DESCENDING' ? pages.flat() : pages.reverse().flat();
      expect(flat).toEqual(SortOrder === 'DESCENDING' ? seq(24, 0) : seq(0, 24));
      expect(pages).toHaveLength(4);
    }
  });

  it('pages FORWARD from a StartPosition Id (inclusive) in both sort orders', async () => {
    const first = await get({ StartPosition: { Id: all[5]!.Id }, MaxResults: 4, SortOrder: 'ASCENDING' });
    expect(names(first.Transcript)).toEqual(seq(5, 8));
    const second = await get({ NextToken: first.NextToken, MaxResults: 4, SortOrder: 'DESCENDING' });
    expect(names(second.Transcript)).toEqual(seq(12, 9));
    const last = await get({ StartPosition: { Id: all[20]!.Id }, MaxResults: 10, ScanDirection: 'FORWARD', SortOrder: 'ASCENDING' });
    expect(names(last.Transcript)).toEqual(seq(20, 24));
    expect(last.NextToken).toBeUndefined();
  });

  it('scans BACKWARD from a StartPosition Id', async () => {
    const page = await get({ StartPosition: { Id: all[3]!.Id }, ScanDirection: 'BACKWARD', SortOrder: 'DESCENDING' });
    expect(names(page.Transcript)).toEqual(seq(3, 0));
    expect(page.NextToken).toBeUndefined();
  });

  it('starts at an AbsoluteTime', async () => {
    const page = await get({ StartPosition: { AbsoluteTime: all[10]!.AbsoluteTime }, MaxResults: 3, SortOrder: 'ASCENDING' });
    expect(names(page.Transcript)).toEqual(seq(10, 12));
    const back = await get({ StartPosition: { AbsoluteTime: all[10]!.AbsoluteTime }, ScanDirection: 'BACKWARD', MaxResults: 3, SortOrder: 'ASCENDING' });
    expect(names(back.Transcript)).toEqual(seq(8, 10));
  });

  it('starts at the MostRecent-th newest item', async () => {
    const page = await get({ StartPosition: { MostRecent: 2 }, SortOrder: 'ASCENDING' });
    expect(names(page.Transcript)).toEqual(seq(22, 24));
    const back = await get({ StartPosition: { MostRecent: 2 }, ScanDirection: 'BACKWARD', MaxResults: 2 });
    expect(names(back.Transcript)).toEqual(seq(22, 21));
  });

  it('works with the SDK paginator', async () => {
    const seen: Item[] = [];
    for await (const page of paginateGetTranscript({ client: fx.participant, pageSize: 6 }, { ConnectionToken: chat.connectionToken, SortOrder: 'DESCENDING' })) {
      seen.push(...(page.Transcript ?? []));
    }
    expect(names(seen)).toEqual(seq(24, 0));
  });

  it('accepts a ContactId of the chain and refuses anything invalid with ValidationException', async () => {
    expect(names((await get({ ContactId: chat.contactId, MaxResults: 1 })).Transcript)).toEqual(['m24']);
    const bad: Partial<GetTranscriptCommandInput>[] = [
      { MaxResults: 101 },
      { NextToken: 'not-a-token' },
      { ContactId: 'someone-else' },
      { ScanDirection: 'SIDEWAYS' as never },
      { SortOrder: 'RANDOM' as never },
      { StartPosition: { Id: 'missing' } },
      { StartPosition: { AbsoluteTime: 'yesterday' } },
      { StartPosition: { MostRecent: 101 } },
      { StartPosition: { Id: all[1]!.Id, MostRecent: 1 } },
    ];
    for (const input of bad) await expectAwsError(get(input), ValidationException, 400);
  });
});
