// fanout (the gateway) and the same load through the bare relay (baseline): M chats with B browsers each,
// agents sending R items/s in total for S seconds. Latency is agent send → browser `chat:item`, measured
// in the load generator that sent it; CPU is read from /proc/<pid>/stat of the server process.
import { clearInterval, setInterval } from 'node:timers';
import pg from 'pg';
import { Fleet, merge, startRelay } from '../lib/fleet.mjs';
import path from 'node:path';
import { backendCpu, perfRecord, ROOT, startEmulator, withGatewayStack } from '../lib/stack.mjs';
import { cpuSeconds, cpuSplit, MiB, percentiles, round, rssBytes, threadCpu, threadCpuSince } from '../lib/util.mjs';

export const defaults = { chats: 200, rate: 1000, seconds: 15, browsers: 2, children: 4, warmup: 3 };
export const full = '--chats 1000 --rate 1000 --seconds 30';

/** Runs the fanout load against the gateway (`target: 'gateway'`) or the bare relay (`'relay'`). */
export async function measureFanout(opts, target, log) {
  const run = async ({ url, pid, emulatorUrl, publicKey, database, gateway }) => {
    const fleet = new Fleet(opts.children);
    try {
      await fleet.all('init', { mode: target, url, emulatorUrl, publicKey }, (i) => ({ child: i }));
      const share = fleet.share(opts.chats);
      const started = merge(await fleet.all('startChats', { concurrency: 8 }, (i) => ({ count: share(i) })));
      log(`${target}: ${started.started} chats started (${started.errors} errors${started.firstError ? `: ${started.firstError}` : ''})`);
      const joined = merge(await fleet.all('joinAgents', { concurrency: 16 }));
      const connected = merge(await fleet.all('connect', { perChat: opts.browsers, concurrency: 32 }));
      log(`${target}: ${connected.connected} browsers connected (${connected.errors} errors), ${joined.joined} agents joined`);
      const perChild = opts.rate / opts.children;
      if (opts.warmup > 0) {
        await fleet.all('agentLoad', { rate: perChild, seconds: opts.warmup, tag: 'warm|' });
        await fleet.all('collect', { timeoutMs: 10_000 });
      }
      const metricsBefore = gateway ? await gateway.metrics() : null;
      const pgMeter = database ? await backendCpu(database.name) : null;
      const cpu0 = cpuSeconds(pid);
      const split0 = cpuSplit(pid);
      const threads0 = threadCpu(pid);
      const t0 = Date.now();
      const window0 = process.hrtime.bigint() / 1000n;
      const stopPerf = opts.perf ? perfRecord(pid, path.join(ROOT, 'bench/results/profiles', `${target}-${Date.now()}.perf.data`)) : null;
      let rssMax = 0;
      const rssTimer = setInterval(() => (rssMax = Math.max(rssMax, rssBytes(pid))), 1000);
      const load = merge(await fleet.all('agentLoad', { rate: perChild, seconds: opts.seconds, tag: 'fo|' }));
      const got = merge(await fleet.all('collect', { timeoutMs: 20_000 }));
      clearInterval(rssTimer);
      const perfReport = stopPerf ? await stopPerf() : undefined;
      const window1 = process.hrtime.bigint() / 1000n;
      const wall = (Date.now() - t0) / 1000;
      const cpu = cpuSeconds(pid) - cpu0;
      const split1 = cpuSplit(pid);
      const threads = threadCpuSince(threads0, threadCpu(pid));
      const pgCpu = pgMeter ? await pgMeter.stop() : 0;
      const metricsAfter = gateway ? await gateway.metrics() : null;
      let stored = null;
      if (database) {
        const client = new pg.Client({ connectionString: database.url });
        await client.connect();
        stored = Number((await client.query("SELECT count(*) FROM chat_items WHERE content LIKE 'fo|%'")).rows[0].count);
        await client.end();
      }
      const status = merge(await fleet.all('status'));
      const per1000 = load.sent ? cpu / (load.sent / 1000) : null;
      return {
        target,
        chats: started.started,
        browsersPerChat: opts.browsers,
        rate: opts.rate,
        seconds: opts.seconds,
        sent: load.sent,
        sendErrors: load.sendErrors,
        achievedRate: round(load.sent / (load.ms / 1000 / opts.children), 0),
        expectedDeliveries: got.expectedDeliveries,
        delivered: got.delivered,
        lost: got.lost,
        duplicated: got.duplicates,
        seqGaps: got.gapErrors,
        unexpected: got.unexpected,
        disconnects: status.disconnects,
        latencyMs: percentiles(got.latencies, [50, 95, 99]),
        fromConnectTimeMs: percentiles(got.fromConnect, [50, 99]),
        cpuSeconds: round(cpu, 2),
        cpuSecondsPer1000Items: round(per1000, 4),
        cpuUtilisation: round(cpu / wall, 3),
        cpuSystemShare: cpu ? round((split1.system - split0.system) / cpu, 2) : null,
        cpuSecondsByThread: threads,
        postgresCpuSeconds: database ? round(pgCpu, 2) : undefined,
        postgresCpuSecondsPer1000Items: database && load.sent ? round(pgCpu / (load.sent / 1000), 4) : undefined,
        storedItems: stored ?? undefined,
        rssMaxMiB: round(rssMax / MiB, 1),
        eventLoopDelayP99Ms: metricsAfter ? round(metricsAfter.gateway_nodejs_eventloop_lag_p99_seconds * 1000, 2) : undefined,
        eventLoopDelayMaxMs: metricsAfter ? round(metricsAfter.gateway_nodejs_eventloop_lag_max_seconds * 1000, 2) : undefined,
        profileWindowMicros: [Number(window0), Number(window1)],
        perfReport: perfReport ? path.relative(ROOT, perfReport) : undefined,
        flushes: metricsAfter && metricsBefore ? metricsAfter.gateway_item_flush_size_count - metricsBefore.gateway_item_flush_size_count : undefined,
        // What else happened meanwhile: failed group commits (retried) and upstream re-dials.
        itemWriteErrors: metricsAfter && metricsBefore ? (metricsAfter.gateway_item_write_errors_total ?? 0) - (metricsBefore.gateway_item_write_errors_total ?? 0) : undefined,
        upstreamReconnects: metricsAfter && metricsBefore ? (metricsAfter.gateway_upstream_reconnects_total ?? 0) - (metricsBefore.gateway_upstream_reconnects_total ?? 0) : undefined,
        deliveriesOver1s: got.latencies.filter((ms) => ms > 1000).length,
        gcPauses: metricsAfter && metricsBefore ? gcPauses(metricsBefore, metricsAfter) : undefined,
        commitsByDuration: metricsAfter && metricsBefore ? commitsByDuration(metricsBefore, metricsAfter) : undefined,
      };
    } finally {
      await fleet.stop();
    }
  };

  if (target === 'gateway') {
    return withGatewayStack({ chats: opts.chats, cpuProf: opts.cpuProf, perf: opts.perf, gatewayEnv: opts.gatewayEnv }, ({ database, emulator, gateway, frontend }) =>
      run({ url: gateway.url, pid: gateway.pid, emulatorUrl: emulator.url, publicKey: frontend.publicKey, database, gateway }));
  }
  const emulator = await startEmulator({ chats: opts.chats * 3 + 100 });
  try {
    const relay = await startRelay(emulator.url, { cpuProf: opts.cpuProf, perf: opts.perf });
    try {
      return await run({ url: relay.url, pid: relay.pid, emulatorUrl: emulator.url });
    } finally {
      await relay.stop();
    }
  } finally {
    await emulator.stop();
  }
}

