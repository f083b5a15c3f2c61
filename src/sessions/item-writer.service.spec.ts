import type { AppConfig } from '../config/app-config.js';
import { MetricsService } from '../health/metrics.service.js';
import type { ChatAdvance, ItemStoreRepository, NewChatItem } from '../transcripts/item-store.repository.js';
import { ItemWriter } from './item-writer.service.js';
import type { OwnedChat } from './item-writer.service.js';

/** A store whose statements the test completes one by one. */
class ManualStore {
  readonly statements: { advances: ChatAdvance[]; items: NewChatItem[]; commit: () => void; fail: (err: Error) => void }[] = [];

  storeBatch(advances: ChatAdvance[], items: NewChatItem[]): Promise<Set<string>> {
    return new Promise((resolve, reject) => {
      this.statements.push({ advances, items, commit: () => resolve(new Set(advances.map((a) => a.chatId))), fail: reject });
    });
  }

  applyReceipts(): Promise<never[]> {
    return Promise.resolve([]);
  }
}

class Chat implements OwnedChat {
  readonly epoch = 1;
  committedSeq = 0;
  lost = false;
  readonly seen: number[] = [];
  private seq = 0;

  constructor(readonly chatId: string, private readonly onDelivered: (chat: Chat, seqs: number[]) => void = () => undefined) {}

  next(): NewChatItem[] {
    const seq = ++this.seq;
    return [{
      chatId: this.chatId, seq, connectItemId: `${this.chatId}-${seq}`, type: 'MESSAGE', contentType: 'text/plain', content: 'hi',
      participantRole: 'AGENT', participantId: 'p', displayName: 'A', absoluteTime: new Date(), attachments: null, clientMessageId: null, contactId: null,
    }];
  }

  onStored(items: NewChatItem[]): void {
    this.seen.push(...items.map((i) => i.seq));
    this.onDelivered(this, items.map((i) => i.seq));
  }

  onReceipts(): void {}

  onLost(): void {
    this.lost = true;
  }
}

const config = { ownership: { writeBacklogMaxBytes: 1024 ** 3, commitDelayMs: 0 } } as AppConfig;
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

function writerWith(store: ManualStore): ItemWriter {
  return new ItemWriter(store as unknown as ItemStoreRepository, new MetricsService(), config);
}

describe('ItemWriter', () => {
  it('hands a statement’s items over only after it committed, once the next statement is on its way', async () => {
    const store = new ManualStore();
    const writer = writerWith(store);
    const a = new Chat('a');
    writer.enqueue(a, a.next());
    await settle();
    expect(store.statements).toHaveLength(1);
    writer.enqueue(a, a.next());
    await settle();
    expect(a.seen).toEqual([]);

    store.statements[0]!.commit();
    await settle();
    // The next statement (seq 2, after committed seq 1) went out before seq 1 was handed over.
    expect(store.statements).toHaveLength(2);
    expect(store.statements[1]!.advances[0]).toMatchObject({ prevSeq: 1, lastSeq: 2 });
    expect(a.seen).toEqual([1]);

    store.statements[1]!.commit();
    await settle();
    expect(a.seen).toEqual([1, 2]);
    await writer.drain();
  });

  it('keeps each chat’s items in seq order and never writes a chat twice at once', async () => {
    const store = new ManualStore();
    const writer = writerWith(store);
    const chats = ['a', 'b', 'c'].map((id) => new Chat(id));
    for (let round = 0; round < 5; round++) {
      for (const chat of chats) writer.enqueue(chat, chat.next());
      await settle();
      const open = store.statements.filter((s) => !(s as { done?: boolean }).done);
      const inFlight = open.flatMap((s) => s.advances.map((adv) => adv.chatId));
      expect(new Set(inFlight).size).toBe(inFlight.length);
      for (const s of open) {
        (s as { done?: boolean }).done = true;
        s.commit();
      }
      await settle();
    }
    const finishing = writer.drain();
    for (let i = 0; i < 5; i++) {
      for (const s of store.statements) s.commit();
      await settle();
    }
    await finishing;
    for (const chat of chats) expect(chat.seen).toEqual([1, 2, 3, 4, 5]);
  });

  it('puts a failed statement’s items back and delivers them once a retry commits', async () => {
    const store = new ManualStore();
    const writer = writerWith(store);
    const a = new Chat('a');
    writer.enqueue(a, a.next());
    await settle();
    store.statements[0]!.fail(new Error('connection lost'));
    await new Promise((r) => setTimeout(r, 150));
    expect(store.statements).toHaveLength(2);
    expect(store.statements[1]!.advances[0]).toMatchObject({ prevSeq: 0, lastSeq: 1 });
    store.statements[1]!.commit();
    await writer.drain();
    expect(a.seen).toEqual([1]);
  });

  it('delivers to the other chats when one chat’s delivery throws', async () => {
    const store = new ManualStore();
    const writer = writerWith(store);
    const bad = new Chat('bad', () => {
      throw new Error('boom');
    });
    const good = new Chat('good');
    writer.enqueue(bad, bad.next());
    writer.enqueue(good, good.next());
    writer.enqueue(bad, bad.next());
    await settle();
    store.statements[0]!.commit();
    await settle();
    expect(store.statements[1]!.advances.map((adv) => adv.chatId)).toEqual(['good', 'bad']);
    store.statements[1]!.commit();
    await writer.drain();
    expect(good.seen).toEqual([1]);
    expect(bad.seen).toEqual([1, 2]);
    expect(bad.committedSeq).toBe(2);
  });

  it('with ITEM_COMMIT_DELAY_MS, gathers what arrives meanwhile into one statement, delivering the last one first', async () => {
    const store = new ManualStore();
    const writer = new ItemWriter(store as unknown as ItemStoreRepository, new MetricsService(),
      { ownership: { writeBacklogMaxBytes: 1024 ** 3, commitDelayMs: 100 } } as AppConfig);
    const a = new Chat('a');
    const b = new Chat('b');
    const t0 = performance.now();
    writer.enqueue(a, a.next());
    writer.enqueue(b, b.next());
    await settle();
    expect(store.statements).toHaveLength(0);
    while (!store.statements.length) await new Promise((r) => setTimeout(r, 5));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(95);
    expect(store.statements[0]!.items.map((i) => i.chatId)).toEqual(['a', 'b']);
    // The next item waits again, but the committed ones are not held back meanwhile.
    writer.enqueue(a, a.next());
    store.statements[0]!.commit();
    await settle();
    expect(a.seen).toEqual([1]);
    expect(b.seen).toEqual([1]);
    expect(store.statements).toHaveLength(1);
    while (store.statements.length < 2) await new Promise((r) => setTimeout(r, 5));
    store.statements[1]!.commit();
    await writer.drain();
    expect(a.seen).toEqual([1, 2]);
  });
});
