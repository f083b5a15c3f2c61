import { jest } from '@jest/globals';
import type { Logger } from '@nestjs/common';
import type { ConnectChatPort, TranscriptPage } from '../connect/connect-chat.port.js';
import { ConnectError } from '../connect/connect-error.js';
import type { ConnectItem } from '../connect/connect-item.js';
import type { UpstreamSocketEvents } from '../connect/upstream-socket.js';
import type { NewChatItem } from '../transcripts/item-store.repository.js';
import { ChatEvents } from './chat-events.js';
import type { EndedEvent } from './chat-events.js';
import type { ChatRecord } from './chat-record.js';
import { ChatSession } from './chat-session.js';
import type { SessionDeps } from './chat-session.js';
import { SYSTEM_CLOCK } from './clock.js';
import type { LinkSocket } from './upstream-link.js';

const ended403 = (op: string) => new ConnectError('ended', op, 'AccessDeniedException', 403);

function message(id: string, ms: number, role = 'AGENT'): ConnectItem {
  return { Id: id, Type: 'MESSAGE', ContentType: 'text/plain', Content: id, ParticipantRole: role, ParticipantId: role === 'CUSTOMER' ? 'me' : 'agent', AbsoluteTime: new Date(ms).toISOString() };
}

class FakeSocket implements LinkSocket {
  isOpen = false;
  constructor(readonly events: UpstreamSocketEvents) {}
  async open(): Promise<void> {
    this.isOpen = true;
  }
  close(): void {
    this.isOpen = false;
  }
}

function setup() {
  const sockets: FakeSocket[] = [];
  const stored: NewChatItem[] = [];
  const ended: EndedEvent[] = [];
  const shed: number[] = [];
  const sendTokens: string[] = [];
  const refreshes: number[] = [];
  const transcript: ConnectItem[] = [];
  const sendFailures: ConnectError[] = [];
  const refreshFailures: ConnectError[] = [];
  let dial = 0;
  const writer = {
    hasRoom: true,
    enqueue(owner: ChatSession, items: NewChatItem[]) {
      // Stored at once, as a healthy database would.
      stored.push(...items);
      owner.committedSeq = items[items.length - 1]!.seq;
      owner.onStored(items);
    },
    enqueueReceipt: () => undefined,
  };
  const port: Partial<ConnectChatPort> = {
    createConnection: async () => ({
      websocketUrl: `ws://s${++dial}`, websocketExpiresAt: new Date(Date.now() + 100_000),
      connectionToken: `token-${dial}`, connectionExpiresAt: new Date(Date.now() + 86_400_000),
    }),
    refreshConnectionToken: async () => {
      refreshes.push(Date.now());
      const failure = refreshFailures.shift();
      if (failure) throw failure;
      return { connectionToken: `refreshed-${refreshes.length}`, connectionExpiresAt: new Date(Date.now() + 86_400_000) };
    },
    getTranscript: async (): Promise<TranscriptPage> => ({ items: [...transcript] }),
    sendMessage: async (_region, token, msg) => {
      sendTokens.push(token);
      const failure = sendFailures.shift();
      if (failure) throw failure;
      const item = { ...message(`sent-${msg.clientToken.slice(0, 8)}`, Date.now(), 'CUSTOMER'), Content: msg.content };
      transcript.push(item);
      queueMicrotask(() => sockets.at(-1)!.events.onItem(item));
      return { id: item.Id, absoluteTime: item.AbsoluteTime };
    },
  };
  const events = new ChatEvents();
  events.attach({ items: () => undefined, typing: () => undefined, receipt: () => undefined, state: () => undefined, ended: (_c, e) => ended.push(e) });
  const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined } as unknown as Logger;
  const deps: SessionDeps = {
    port: port as ConnectChatPort,
    scheduler: { run: (_i: string, _o: string, _p: number, call: () => Promise<unknown>) => call() } as never,
    writer: writer as never,
    events,
    chats: { updateOwned: async () => true } as never,
    items: { findByClientMessageId: async () => null, findByConnectId: async () => null } as never,
    store: { ownerState: async () => ({ lastSeq: 0, knownIds: [], last: null }) } as never,
    vault: { seal: (s) => s, open: (s) => s },
    log: quiet,
    timing: { heartbeatMs: 10_000, rotateMs: 3_600_000, tokenRefreshMarginMs: 60_000, backoffBaseMs: 100, backoffMaxMs: 1000, echoHoldMs: 3000, storeWaitMs: 5000, typingIntervalMs: 10_000 },
    clock: SYSTEM_CLOCK,
    openSocket: (socketEvents) => {
      const s = new FakeSocket(socketEvents);
      sockets.push(s);
      return s;
    },
    counters: { reconnected: () => undefined, rotated: () => undefined, tokenRefreshed: () => undefined, shed: () => shed.push(1) },
    onGone: () => undefined,
  };
  const record = {
    id: 'chat-1', ownerEpoch: 1, status: 'active', endReason: null, participantTokenEnc: 'ptoken', participantId: 'me',
    connectInstanceId: 'inst-1', connectRegion: 'us-east-1', startedAt: new Date(),
  } as unknown as ChatRecord;
  const session = new ChatSession(record, null, deps);
  return { session, sockets, stored, ended, shed, sendTokens, refreshes, transcript, sendFailures, refreshFailures, writer };
}

