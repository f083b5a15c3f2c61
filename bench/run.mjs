// `npm run bench -- [scenario ...] [--option value ...]`: runs the chosen scenarios (all by default)
// against real processes and writes their figures to bench/results/latest.json under each scenario's
// name. See README.md § Performance for the scenarios, their options and the issue-sized command lines.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cleanupAll, ROOT, trapSignals } from './lib/stack.mjs';
import { machine } from './lib/util.mjs';

const SCENARIOS = ['persist', 'capacity', 'fanout', 'baseline', 'send', 'replay'];

function parseArgs(argv) {
  const scenarios = [];
  const options = {};
  const gatewayEnv = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      if (!SCENARIOS.includes(arg)) throw new Error(`unknown scenario ${arg} (known: ${SCENARIOS.join(', ')})`);
      scenarios.push(arg);
      continue;
    }
    const [key, inline] = arg.slice(2).split('=', 2);
    const flag = key === 'cpu-prof' || key === 'help';
    const value = flag ? inline ?? true : inline ?? argv[++i];
    if (value === undefined) throw new Error(`--${key} needs a value`);
    if (key === 'env') {
      const [k, ...v] = String(value).split('=');
      gatewayEnv[k] = v.join('=');
    } else {
      const camel = key.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
      options[camel] = typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
    }
  }
  return { scenarios: scenarios.length ? scenarios : SCENARIOS, options, gatewayEnv };
}

async function main() {
  const { scenarios, options, gatewayEnv } = parseArgs(process.argv.slice(2));
  if (options.help) {
    for (const name of SCENARIOS) {
      const mod = await import(`./scenarios/${name}.mjs`);
      console.log(`${name}: defaults ${JSON.stringify(mod.defaults)}; issue-sized: ${mod.full}`);
    }
    return;
  }
  trapSignals();
  const out = path.resolve(ROOT, options.out ?? 'bench/results/latest.json');
  mkdirSync(path.dirname(out), { recursive: true });
  let results = {};
  try {
    results = JSON.parse(readFileSync(out, 'utf8'));
  } catch {
    results = {};
  }
  const thisRun = {};
  let failed = false;
  for (const name of scenarios) {
    const mod = await import(`./scenarios/${name}.mjs`);
    const opts = { ...mod.defaults, ...options, gatewayEnv };
    if (opts.cpuProf === true) opts.cpuProf = path.resolve(ROOT, 'bench/results/profiles', `${name}-${Date.now()}`);
    const log = (line) => console.log(`[${name}] ${line}`);
    log(`parameters ${JSON.stringify({ ...opts, gatewayEnv: undefined })}`);
    const started = Date.now();
    try {
      const figures = await mod.run(opts, log, thisRun);
      thisRun[name] = figures;
      results[name] = {
        date: new Date().toISOString(),
        durationSeconds: Math.round((Date.now() - started) / 1000),
        machine: machine(),
        parameters: { ...opts, gatewayEnv: Object.keys(gatewayEnv).length ? gatewayEnv : undefined },
        ...figures,
      };
      writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
    } catch (err) {
      failed = true;
      console.error(`[${name}] failed: ${err instanceof Error ? err.stack : err}`);
    } finally {
      await cleanupAll();
    }
  }
  console.log(`figures written to ${path.relative(process.cwd(), out)}`);
  if (failed) process.exitCode = 1;
}

main().catch(async (err) => {
  console.error(err instanceof Error ? err.message : err);
  await cleanupAll();
  process.exit(1);
});
