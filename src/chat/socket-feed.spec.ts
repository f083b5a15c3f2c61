import type { Socket } from 'socket.io';
import type { ChatItemRecord } from '../transcripts/chat-item.js';
import { toChatItemDto } from '../transcripts/chat-item.js';
import type { ChatItemsRepository } from '../transcripts/chat-items.repository.js';
import { REPLAY_PAGE } from './replay-reader.js';
import type { ReplayHead } from './replay-reader.js';
import { SocketFeed } from './socket-feed.js';

function record(seq: number): ChatItemRecord {
  return {
    chatId: 'c', seq, connectItemId: `id-${seq}`, type: 'MESSAGE', contentType: 'text/plain', content: `m${seq}`,
    participantRole: 'AGENT', participantId: 'p', displayName: 'A', absoluteTime: new Date(1_800_000_000_000 + seq),
    attachments: null, clientMessageId: null, deliveredAt: null, readAt: null,
  };
}

/** A database whose stored items the test controls, and whose reads it can hold back. */
class FakeItems {
  stored: ChatItemRecord[] = [];
  private gate: Promise<void> = Promise.resolve();
  release: () => void = () => undefined;

  hold(): void {
    this.gate = new Promise((r) => (this.release = r));
  }

  async listAfter(_chatId: string, afterSeq: number, limit: number): Promise<ChatItemRecord[]> {
    await this.gate;
    return this.stored.filter((r) => r.seq > afterSeq).slice(0, limit);
  }
}

function setup(lastSeq = 0): { feed: SocketFeed; db: FakeItems; sent: [string, unknown][] } {
  const sent: [string, unknown][] = [];
  const socket = { emit: (event: string, data: unknown) => sent.push([event, data]), disconnect: () => undefined } as unknown as Socket;
  const db = new FakeItems();
  return { feed: new SocketFeed(socket, 'c', lastSeq, db as unknown as ChatItemsRepository), db, sent };
}

/** The first read as ReplayReader answers it, from the same fake database. */
function headFrom(db: FakeItems, afterSeq: number): () => Promise<ReplayHead> {
  return async () => {
    const items = (await db.listAfter('c', afterSeq, REPLAY_PAGE)).map(toChatItemDto);
    return { chat: { status: 'active', lastSeq: items.at(-1)?.seq ?? afterSeq, endReason: null }, items, delivered: null, read: null };
  };
}

const seqs = (sent: [string, unknown][]): number[] => sent.filter(([e]) => e === 'chat:item').map(([, d]) => (d as { seq: number }).seq);

describe('SocketFeed', () => {
  it('sends state first, then stored items, then what was published during the replay, without repeats', async () => {
    const { feed, db, sent } = setup(1);
    db.stored = [1, 2, 3].map(record);
    db.hold();
    const opened = feed.open(headFrom(db, 1), () => sent.push(['chat:state', {}]), () => sent.push(['chat:receipt', {}]));
    feed.live({ event: 'chat:typing', data: { participantRole: 'AGENT', displayName: 'A', at: 'now' } });
    feed.deliver({ ...record(3), id: 'id-3', absoluteTime: 'x' } as never);
    db.stored.push(record(4));
    feed.deliver({ seq: 4, id: 'id-4', type: 'MESSAGE', absoluteTime: 'x' });
    db.release();
    await opened;
    // Item 4 was stored before the replay read it: it comes with the stored items, and only once.
    expect(sent.map(([e]) => e)).toEqual(['chat:state', 'chat:item', 'chat:item', 'chat:item', 'chat:receipt', 'chat:typing']);
    expect(seqs(sent)).toEqual([2, 3, 4]);
  });

  it('replays from the database when a live item skips ahead', async () => {
    const { feed, db, sent } = setup(0);
    await feed.open(headFrom(db, 0), () => undefined, () => undefined);
    db.stored = [1, 2, 3].map(record);
    feed.deliver({ seq: 3, id: 'id-3', type: 'MESSAGE', absoluteTime: 'x' });
    await new Promise((r) => setImmediate(r));
    feed.deliver({ seq: 2, id: 'id-2', type: 'MESSAGE', absoluteTime: 'x' });
    expect(seqs(sent)).toEqual([1, 2, 3]);
    expect(feed.cursor).toBe(3);
  });

  it('never emits an item at or below its cursor', async () => {
    const { feed, db, sent } = setup(5);
    await feed.open(headFrom(db, 5), () => undefined, () => undefined);
    feed.deliver({ seq: 5, id: 'id-5', type: 'MESSAGE', absoluteTime: 'x' });
    feed.deliver({ seq: 2, id: 'id-2', type: 'MESSAGE', absoluteTime: 'x' });
    expect(seqs(sent)).toEqual([]);
  });
});