describe('ChatSession', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('takes a 403 on a send as a stale token first: refreshes it and sends again, once', async () => {
    const t = setup();
    await t.session.start();
    t.sendFailures.push(ended403('SendMessage'));
    const sent = t.session.send('cm-1', 'text/plain', 'hello');
    await jest.advanceTimersByTimeAsync(0);
    await expect(sent).resolves.toMatchObject({ content: 'hello', clientMessageId: 'cm-1', seq: 1 });
    expect(t.sendTokens).toEqual(['token-1', 'refreshed-1']);
    expect(t.ended).toEqual([]);
    t.session.stop();
  });

  it('ends the chat when Connect refuses the participant token too', async () => {
    const t = setup();
    await t.session.start();
    t.sendFailures.push(ended403('SendMessage'));
    t.refreshFailures.push(ended403('CreateParticipantConnection'));
    const sent = t.session.send('cm-1', 'text/plain', 'hello');
    const outcome = expect(sent).rejects.toMatchObject({ code: 'CHAT_ENDED' });
    await jest.advanceTimersByTimeAsync(0);
    await outcome;
    // The live socket gets two heartbeats to bring chat.ended; then the gateway records the end itself.
    await jest.advanceTimersByTimeAsync(20_000);
    expect(t.ended).toEqual([{ lastSeq: 1, reason: 'unknown' }]);
    expect(t.stored.at(-1)).toMatchObject({ contentType: 'application/vnd.amazonaws.connect.event.chat.ended' });
  });

  it('sheds live items while the write backlog is full, then fetches them from Connect in order', async () => {
    const t = setup();
    await t.session.start();
    t.writer.hasRoom = false;
    for (const [i, id] of ['a1', 'a2', 'a3'].entries()) {
      const item = message(id, 2_000_000 + i);
      t.transcript.push(item);
      t.sockets[0]!.events.onItem(item);
    }
    expect(t.stored).toEqual([]);
    expect(t.shed.length).toBeGreaterThan(0);
    await jest.advanceTimersByTimeAsync(2000);
    expect(t.stored).toEqual([]);
    t.writer.hasRoom = true;
    const late = message('a4', 2_000_010);
    t.transcript.push(late);
    await jest.advanceTimersByTimeAsync(600);
    t.sockets[0]!.events.onItem(late);
    expect(t.stored.map((i) => [i.seq, i.connectItemId])).toEqual([[1, 'a1'], [2, 'a2'], [3, 'a3'], [4, 'a4']]);
    t.session.stop();
  });
});
