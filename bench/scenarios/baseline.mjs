// baseline: the fanout load through the bare relay (bench/lib/relay.mjs), and the gateway's ratio to it.
// Both are measured in this run: the fanout result of the same invocation is reused when its parameters
// match, otherwise the gateway is measured here too.
import { measureFanout, printFanout } from './fanout.mjs';
import { round } from '../lib/util.mjs';

export { defaults, full } from './fanout.mjs';

export async function run(opts, log, previous) {
  const relay = await measureFanout(opts, 'relay', log);
  printFanout(relay, log);
  const same = (r) => r && r.chats === opts.chats && r.rate === opts.rate && r.seconds === opts.seconds && r.browsersPerChat === opts.browsers;
  let gateway = same(previous.fanout) ? previous.fanout : null;
  if (!gateway) {
    gateway = await measureFanout(opts, 'gateway', log);
    printFanout(gateway, log);
  }
  const ratio = (a, b) => (a !== null && b ? round(a / b, 2) : null);
  const ratios = {
    latencyP50: ratio(gateway.latencyMs.p50, relay.latencyMs.p50),
    latencyP99: ratio(gateway.latencyMs.p99, relay.latencyMs.p99),
    cpuPerItem: ratio(gateway.cpuSecondsPer1000Items, relay.cpuSecondsPer1000Items),
    cpuPerItemWithPostgres: ratio(gateway.cpuSecondsPer1000Items + (gateway.postgresCpuSecondsPer1000Items ?? 0), relay.cpuSecondsPer1000Items),
  };
  log(`gateway / relay: latency p50 ×${ratios.latencyP50}, p99 ×${ratios.latencyP99}, CPU per item ×${ratios.cpuPerItem} ` +
    `(×${ratios.cpuPerItemWithPostgres} counting Postgres)`);
  return { relay, gateway, ratios };
}
