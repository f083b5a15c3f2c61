// replay: K browsers (B per chat) are live, all disconnect, agents post G items into every chat meanwhile
// (stored by the gateway), then every browser reconnects at the same moment with its `lastSeq`. Reports
// the time until every browser has exactly its gap (seq lastSeq+1 … lastSeq+G, each once, in order).
import pg from 'pg';
import { Fleet, merge } from '../lib/fleet.mjs';
import { withGatewayStack } from '../lib/stack.mjs';
import { cpuSeconds, percentiles, round, sleep, until } from '../lib/util.mjs';

export const defaults = { browsers: 2000, perChat: 2, gap: 5, rate: 2000, children: 4 };
export const full = '--browsers 10000';

export async function run(opts, log) {
  const chats = Math.ceil(opts.browsers / opts.perChat);
  return withGatewayStack({ chats, cpuProf: opts.cpuProf, gatewayEnv: opts.gatewayEnv }, async ({ database, emulator, gateway, frontend }) => {
    const fleet = new Fleet(opts.children);
    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    try {
      await fleet.all('init', { mode: 'gateway', url: gateway.url, emulatorUrl: emulator.url, publicKey: frontend.publicKey }, (i) => ({ child: i }));
      const share = fleet.share(chats);
      const started = merge(await fleet.all('startChats', { concurrency: 8 }, (i) => ({ count: share(i) })));
      await fleet.all('joinAgents', { concurrency: 16 });
      const connected = merge(await fleet.all('connect', { perChat: opts.perChat, concurrency: 64 }));
      log(`${started.started} chats, ${connected.connected} browsers live (${started.errors + connected.errors} errors${started.firstError ? `: ${started.firstError}` : ''})`);
      // One live message per chat, so every browser's cursor is current before it goes away.
      await fleet.all('agentLoad', { rate: opts.rate / opts.children, tag: 'live|' }, (i) => ({ count: share(i) }));
      await fleet.all('collect', { timeoutMs: 30_000 });

      const gone = merge(await fleet.all('disconnectAll'));
      await sleep(1000);
      const load = merge(await fleet.all('agentLoad', { rate: opts.rate / opts.children, tag: 'rp|', sequentialPerChat: true }, (i) => ({ count: share(i) * opts.gap })));
      await until(async () => Number((await db.query("SELECT count(*) FROM chat_items WHERE content LIKE 'rp|%'")).rows[0].count) >= load.sent,
        'the gap to be stored', 120_000, 200);
      log(`${gone.disconnected} browsers disconnected; ${load.sent} items stored meanwhile (${opts.gap} per chat); reconnecting all at once`);

      await gateway.metrics();
      const cpu0 = cpuSeconds(gateway.pid);
      const at = Date.now() + 1000;
      const window0 = process.hrtime.bigint() / 1000n + 1_000_000n;
      const parts = await fleet.all('reconnectAll', { at, timeoutMs: 120_000 });
      const window1 = process.hrtime.bigint() / 1000n;
      const cpu = cpuSeconds(gateway.pid) - cpu0;
      const metrics = await gateway.metrics();
      const r = merge(parts);
      const allDone = parts.some((p) => p.allDoneMs === null && p.browsers) ? null : Math.max(...parts.map((p) => p.allDoneMs ?? 0));
      const result = {
        browsers: r.browsers,
        chats: started.started,
        gapPerBrowser: opts.gap,
        allReconnectedWithGapSeconds: allDone === null ? null : round(allDone / 1000, 2),
        perBrowserMs: percentiles(r.times, [50, 95, 99]),
        exact: r.exact,
        wrong: r.wrong,
        incomplete: r.incomplete,
        connectErrors: r.connectErrors,
        ...(({ duplicates, connectErrorReasons }) => ({ duplicates, connectErrorReasons }))(merge(await fleet.all('status'))),
        chatStartErrors: started.errors,
        gatewayCpuSeconds: round(cpu, 2),
        gatewayCpuMsPerBrowser: r.browsers ? round((cpu * 1000) / r.browsers, 2) : null,
        profileWindowMicros: [Number(window0), Number(window1)],
        eventLoopDelayP99Ms: round(metrics.gateway_nodejs_eventloop_lag_p99_seconds * 1000, 2),
        eventLoopDelayMaxMs: round(metrics.gateway_nodejs_eventloop_lag_max_seconds * 1000, 2),
      };
      log(`${r.browsers} browsers reconnected: all had their exact gap after ${result.allReconnectedWithGapSeconds} s ` +
        `(per browser p50 ${result.perBrowserMs.p50} ms, p99 ${result.perBrowserMs.p99} ms); exact ${r.exact}, wrong ${r.wrong}, ` +
        `incomplete ${r.incomplete}, connect errors ${r.connectErrors}; gateway CPU ${result.gatewayCpuSeconds} s, event-loop delay max ${result.eventLoopDelayMaxMs} ms`);
      return result;
    } finally {
      await db.end();
      await fleet.stop();
    }
  });
}
