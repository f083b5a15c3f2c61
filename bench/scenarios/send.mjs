// send: the first browser of each chat sends `chat:send` at a total rate R; reports send → ack latency,
// send → the chat's other browser, and Connect-side arrival (the emulator's AbsoluteTime of the item
// against the wall-clock send time, so millisecond resolution), and that Connect got each message once.
import { Fleet, merge } from '../lib/fleet.mjs';
import { withGatewayStack } from '../lib/stack.mjs';
import { cpuSeconds, percentiles, round } from '../lib/util.mjs';

export const defaults = { chats: 100, browsers: 2, rate: 200, seconds: 10, children: 2, warmup: 2 };
export const full = '--chats 1000 --rate 1000 --seconds 30';

export async function run(opts, log) {
  return withGatewayStack({ chats: opts.chats, cpuProf: opts.cpuProf, gatewayEnv: opts.gatewayEnv }, async ({ emulator, gateway, frontend }) => {
    const fleet = new Fleet(opts.children);
    try {
      await fleet.all('init', { mode: 'gateway', url: gateway.url, emulatorUrl: emulator.url, publicKey: frontend.publicKey }, (i) => ({ child: i }));
      const share = fleet.share(opts.chats);
      const started = merge(await fleet.all('startChats', { concurrency: 8 }, (i) => ({ count: share(i) })));
      const connected = merge(await fleet.all('connect', { perChat: opts.browsers, concurrency: 32 }));
      log(`${started.started} chats, ${connected.connected} browsers (${started.errors + connected.errors} errors)`);
      const perChild = opts.rate / opts.children;
      if (opts.warmup > 0) {
        await fleet.all('customerLoad', { rate: perChild, seconds: opts.warmup, tag: 'warm|' });
        await fleet.all('collect', { timeoutMs: 10_000 });
      }
      const cpu0 = cpuSeconds(gateway.pid);
      const window0 = process.hrtime.bigint() / 1000n;
      const load = merge(await fleet.all('customerLoad', { rate: perChild, seconds: opts.seconds, tag: 'snd|' }));
      const got = merge(await fleet.all('collect', { timeoutMs: 20_000 }));
      const cpu = cpuSeconds(gateway.pid) - cpu0;
      const window1 = process.hrtime.bigint() / 1000n;
      const metrics = await gateway.metrics();
      const result = {
        chats: started.started,
        browsersPerChat: opts.browsers,
        rate: opts.rate,
        seconds: opts.seconds,
        sent: load.sent,
        acked: load.acked,
        ackErrors: load.ackErrors,
        ackErrorCodes: load.errorCodes,
        ackLatencyMs: percentiles(load.acks, [50, 95, 99]),
        otherTabLatencyMs: percentiles(got.latencies, [50, 95, 99]),
        connectArrivalMs: percentiles(load.arrival, [50, 95, 99]),
        arrivedAtConnect: load.onConnect,
        duplicatedAtConnect: load.connectDuplicates,
        otherTabsLost: got.lost,
        otherTabsDuplicated: got.duplicates,
        seqGaps: got.gapErrors,
        cpuSecondsPer1000Sends: load.sent ? round(cpu / (load.sent / 1000), 4) : null,
        eventLoopDelayP99Ms: round(metrics.gateway_nodejs_eventloop_lag_p99_seconds * 1000, 2),
        profileWindowMicros: [Number(window0), Number(window1)],
      };
      const a = result.ackLatencyMs;
      log(`${load.sent} sends at ${opts.rate}/s: acked ${load.acked} (${load.ackErrors} errors ${JSON.stringify(load.errorCodes)}), on Connect ${load.onConnect} (duplicated ${load.connectDuplicates})`);
      log(`send → ack ms p50 ${a.p50} p95 ${a.p95} p99 ${a.p99} max ${a.max}; → Connect p50 ${result.connectArrivalMs.p50} p99 ${result.connectArrivalMs.p99}; ` +
        `→ other tab p50 ${result.otherTabLatencyMs.p50} p99 ${result.otherTabLatencyMs.p99} (lost ${got.lost}, duplicated ${got.duplicates}); ` +
        `CPU ${result.cpuSecondsPer1000Sends} s per 1,000 sends`);
      return result;
    } finally {
      await fleet.stop();
    }
  });
}
