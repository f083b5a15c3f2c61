import type { MetricsService } from '../health/metrics.service.js';
import type { SchedulerMetrics } from './upstream-scheduler.js';

/** Prometheus instruments of the owner side's upstream traffic. */
export function schedulerMetrics(metrics: MetricsService): SchedulerMetrics {
  const calls = metrics.counter('gateway_upstream_calls_total', 'Calls to Connect by operation and outcome (ok, throttled, error)', ['operation', 'outcome']);
  const queued = metrics.gauge('gateway_upstream_queued', 'Calls waiting for a token of Connect\'s rate limits', ['operation']);
  const wait = metrics.histogram('gateway_upstream_wait_seconds', 'Time calls waited for a rate-limit token', [0.01, 0.1, 0.5, 1, 5, 15, 60, 300], ['operation']);
  return {
    queued: (operation, depth) => queued.set({ operation }, depth),
    started: (operation, waitedMs) => wait.observe({ operation }, waitedMs / 1000),
    finished: (operation, outcome) => calls.inc({ operation, outcome }),
  };
}

export interface LinkCounters {
  reconnected(): void;
  rotated(): void;
  tokenRefreshed(): void;
  shed(): void;
}

export function linkCounters(metrics: MetricsService): LinkCounters {
  const reconnects = metrics.counter('gateway_upstream_reconnects_total', 'Upstream sockets re-dialled after a loss and caught up');
  const rotations = metrics.counter('gateway_upstream_rotations_total', 'Make-before-break socket rotations');
  const refreshes = metrics.counter('gateway_upstream_token_refreshes_total', 'Connection tokens refreshed before expiry (or after a 403)');
  const shed = metrics.counter('gateway_items_shed_total', 'Live items dropped while the write backlog was full (fetched from Connect again later)');
  return {
    reconnected: () => reconnects.inc(),
    rotated: () => rotations.inc(),
    tokenRefreshed: () => refreshes.inc(),
    shed: () => shed.inc(),
  };
}
