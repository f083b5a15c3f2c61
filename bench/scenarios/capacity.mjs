// capacity: N chats, each with its upstream participant socket and B browser sockets, held H seconds with
// heartbeats flowing (the gateway's upstream keepalive every 10 s, Socket.IO pings every 25 s). At the end
// every chat is probed with one agent message: a chat is held when all its browsers receive it.
import { clearInterval, setInterval } from 'node:timers';
import { Fleet, merge } from '../lib/fleet.mjs';
import { withGatewayStack } from '../lib/stack.mjs';
import { MiB, percentiles, round, rssBytes, sleep } from '../lib/util.mjs';

export const defaults = { chats: 1000, browsers: 2, hold: 20, children: 4, rate: 1000 };
export const full = '--chats 5000 --hold 60';

export async function run(opts, log) {
  return withGatewayStack({ chats: opts.chats, cpuProf: opts.cpuProf, gatewayEnv: opts.gatewayEnv }, async ({ emulator, gateway, frontend }) => {
    const fleet = new Fleet(opts.children);
    try {
      await fleet.all('init', { mode: 'gateway', url: gateway.url, emulatorUrl: emulator.url, publicKey: frontend.publicKey }, (i) => ({ child: i }));
      await sleep(1000);
      const idle = { rss: rssBytes(gateway.pid), metrics: await gateway.metrics() };
      const share = fleet.share(opts.chats);
      const started = merge(await fleet.all('startChats', { concurrency: 8 }, (i) => ({ count: share(i) })));
      log(`${started.started} chats started in ${round(started.ms / opts.children / 1000, 1)} s (${started.errors} errors${started.firstError ? `: ${started.firstError}` : ''})`);
      const joined = merge(await fleet.all('joinAgents', { concurrency: 16 }));
      const connected = merge(await fleet.all('connect', { perChat: opts.browsers, concurrency: 64 }));
      log(`${connected.connected} browsers connected in ${round(connected.ms / opts.children / 1000, 1)} s (${connected.errors} errors); holding ${opts.hold} s`);

      await gateway.metrics(); // resets the event-loop delay histogram: what follows is the hold alone
      const samples = [];
      const sampler = setInterval(() => samples.push(rssBytes(gateway.pid)), 1000);
      await sleep(opts.hold * 1000);
      clearInterval(sampler);
      const held = await gateway.metrics();
      const rssHeld = rssBytes(gateway.pid);
      const statusHeld = merge(await fleet.all('status'));
      const emulatorStats = await (await fetch(`${emulator.url}/emulator/stats`)).json();

      // Probe: one agent message into every chat; a chat is held when each of its browsers gets it.
      await fleet.all('agentLoad', { rate: opts.rate / opts.children, tag: 'cap|' }, (i) => ({ count: share(i) }));
      const probe = merge(await fleet.all('collect', { timeoutMs: 30_000 }));
      const status = merge(await fleet.all('status'));

      const chats = started.started;
      const result = {
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
        browsersConnectedAfterHold: statusHeld.connected,
        upstreamSocketsAtEmulator: emulatorStats.sockets,
        chatsOwned: held.gateway_chats_owned,
        gatewayRssIdleMiB: round(idle.rss / MiB, 1),
        gatewayRssMiB: round(rssHeld / MiB, 1),
        gatewayRssMaxMiB: round(Math.max(...samples, rssHeld) / MiB, 1),
        gatewayHeapUsedMiB: round(held.gateway_nodejs_heap_size_used_bytes / MiB, 1),
        gatewayHeapTotalMiB: round(held.gateway_nodejs_heap_size_total_bytes / MiB, 1),
        gatewayExternalMiB: round(held.gateway_nodejs_external_memory_bytes / MiB, 1),
        rssPerChatKiB: chats ? round((rssHeld - idle.rss) / chats / 1024, 1) : null,
        heapPerChatKiB: chats ? round((held.gateway_nodejs_heap_size_used_bytes - idle.metrics.gateway_nodejs_heap_size_used_bytes) / chats / 1024, 1) : null,
        eventLoopDelayP99Ms: round(held.gateway_nodejs_eventloop_lag_p99_seconds * 1000, 2),
        eventLoopDelayMaxMs: round(held.gateway_nodejs_eventloop_lag_max_seconds * 1000, 2),
        probeLatencyMs: percentiles(probe.latencies, [50, 99]),
        setupSeconds: { chats: round(started.ms / opts.children / 1000, 1), browsers: round(connected.ms / opts.children / 1000, 1) },
        loadGeneratorRssMiB: round(status.rss / MiB, 1),
      };
      log(`held ${result.chatsHeld}/${opts.chats} chats (${chats} × (1 upstream + ${opts.browsers} browsers)); errors ${JSON.stringify(result.errors)}`);
      log(`gateway RSS ${result.gatewayRssMiB} MiB (idle ${result.gatewayRssIdleMiB}, max ${result.gatewayRssMaxMiB}), heap used ${result.gatewayHeapUsedMiB} MiB, ` +
        `${result.rssPerChatKiB} KiB RSS per chat, event-loop delay p99 ${result.eventLoopDelayP99Ms} ms (max ${result.eventLoopDelayMaxMs})`);
      return result;
    } finally {
      await fleet.stop();
    }
  });
}