/** Garbage-collection pauses during the window, per kind (prom-client's `nodejs_gc_duration_seconds`). */
function gcPauses(before, after) {
  const out = {};
  for (const kind of ['minor', 'major', 'incremental', 'weakcb']) {
    const key = (suffix, extra = '') => `gateway_nodejs_gc_duration_seconds_${suffix}{${extra}kind="${kind}"}`;
    const diff = (k) => (after[k] ?? 0) - (before[k] ?? 0);
    const count = diff(key('count'));
    if (!count) continue;
    out[kind] = { count, seconds: round(diff(key('sum')), 3), over10ms: count - diff(key('bucket', 'le="0.01",')) };
  }
  return out;
}

/** How many group commits took at most each bucket's duration during the window (cumulative). */
function commitsByDuration(before, after) {
  const out = {};
  for (const le of ['0.001', '0.002', '0.005', '0.01', '0.02', '0.05', '+Inf']) {
    const k = `gateway_item_commit_seconds_bucket{le="${le}"}`;
    out[le === '+Inf' ? 'all' : `le${Number(le) * 1000}ms`] = (after[k] ?? 0) - (before[k] ?? 0);
  }
  return out;
}

export function printFanout(r, log) {
  const l = r.latencyMs;
  log(`${r.target}: ${r.sent} items at ${r.achievedRate}/s to ${r.chats} chats × ${r.browsersPerChat} browsers; ` +
    `delivered ${r.delivered}/${r.expectedDeliveries}, lost ${r.lost}, duplicated ${r.duplicated}, seq gaps ${r.seqGaps}`);
  log(`${r.target}: latency ms p50 ${l.p50}  p95 ${l.p95}  p99 ${l.p99}  max ${l.max}   ` +
    `CPU ${r.cpuSeconds} s = ${r.cpuSecondsPer1000Items} s per 1,000 items` +
    (r.postgresCpuSeconds !== undefined ? `  (+ Postgres ${r.postgresCpuSecondsPer1000Items} s per 1,000)` : '') +
    (r.eventLoopDelayP99Ms !== undefined ? `   event-loop delay p99 ${r.eventLoopDelayP99Ms} ms` : ''));
  if (r.gcPauses) log(`${r.target}: GC pauses ${Object.entries(r.gcPauses).map(([k, g]) => `${k} ${g.count}× ${g.seconds} s (${g.over10ms} over 10 ms)`).join(', ')}`);
  if (r.commitsByDuration) log(`${r.target}: group commits by duration (cumulative) ${JSON.stringify(r.commitsByDuration)}`);
  log(`${r.target}: CPU s by thread ${Object.entries(r.cpuSecondsByThread).map(([n, s]) => `${n} ${s}`).join(', ')}; system share ${r.cpuSystemShare}`);
}

export async function run(opts, log) {
  const result = await measureFanout(opts, 'gateway', log);
  printFanout(result, log);
  return result;
}
