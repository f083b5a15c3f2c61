import { jest } from '@jest/globals';
import type { ConnectionCredentials, ParticipantConnection } from '../connect/connect-chat.port.js';
import { ConnectError } from '../connect/connect-error.js';
import type { ConnectItem } from '../connect/connect-item.js';
import type { UpstreamSocketEvents } from '../connect/upstream-socket.js';
import { SYSTEM_CLOCK } from './clock.js';
import { UpstreamLink } from './upstream-link.js';
import type { LinkHost, LinkSocket, LinkTiming } from './upstream-link.js';
import type { UpstreamPriority } from './upstream-scheduler.js';

const TIMING: LinkTiming = { heartbeatMs: 10_000, rotateMs: 60_000, tokenRefreshMarginMs: 60_000, backoffBaseMs: 1000, backoffMaxMs: 30_000 };
const TOKEN_LIFE_MS = 24 * 3600_000;

class FakeSocket implements LinkSocket {
  isOpen = false;
  closed = false;
  url = '';
  constructor(readonly events: UpstreamSocketEvents, private readonly log: string[]) {}
  async open(url: string): Promise<void> {
    this.url = url;
    this.isOpen = true;
    this.log.push(`open ${url}`);
  }
  close(): void {
    if (!this.closed) this.log.push(`close ${this.url}`);
    this.closed = true;
    this.isOpen = false;
  }
  /** Connect (or the network) drops it. */
  drop(): void {
    this.isOpen = false;
    this.events.onClosed('dropped');
  }
}

function item(id: string, ms: number): ConnectItem {
  return { Id: id, Type: 'MESSAGE', AbsoluteTime: new Date(ms).toISOString(), Content: id };
}

function setup(options: { tokenLifeMs?: number; random?: () => number; timing?: Partial<LinkTiming> } = {}) {
  const log: string[] = [];
  const sockets: FakeSocket[] = [];
  const ingested: string[] = [];
  const states: string[] = [];
  const over: boolean[] = [];
  const priorities: UpstreamPriority[] = [];
  let dial = 0;
  const failures: ConnectError[] = [];
  const refreshFailures: ConnectError[] = [];
  const refreshes: number[] = [];
  const backfill: ConnectItem[] = [];
  const host: LinkHost = {
    ingest: (items) => ingested.push(...items.map((i) => i.Id)),
    catchUp: async (promote) => {
      log.push('catch-up');
      const held = promote();
      ingested.push(...[...backfill.splice(0), ...held].map((i) => i.Id));
    },
    linkChanged: (s) => states.push(s),
    chatOver: (gapless) => over.push(gapless),
    tokenChanged: () => undefined,
  };
  const connection = (): ParticipantConnection => {
    dial++;
    return {
      websocketUrl: `ws://socket-${dial}`,
      websocketExpiresAt: new Date(Date.now() + 100_000),
      connectionToken: `token-${dial}`,
      connectionExpiresAt: new Date(Date.now() + (options.tokenLifeMs ?? TOKEN_LIFE_MS)),
    };
  };
  const link = new UpstreamLink({ chatId: 'chat-1', instanceId: 'inst-1', region: 'us-east-1', participantToken: 'p' }, host, {
    port: {
      createConnection: async () => {
        log.push('create');
        const failure = failures.shift();
        if (failure) throw failure;
        return connection();
      },
      refreshConnectionToken: async (): Promise<ConnectionCredentials> => {
        refreshes.push(Date.now());
        const failure = refreshFailures.shift();
        if (failure) throw failure;
        return { connectionToken: `refreshed-${refreshes.length}`, connectionExpiresAt: new Date(Date.now() + (options.tokenLifeMs ?? TOKEN_LIFE_MS)) };
      },
    },
    scheduler: { run: (_i: string, _o: string, priority: UpstreamPriority, call: () => Promise<never>) => (priorities.push(priority), call()) } as never,
    clock: SYSTEM_CLOCK,
    timing: { ...TIMING, ...options.timing },
    openSocket: (events) => {
      const s = new FakeSocket(events, log);
      sockets.push(s);
      return s;
    },
    log: { log: () => undefined, warn: () => undefined },
    random: options.random ?? (() => 0.5),
  });
  return { link, log, sockets, ingested, states, over, failures, refreshFailures, refreshes, backfill, priorities };
}

