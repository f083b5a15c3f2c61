import { jest } from '@jest/globals';
import { ConnectError } from '../connect/connect-error.js';
import { effectiveLimits } from '../connect/connect-quotas.js';
import { SYSTEM_CLOCK } from './clock.js';
import { UpstreamPriority, UpstreamScheduler } from './upstream-scheduler.js';

describe('UpstreamScheduler', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  const scheduler = (rps = 2, burst = 3) => new UpstreamScheduler(() => ({ rps, burst }), SYSTEM_CLOCK);

  function track(s: UpstreamScheduler, label: string, started: string[], priority = UpstreamPriority.Redial, instance = 'inst-1', op = 'CreateParticipantConnection') {
    return s.run(instance, op, priority, async () => {
      started.push(label);
      return label;
    });
  }

  it('lets the burst through at once and paces the rest at rps', async () => {
    const s = scheduler(2, 3);
    const started: string[] = [];
    const all = Array.from({ length: 7 }, (_, i) => track(s, `c${i}`, started));
    await Promise.resolve();
    expect(started).toEqual(['c0', 'c1', 'c2']);
    await jest.advanceTimersByTimeAsync(500);
    expect(started).toHaveLength(4);
    await jest.advanceTimersByTimeAsync(1500);
    expect(started).toHaveLength(7);
    await expect(Promise.all(all)).resolves.toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6']);
  });

  it('serves waiting calls by priority: customer sends, receipts and typing, backfill, re-dials', async () => {
    const s = scheduler(1, 1);
    const started: string[] = [];
    void track(s, 'first', started);
    void track(s, 'redial', started, UpstreamPriority.Redial);
    void track(s, 'backfill', started, UpstreamPriority.Backfill);
    void track(s, 'typing', started, UpstreamPriority.ReceiptOrTyping);
    void track(s, 'send', started, UpstreamPriority.CustomerSend);
    void track(s, 'send2', started, UpstreamPriority.CustomerSend);
    await jest.advanceTimersByTimeAsync(5000);
    expect(started).toEqual(['first', 'send', 'send2', 'typing', 'backfill', 'redial']);
  });

  it('keeps one bucket per instance and operation, and one per account for the Connect service', async () => {
    const s = scheduler(1, 1);
    const started: string[] = [];
    void track(s, 'a-create', started, UpstreamPriority.Redial, 'inst-a');
    void track(s, 'b-create', started, UpstreamPriority.Redial, 'inst-b');
    void track(s, 'a-send', started, UpstreamPriority.Redial, 'inst-a', 'SendMessage');
    void track(s, 'a-start', started, UpstreamPriority.Redial, 'inst-a', 'StartChatContact');
    void track(s, 'b-start', started, UpstreamPriority.Redial, 'inst-b', 'StartChatContact');
    await Promise.resolve();
    expect(started).toEqual(['a-create', 'b-create', 'a-send', 'a-start']);
    await jest.advanceTimersByTimeAsync(1000);
    expect(started).toContain('b-start');
  });

  it('empties the bucket when Connect throttles anyway', async () => {
    const s = scheduler(1, 5);
    const started: string[] = [];
    const throttled = s.run('inst-1', 'GetTranscript', UpstreamPriority.Backfill, async () => {
      throw new ConnectError('throttled', 'GetTranscript', 'ThrottlingException', 429);
    });
    await expect(throttled).rejects.toMatchObject({ failure: 'throttled' });
    void track(s, 'after', started, UpstreamPriority.Backfill, 'inst-1', 'GetTranscript');
    await Promise.resolve();
    expect(started).toEqual([]);
    await jest.advanceTimersByTimeAsync(1000);
    expect(started).toEqual(['after']);
  });

  it('refuses at once, as throttled, a call that would wait longer than it may', async () => {
    const s = scheduler(2, 1);
    const started: string[] = [];
    for (let i = 0; i < 5; i++) void track(s, `queued ${i}`, started);
    // One started, four wait: the next would wait about 2 s.
    await expect(s.run('inst-1', 'CreateParticipantConnection', UpstreamPriority.Redial, async () => 'late', 1000))
      .rejects.toMatchObject({ failure: 'throttled' });
    const jumping = s.run('inst-1', 'CreateParticipantConnection', UpstreamPriority.CustomerSend, async () => 'first', 1000);
    await jest.advanceTimersByTimeAsync(3000);
    await expect(jumping).resolves.toBe('first');
    expect(started).toHaveLength(5);
  });

  it('rejects what is still waiting when closed', async () => {
    const s = scheduler(1, 1);
    const started: string[] = [];
    void track(s, 'first', started);
    const waiting = track(s, 'second', started);
    s.close();
    await expect(waiting).rejects.toMatchObject({ failure: 'unavailable' });
    await expect(track(s, 'late', started)).rejects.toBeInstanceOf(ConnectError);
    expect(started).toEqual(['first']);
  });

  it('paces to a fraction of the published limits, with overrides', () => {
    const limits = effectiveLimits({ SendMessage: { rps: 100, burst: 150 } }, 0.9);
    expect(limits('CreateParticipantConnection')).toEqual({ rps: 6 * 0.9, burst: 8 });
    expect(limits('SendMessage')).toEqual({ rps: 90, burst: 135 });
    expect(limits('DescribeView')).toEqual({ rps: 1.8, burst: 4 });
  });
});
