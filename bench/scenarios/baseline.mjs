// baseline: the fanout load through the bare relay (bench/lib/relay.mjs), and the gateway's ratio to it.
// Both are measured in this run: the fanout result of the same invocation is reused when its parameters
// match, otherwise the gateway is measured here too. `--rounds N` alternates relay and gateway N times
// and compares medians (a shared machine's noise moves single runs a lot).
import { defaults as fanoutDefaults, full as fanoutFull, measureFanout, printFanout } from './fanout.mjs';
import { round } from '../lib/util.mjs';

export const defaults = { ...fanoutDefaults, rounds: 1 };
export const full = `${fanoutFull} --rounds 3`;

const median = (values) => {
  const v = values.filter((x) => x !== null && x !== undefined).sort((a, b) => a - b);
  return v.length ? (v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2) : null;
};

/** The median run's figures, by each figure separately. */
function summary(runs) {
  if (runs.length === 1) return runs[0];
  return {
    ...runs[0],
    rounds: runs.length,
    latencyMs: Object.fromEntries(['p50', 'p95', 'p99', 'max', 'mean'].map((k) => [k, median(runs.map((r) => r.latencyMs[k]))])),
    cpuSecondsPer1000Items: median(runs.map((r) => r.cpuSecondsPer1000Items)),
    postgresCpuSecondsPer1000Items: median(runs.map((r) => r.postgresCpuSecondsPer1000Items)),
    lost: runs.reduce((s, r) => s + r.lost, 0),
    duplicated: runs.reduce((s, r) => s + r.duplicated, 0),
    runs,
  };
}

export async function run(opts, log, previous) {
  const same = (r) => r && r.chats === opts.chats && r.rate === opts.rate && r.seconds === opts.seconds && r.browsersPerChat === opts.browsers;
  const relays = [];
  const gateways = [];
  for (let i = 0; i < opts.rounds; i++) {
    const relay = await measureFanout(opts, 'relay', log);
    printFanout(relay, log);
    relays.push(relay);
    let gateway = i === 0 && same(previous.fanout) ? previous.fanout : null;
    if (!gateway) {
      gateway = await measureFanout(opts, 'gateway', log);
      printFanout(gateway, log);
    }
    gateways.push(gateway);
  }
  const relay = summary(relays);
  const gateway = summary(gateways);
  const ratio = (a, b) => (a !== null && b ? round(a / b, 2) : null);
  const ratios = {
    latencyP50: ratio(gateway.latencyMs.p50, relay.latencyMs.p50),
    latencyP99: ratio(gateway.latencyMs.p99, relay.latencyMs.p99),
    cpuPerItem: ratio(gateway.cpuSecondsPer1000Items, relay.cpuSecondsPer1000Items),
    cpuPerItemWithPostgres: ratio(gateway.cpuSecondsPer1000Items + (gateway.postgresCpuSecondsPer1000Items ?? 0), relay.cpuSecondsPer1000Items),
  };
  log(`${opts.rounds > 1 ? `medians of ${opts.rounds} rounds: ` : ''}relay p50 ${relay.latencyMs.p50} / p99 ${relay.latencyMs.p99} ms, ` +
    `${relay.cpuSecondsPer1000Items} CPU s per 1,000; gateway p50 ${gateway.latencyMs.p50} / p99 ${gateway.latencyMs.p99} ms, ${gateway.cpuSecondsPer1000Items} CPU s per 1,000`);
  log(`gateway / relay: latency p50 ×${ratios.latencyP50}, p99 ×${ratios.latencyP99}, CPU per item ×${ratios.cpuPerItem} ` +
    `(×${ratios.cpuPerItemWithPostgres} counting Postgres)`);
  return { relay, gateway, ratios };
}