describe('UpstreamLink', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('links: create, open, catch up, then live', async () => {
    const t = setup();
    await t.link.start();
    expect(t.log).toEqual(['create', 'open ws://socket-1', 'catch-up']);
    expect(t.states).toEqual(['active']);
    expect(t.link.connectionToken).toBe('token-1');
    t.sockets[0]!.events.onItem(item('live-1', 1));
    expect(t.ingested).toEqual(['live-1']);
    t.link.stop();
  });

  it('rotates make-before-break before the interval ends: the old socket stays live until the new one is caught up', async () => {
    const t = setup({ random: () => 0.5 });
    await t.link.start();
    await jest.advanceTimersByTimeAsync(TIMING.rotateMs * 0.95 - 1);
    expect(t.sockets).toHaveLength(1);
    let promoteDuringCatchUp: (() => void) | undefined;
    const gate = new Promise<void>((r) => (promoteDuringCatchUp = r));
    const original = t.log.length;
    // Hold the new socket's catch-up open to look at the overlap.
    t.link['host'].catchUp = async (promote: () => ConnectItem[]) => {
      t.log.push('catch-up');
      t.sockets[0]!.events.onItem(item('on-old', 2));
      t.sockets[1]!.events.onItem(item('on-new', 3));
      await gate;
      t.ingested.push(...promote().map((i) => `held:${i.Id}`));
    };
    await jest.advanceTimersByTimeAsync(1);
    expect(t.log.slice(original)).toEqual(['create', 'open ws://socket-2', 'catch-up']);
    expect(t.sockets[0]!.closed).toBe(false);
    expect(t.ingested).toEqual(['on-old']);
    promoteDuringCatchUp!();
    await jest.advanceTimersByTimeAsync(0);
    expect(t.sockets[0]!.closed).toBe(true);
    expect(t.ingested).toEqual(['on-old', 'held:on-new']);
    expect(t.states).toEqual(['active', 'active']);
    t.sockets[0]!.events.onItem(item('late-on-old', 4));
    expect(t.ingested).not.toContain('late-on-old');
    t.link.stop();
  });

  it('re-dials at once when the socket is lost, then backs off with jitter while Connect fails (429/5xx never fatal)', async () => {
    const t = setup({ random: () => 0.5 });
    await t.link.start();
    t.failures.push(
      new ConnectError('throttled', 'CreateParticipantConnection', 'ThrottlingException', 429),
      new ConnectError('unavailable', 'CreateParticipantConnection', 'InternalServerException', 500),
    );
    t.sockets[0]!.drop();
    expect(t.states).toEqual(['active', 'reconnecting']);
    await jest.advanceTimersByTimeAsync(0);
    expect(t.log.filter((l) => l === 'create')).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(999);
    expect(t.log.filter((l) => l === 'create')).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(1);
    expect(t.log.filter((l) => l === 'create')).toHaveLength(3);
    await jest.advanceTimersByTimeAsync(1999);
    expect(t.log.filter((l) => l === 'create')).toHaveLength(3);
    await jest.advanceTimersByTimeAsync(1);
    expect(t.log.filter((l) => l === 'create')).toHaveLength(4);
    expect(t.states).toEqual(['active', 'reconnecting', 'active']);
    expect(t.link.live).toBe(true);
    t.link.stop();
  });

  it('catches up what the gap missed before going live again', async () => {
    const t = setup();
    await t.link.start();
    t.sockets[0]!.drop();
    t.backfill.push(item('missed', 5));
    await jest.advanceTimersByTimeAsync(0);
    expect(t.ingested).toEqual(['missed']);
    expect(t.states.at(-1)).toBe('active');
    t.link.stop();
  });

  it('takes a 403 on CreateParticipantConnection as the end of the chat', async () => {
    const t = setup();
    await t.link.start();
    t.failures.push(new ConnectError('ended', 'CreateParticipantConnection', 'AccessDeniedException', 403));
    t.sockets[0]!.drop();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(t.over).toEqual([false]);
    expect(t.log.filter((l) => l === 'create')).toHaveLength(2);
  });

  it('refreshes the connection token a margin before it expires, or at half its life when that is shorter', async () => {
    // Every rotation brings a new token too; rotate rarely here to see the refresh on its own.
    const long = setup({ timing: { rotateMs: 10 * TOKEN_LIFE_MS } });
    await long.link.start();
    await jest.advanceTimersByTimeAsync(TOKEN_LIFE_MS - TIMING.tokenRefreshMarginMs - 1);
    expect(long.refreshes).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(long.refreshes).toHaveLength(1);
    expect(long.link.connectionToken).toBe('refreshed-1');
    long.link.stop();

    jest.setSystemTime(0);
    const short = setup({ tokenLifeMs: 20_000 });
    await short.link.start();
    await jest.advanceTimersByTimeAsync(10_000);
    expect(short.refreshes).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(short.refreshes).toHaveLength(2);
    short.link.stop();
  });

  it('retries a failed token refresh with back-off, and a 403 there ends the chat', async () => {
    const t = setup({ tokenLifeMs: 20_000 });
    await t.link.start();
    t.refreshFailures.push(new ConnectError('unavailable', 'CreateParticipantConnection', 'InternalServerException', 500));
    await jest.advanceTimersByTimeAsync(10_000);
    expect(t.refreshes).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1000);
    expect(t.refreshes).toHaveLength(2);
    expect(t.link.connectionToken).toBe('refreshed-2');
    t.refreshFailures.push(new ConnectError('ended', 'CreateParticipantConnection', 'AccessDeniedException', 403));
    await expect(t.link.refreshToken()).resolves.toBe(false);
    // The live socket gets two heartbeats to bring chat.ended itself.
    await jest.advanceTimersByTimeAsync(TIMING.heartbeatMs * 2);
    expect(t.over).toEqual([true]);
  });

  it('a loss during a rotation turns the rotation into the re-dial', async () => {
    const t = setup();
    await t.link.start();
    let release: (() => void) | undefined;
    const gate = new Promise<void>((r) => (release = r));
    t.link['host'].catchUp = async (promote: () => ConnectItem[]) => {
      await gate;
      promote();
    };
    await jest.advanceTimersByTimeAsync(TIMING.rotateMs);
    expect(t.sockets).toHaveLength(2);
    t.sockets[0]!.drop();
    expect(t.states).toEqual(['active', 'reconnecting']);
    release!();
    await jest.advanceTimersByTimeAsync(0);
    expect(t.states).toEqual(['active', 'reconnecting', 'active']);
    expect(t.log.filter((l) => l === 'create')).toHaveLength(2);
    t.link.stop();
  });
});
