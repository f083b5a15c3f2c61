// capacity: N chats, each with its upstream participant socket and B browser sockets, held H seconds with
// heartbeats flowing (the gateway's upstream keepalive every 10 s, Socket.IO pings every 25 s). At the end
// every chat is probed with one agent message: a chat is held when all its browsers receive it.
// `--relay true` also holds the same chats through the bare relay, for its RSS per chat.
import path from 'node:path';
import { clearInterval, setInterval } from 'node:timers';
import { Fleet, merge, startRelay } from '../lib/fleet.mjs';
import { ROOT, startEmulator, withGatewayStack } from '../lib/stack.mjs';
import { MiB, percentiles, round, rssBytes, sleep } from '../lib/util.mjs';

export const defaults = { chats: 1000, browsers: 2, hold: 20, children: 4, rate: 1000, relay: false };
export const full = '--chats 5000 --hold 60 --relay true';

/** Opens, holds and probes the chats against one server process; `metrics` only for the gateway. */
async function hold(opts, log, { mode, url, pid, emulatorUrl, publicKey, metrics, heapSnapshot }) {
  const fleet = new Fleet(opts.children);
  try {
    await fleet.all('init', { mode, url, emulatorUrl, publicKey }, (i) => ({ child: i }));
    await sleep(1000);
    const idleRss = rssBytes(pid);
    const idleMetrics = metrics ? await metrics() : null;
    const share = fleet.share(opts.chats);
    const started = merge(await fleet.all('startChats', { concurrency: 8 }, (i) => ({ count: share(i) })));
    log(`${mode}: ${started.started} chats started in ${round(started.ms / opts.children / 1000, 1)} s ` +
      `(${started.errors} errors${started.firstError ? `: ${started.firstError}` : ''}${started.slowStarts ? `, ${started.slowStarts} answered "starting"` : ''})`);
    const joined = merge(await fleet.all('joinAgents', { concurrency: 16 }));
    const connected = merge(await fleet.all('connect', { perChat: opts.browsers, concurrency: 64 }));
    log(`${mode}: ${connected.connected} browsers connected in ${round(connected.ms / opts.children / 1000, 1)} s (${connected.errors} errors); holding ${opts.hold} s`);

    if (metrics) await metrics(); // resets the event-loop delay histogram: what follows is the hold alone
    const samples = [];
    const sampler = setInterval(() => samples.push(rssBytes(pid)), 1000);
    await sleep(opts.hold * 1000);
    clearInterval(sampler);
    const held = metrics ? await metrics() : null;
    const rssHeld = rssBytes(pid);
    const statusHeld = merge(await fleet.all('status'));
    const emulatorStats = await (await fetch(`${emulatorUrl}/emulator/stats`)).json();
    // A snapshot stops the process for seconds: the browsers time out, so nothing after it counts.
    const snapshot = heapSnapshot ? path.relative(ROOT, await heapSnapshot()) : undefined;
    if (snapshot) log(`heap snapshot: ${snapshot} (node bench/heap-summary.mjs ${snapshot}); the probe after it is void`);

    // Probe: one agent message into every chat; a chat is held when each of its browsers gets it.
    await fleet.all('agentLoad', { rate: opts.rate / opts.children, tag: 'cap|' }, (i) => ({ count: share(i) }));
    const probe = merge(await fleet.all('collect', { timeoutMs: 30_000 }));
    const status = merge(await fleet.all('status'));
    const chats = started.started;
    const result = {
      target: mode,
      chats: opts.chats,
      chatsStarted: chats,
      chatsHeld: probe.chatsComplete,
      browsersPerChat: opts.browsers,
      holdSeconds: opts.hold,
      errors: {
        chatStarts: started.errors,
        agentJoins: joined.errors,
        browserConnects: connected.errors,
        browserDisconnects: status.disconnects,
        probeLost: probe.lost,
        probeDuplicated: probe.duplicates,
      },
      slowStarts: started.slowStarts,
      browsersConnectedAfterHold: statusHeld.connected,
      upstreamSocketsAtEmulator: emulatorStats.sockets,
      rssIdleMiB: round(idleRss / MiB, 1),
      rssMiB: round(rssHeld / MiB, 1),
      rssMaxMiB: round(Math.max(...samples, rssHeld) / MiB, 1),
      rssPerChatKiB: chats ? round((rssHeld - idleRss) / chats / 1024, 1) : null,
      probeLatencyMs: percentiles(probe.latencies, [50, 99]),
      setupSeconds: { chats: round(started.ms / opts.children / 1000, 1), browsers: round(connected.ms / opts.children / 1000, 1) },
      loadGeneratorRssMiB: round(status.rss / MiB, 1),
      heapSnapshot: snapshot,
    };
    if (held) {
      Object.assign(result, {
        chatsOwned: held.gateway_chats_owned,
        heapUsedMiB: round(held.gateway_nodejs_heap_size_used_bytes / MiB, 1),
        heapTotalMiB: round(held.gateway_nodejs_heap_size_total_bytes / MiB, 1),
        externalMiB: round(held.gateway_nodejs_external_memory_bytes / MiB, 1),
        heapPerChatKiB: chats ? round((held.gateway_nodejs_heap_size_used_bytes - idleMetrics.gateway_nodejs_heap_size_used_bytes) / chats / 1024, 1) : null,
        eventLoopDelayP99Ms: round(held.gateway_nodejs_eventloop_lag_p99_seconds * 1000, 2),
        eventLoopDelayMaxMs: round(held.gateway_nodejs_eventloop_lag_max_seconds * 1000, 2),
      });
    }
    log(`${mode}: held ${result.chatsHeld}/${opts.chats} chats (${chats} × (1 upstream + ${opts.browsers} browsers)); errors ${JSON.stringify(result.errors)}`);
    log(`${mode}: RSS ${result.rssMiB} MiB (idle ${result.rssIdleMiB}, max ${result.rssMaxMiB}), ${result.rssPerChatKiB} KiB RSS per chat` +
      (held ? `, heap used ${result.heapUsedMiB} MiB, event-loop delay p99 ${result.eventLoopDelayP99Ms} ms (max ${result.eventLoopDelayMaxMs})` : ''));
    return result;
  } finally {
    await fleet.stop();
  }
}

