import type { ChatItemsRepository, ReplayHeadRecord, ReplayRequest } from '../transcripts/chat-items.repository.js';
import { ReplayReader } from './replay-reader.js';

/** Records every statement; each one waits until the test releases it. */
class FakeItems {
  readonly statements: ReplayRequest[][] = [];
  private readonly releases: (() => void)[] = [];

  async replayHeads(requests: ReplayRequest[]): Promise<(ReplayHeadRecord | null)[]> {
    this.statements.push(requests);
    await new Promise<void>((r) => this.releases.push(r));
    return requests.map((r) => (r.chatId === 'gone' ? null : {
      chat: { status: 'active', lastSeq: r.afterSeq + 1, endReason: null },
      items: [], delivered: null, read: null,
    }));
  }

  releaseAll(): void {
    this.releases.splice(0).forEach((r) => r());
  }
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('ReplayReader', () => {
  it('answers a burst of sockets with one statement, one request per chat and cursor', async () => {
    const db = new FakeItems();
    const reader = new ReplayReader(db as unknown as ChatItemsRepository);
    const heads = [reader.head('a', 3), reader.head('a', 3), reader.head('b', 0), reader.head('a', 5), reader.head('gone', 0)];
    await turn();
    expect(db.statements).toEqual([[
      expect.objectContaining({ chatId: 'a', afterSeq: 3 }), expect.objectContaining({ chatId: 'b', afterSeq: 0 }),
      expect.objectContaining({ chatId: 'a', afterSeq: 5 }), expect.objectContaining({ chatId: 'gone', afterSeq: 0 }),
    ]]);
    db.releaseAll();
    const [a1, a2, b, a5, gone] = await Promise.all(heads);
    expect(a1).toBe(a2);
    expect(a1?.chat.lastSeq).toBe(4);
    expect(b?.chat.lastSeq).toBe(1);
    expect(a5?.chat.lastSeq).toBe(6);
    expect(gone).toBeNull();
  });

  it('never hands a socket a read that started before it asked', async () => {
    const db = new FakeItems();
    const reader = new ReplayReader(db as unknown as ChatItemsRepository);
    const first = reader.head('a', 0);
    await turn();
    const second = reader.head('a', 0);
    await turn();
    expect(db.statements).toHaveLength(2);
    db.releaseAll();
    expect(await first).not.toBe(await second);
  });

  it('queues behind the statements in flight and sends the queue together', async () => {
    const db = new FakeItems();
    const reader = new ReplayReader(db as unknown as ChatItemsRepository);
    const early: Promise<unknown>[] = [];
    for (let i = 0; i < 3; i++) {
      early.push(reader.head(`c${i}`, 0));
      await turn();
    }
    const queued = [reader.head('x', 0), reader.head('y', 0)];
    await turn();
    expect(db.statements).toHaveLength(3);
    db.releaseAll();
    await Promise.all(early);
    await turn();
    expect(db.statements[3]?.map((r) => r.chatId)).toEqual(['x', 'y']);
    db.releaseAll();
    await Promise.all(queued);
  });
});
