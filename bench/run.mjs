// `npm run bench -- [scenario ...] [--option value ...]`: runs the chosen scenarios (all by default)
// against real processes and writes their figures to bench/results/latest.json under each scenario's
// name. See README.md § Performance for the scenarios, their options and the issue-sized command lines.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { machine } from './lib/util.mjs';

let cleanup = async () => undefined;
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
    const flag = ['cpu-prof', 'perf', 'heap-snapshot', 'help'].includes(key);
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
  // --dist must be known before the harness modules load (they resolve the build under test once).
  if (options.dist) process.env.BENCH_DIST = path.resolve(String(options.dist));
  const { cleanupAll, DIST, ROOT, trapSignals } = await import('./lib/stack.mjs');
  cleanup = cleanupAll;
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
        build: buildInfo(ROOT, DIST),
        parameters: { ...opts, gatewayEnv: Object.keys(gatewayEnv).length ? gatewayEnv : undefined },
        ...figures,
      };
      writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
    } catch (err) {
      failed = true;
      console.error(`[${name}] failed: ${err instanceof Error ? err.stack : err}`);
    } finally {
      await cleanup();
    }
  }
  console.log(`figures written to ${path.relative(process.cwd(), out)}`);
  if (failed) process.exitCode = 1;
}

/** Which code was measured: the commit of the tree the build came from, and whether it had local changes. */
function buildInfo(root, dist) {
  const git = (...args) => {
    try {
      return execFileSync('git', args, { cwd: path.dirname(dist), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return null;
    }
  };
  return { dist: path.relative(root, dist) || '.', commit: git('rev-parse', '--short', 'HEAD'), localChanges: Boolean(git('status', '--porcelain', '--', 'src')) };
}

main().catch(async (err) => {
  console.error(err instanceof Error ? err.message : err);
  await cleanup();
  process.exit(1);
});