export async function run(opts, log) {
  const gateway = await withGatewayStack({ chats: opts.chats, cpuProf: opts.cpuProf, heapSnapshot: opts.heapSnapshot, gatewayEnv: opts.gatewayEnv },
    ({ emulator, gateway: gw, frontend }) => hold(opts, log, {
      mode: 'gateway', url: gw.url, pid: gw.pid, emulatorUrl: emulator.url, publicKey: frontend.publicKey, metrics: () => gw.metrics(),
      heapSnapshot: opts.heapSnapshot ? () => gw.heapSnapshot(path.join(ROOT, 'bench/results/profiles', `capacity-${Date.now()}.heapsnapshot`)) : undefined,
    }));
  if (!opts.relay || opts.relay === 'false') return gateway;
  const emulator = await startEmulator({ chats: opts.chats * 3 + 100 });
  try {
    const relay = await startRelay(emulator.url);
    try {
      const bare = await hold(opts, log, { mode: 'relay', url: relay.url, pid: relay.pid, emulatorUrl: emulator.url });
      const ratio = gateway.rssPerChatKiB && bare.rssPerChatKiB ? round(gateway.rssPerChatKiB / bare.rssPerChatKiB, 2) : null;
      log(`gateway / relay: RSS per chat ×${ratio}`);
      return { ...gateway, relay: bare, rssPerChatRatioToRelay: ratio };
    } finally {
      await relay.stop();
    }
  } finally {
    await emulator.stop();
  }
}
