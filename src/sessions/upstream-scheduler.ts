import { ConnectError } from '../connect/connect-error.js';
import { ACCOUNT_OPERATIONS } from '../connect/connect-quotas.js';
import type { RateLimit } from '../connect/connect-quotas.js';
import type { Clock } from './clock.js';
import { TokenBucket } from './token-bucket.js';

/** Who waits first when Connect's per-instance quotas are tight (DESIGN.md invariant 6). */
export enum UpstreamPriority {
  CustomerSend = 0,
  ReceiptOrTyping = 1,
  Backfill = 2,
  Redial = 3,
}

const LEVELS = 4;

export interface SchedulerMetrics {
  queued(operation: string, depth: number): void;
  started(operation: string, waitedMs: number): void;
  finished(operation: string, outcome: 'ok' | 'throttled' | 'error'): void;
}

interface Waiter {
  enqueuedAt: number;
  start(): void;
  cancel(err: Error): void;
}

interface Lane {
  operation: string;
  bucket: TokenBucket;
  levels: Waiter[][];
  size: number;
  timer: unknown;
}

/**
 * Every upstream call goes through here. One token bucket per Connect instance and operation (per
 * region for the Connect service's own operations), sized to Connect's published limits; calls
 * waiting for a token leave in priority order (customer sends, receipts and typing, backfill,
 * re-dials), first come first served within a priority. A 429 from Connect empties the bucket.
 */
export class UpstreamScheduler {
  private readonly lanes = new Map<string, Lane>();
  private closed = false;

  constructor(
    private readonly limitOf: (operation: string) => RateLimit,
    private readonly clock: Clock,
    private readonly metrics?: SchedulerMetrics,
  ) {}

  /**
   * `maxWaitMs`: refuse at once (as throttled) when the calls ahead of this one need longer than that
   * at the lane's rate; for callers that would rather answer 429 than keep a request waiting.
   */
  run<T>(instanceId: string, operation: string, priority: UpstreamPriority, call: () => Promise<T>, maxWaitMs?: number): Promise<T> {
    if (this.closed) return Promise.reject(new ConnectError('unavailable', operation, 'ShuttingDown', undefined));
    const lane = this.lane(instanceId, operation);
    if (maxWaitMs !== undefined && this.projectedWaitMs(lane, priority) > maxWaitMs) {
      this.metrics?.finished(operation, 'throttled');
      return Promise.reject(new ConnectError('throttled', operation, 'GatewayQuotaQueueFull', 429));
    }
    return new Promise<T>((resolve, reject) => {
      const enqueuedAt = this.clock.now();
      lane.levels[Math.max(0, Math.min(LEVELS - 1, priority))]!.push({
        enqueuedAt,
        cancel: reject,
        start: () => {
          this.metrics?.started(operation, this.clock.now() - enqueuedAt);
          call().then((value) => {
            this.metrics?.finished(operation, 'ok');
            resolve(value);
          }, (err: unknown) => {
            const throttled = err instanceof ConnectError && err.failure === 'throttled';
            if (throttled) lane.bucket.drain(this.clock.now());
            this.metrics?.finished(operation, throttled ? 'throttled' : 'error');
            reject(err);
          });
        },
      });
      lane.size++;
      this.pump(lane);
    });
  }

  /** Calls waiting for a token (all instances) for `operation`. */
  waiting(operation: string): number {
    let n = 0;
    for (const lane of this.lanes.values()) if (lane.operation === operation) n += lane.size;
    return n;
  }

  /** Rejects everything still waiting (shutdown). */
  close(): void {
    this.closed = true;
    for (const lane of this.lanes.values()) {
      if (lane.timer !== undefined) this.clock.clearTimeout(lane.timer);
      const err = new ConnectError('unavailable', lane.operation, 'ShuttingDown', undefined);
      for (const level of lane.levels) for (const w of level.splice(0)) w.cancel(err);
      lane.size = 0;
    }
  }

  private projectedWaitMs(lane: Lane, priority: UpstreamPriority): number {
    let ahead = 0;
    for (let level = 0; level <= priority && level < LEVELS; level++) ahead += lane.levels[level]!.length;
    return lane.bucket.waitMs(this.clock.now()) + (ahead / lane.bucket.limit.rps) * 1000;
  }

  private lane(instanceId: string, operation: string): Lane {
    const scope = ACCOUNT_OPERATIONS.has(operation) ? 'account' : instanceId;
    const key = `${scope}\u0000${operation}`;
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { operation, bucket: new TokenBucket(this.limitOf(operation), this.clock.now()), levels: Array.from({ length: LEVELS }, () => []), size: 0, timer: undefined };
      this.lanes.set(key, lane);
    }
    return lane;
  }

  private pump(lane: Lane): void {
    while (lane.size > 0 && !this.closed) {
      const now = this.clock.now();
      if (!lane.bucket.tryTake(now)) {
        if (lane.timer === undefined) {
          lane.timer = this.clock.setTimeout(() => {
            lane.timer = undefined;
            this.pump(lane);
          }, Math.max(1, lane.bucket.waitMs(now)));
        }
        break;
      }
      const next = lane.levels.find((level) => level.length > 0)!.shift()!;
      lane.size--;
      next.start();
    }
    this.metrics?.queued(lane.operation, this.waiting(lane.operation));
  }
}
