import type { Socket } from 'socket.io';
import type { ChatItemDto } from '../transcripts/chat-item.js';
import type { ChatItemsRepository } from '../transcripts/chat-items.repository.js';
import { ChatBroadcaster } from './chat-broadcaster.js';
import type { ChatPresence } from './chat-presence.js';
import type { ReplayHead } from './replay-reader.js';
import { SocketFeed } from './socket-feed.js';

const item = (seq: number): ChatItemDto => ({ seq, id: `id-${seq}`, type: 'MESSAGE', absoluteTime: 'x' });
/** The first replay read of a chat with nothing stored after the socket's cursor. */
const head = (lastSeq: number): ReplayHead => ({ chat: { status: 'active', lastSeq, endReason: null }, items: [], delivered: null, read: null });
const none = (): void => undefined;

/** Sockets that record what reaches them alone and what reaches them through one shared broadcast. */
function world() {
  const log: string[] = [];
  const nsp = {
    local: { to: (ids: string[]) => ({ emit: (event: string, data: ChatItemDto) => log.push(`${[...ids].join('+')} ${event} ${data.seq}`) }) },
  };
  const socket = (id: string) => ({ id, nsp, emit: (event: string, data: ChatItemDto) => log.push(`${id} ${event} ${data.seq}`), disconnect: () => undefined }) as unknown as Socket;
  const stored: { seq: number }[] = [];
  const items = { listAfter: async (_c: string, after: number) => stored.filter((r) => r.seq > after) } as unknown as ChatItemsRepository;
  const feeds: SocketFeed[] = [];
  const presence = { feeds: () => feeds } as unknown as ChatPresence;
  return { log, socket, items, feeds, broadcaster: new ChatBroadcaster(presence) };
}

describe('ChatBroadcaster', () => {
  it('sends an item once to all sockets level with it, and through its own feed to a socket still replaying', async () => {
    const w = world();
    const a = new SocketFeed(w.socket('a'), 'c', 0, w.items);
    const b = new SocketFeed(w.socket('b'), 'c', 0, w.items);
    const late = new SocketFeed(w.socket('late'), 'c', 0, w.items);
    w.feeds.push(a, b, late);
    await a.open(async () => head(0), none, none);
    await b.open(async () => head(0), none, none);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const opening = late.open(async () => {
      await held;
      return head(0);
    }, none, none);

    w.broadcaster.items('c', [item(1), item(2)]);
    expect(w.log).toEqual(['a+b chat:item 1', 'a+b chat:item 2']);
    release();
    await opening;
    expect(w.log.slice(2)).toEqual(['late chat:item 1', 'late chat:item 2']);
    w.broadcaster.items('c', [item(3)]);
    expect(w.log.slice(4)).toEqual(['a+b+late chat:item 3']);
  });

  it('sends alone to the only socket level with an item, and skips a socket that already has it', async () => {
    const w = world();
    const a = new SocketFeed(w.socket('a'), 'c', 0, w.items);
    const ahead = new SocketFeed(w.socket('ahead'), 'c', 1, w.items);
    w.feeds.push(a, ahead);
    for (const f of [a, ahead]) await f.open(async () => head(1), none, none);
    w.broadcaster.items('c', [item(1)]);
    expect(w.log).toEqual(['a chat:item 1']);
  });
});
