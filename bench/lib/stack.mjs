// The processes a scenario runs against: its own Postgres database, the standalone emulator, the built
// gateway (NODE_ENV=production) — each a real process, each cleaned up on exit, failure or signal.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { clearInterval, clearTimeout, setInterval } from 'node:timers';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { cpuSeconds, freePort, parseMetrics, sleep, until } from './util.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/**
 * The gateway build under test: `dist/` of this tree, or another build (`--dist <dir>`, e.g. a worktree of
 * an older commit, to compare before and after in one session). The emulator always comes from `dist/`.
 */
export const DIST = path.resolve(ROOT, process.env.BENCH_DIST ?? 'dist');
export const fromDist = (file) => import(pathToFileURL(path.join(DIST, file)).href);
export const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

// ---- cleanup ------------------------------------------------------------------------------------

const cleanups = [];
let cleaning;

/** Registers `fn` to run at the end (last registered runs first); returns a function that runs it now. */
export function onCleanup(fn) {
  const entry = { fn, done: false };
  cleanups.push(entry);
  return async () => {
    if (entry.done) return;
    entry.done = true;
    await fn();
  };
}

export function cleanupAll() {
  cleaning ??= (async () => {
    for (const entry of cleanups.reverse()) {
      if (entry.done) continue;
      entry.done = true;
      try {
        await entry.fn();
      } catch (err) {
        console.error(`cleanup failed: ${err instanceof Error ? err.message : err}`);
      }
    }
    cleanups.length = 0;
  })();
  return cleaning.finally(() => (cleaning = undefined));
}

let trapped = false;
export function trapSignals() {
  if (trapped) return;
  trapped = true;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, () => {
      console.error(`\n${signal}: cleaning up`);
      void cleanupAll().finally(() => process.exit(130));
    });
  }
}

// ---- Postgres -----------------------------------------------------------------------------------

export async function adminQuery(sql, params = []) {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

export function urlFor(database) {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${database}`;
  return u.toString();
}

function viaUnixSocket(url, dir) {
  const u = new URL(url);
  u.searchParams.set('host', dir);
  return u.toString();
}

/** A fresh database for one scenario, dropped at cleanup. `migrate`: apply the gateway's migrations now. */
export async function createDatabase({ migrate = false } = {}) {
  const name = `bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await adminQuery(`CREATE DATABASE "${name}"`);
  const drop = onCleanup(() => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  // BENCH_PG_LOG_SLOW_MS: Postgres logs this database's statements slower than that (its server log).
  const slow = Number(process.env.BENCH_PG_LOG_SLOW_MS);
  if (slow > 0) await adminQuery(`ALTER DATABASE "${name}" SET log_min_duration_statement = ${Math.round(slow)}`);
  const url = urlFor(name);
  if (migrate) {
    const { openAdapter } = await fromDist('database/driver-adapters.js');
    const { migrate: run } = await fromDist('database/migrator.js');
    const opened = await openAdapter({ kind: 'postgres', url }, 1);
    try {
      await run(opened.factory);
    } finally {
      await opened.close();
    }
    // BENCH_PG_AFTER_MIGRATE: SQL run on the migrated database first (to try a schema change before writing its migration).
    if (process.env.BENCH_PG_AFTER_MIGRATE) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(process.env.BENCH_PG_AFTER_MIGRATE);
      } finally {
        await client.end();
      }
    }
  }
  return { name, url, drop };
}

/** The Postgres backends serving `database` now (the gateway's connections). */
export async function backendPids(database) {
  const res = await adminQuery('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
  return res.rows.map((r) => r.pid);
}

/**
 * CPU seconds the backends of `database` use from now until stop(). Backends come and go (the pool
 * closes idle connections): they are sampled every second, one that exits counts to its last sample,
 * one that appears counts from zero.
 */
export async function backendCpu(database) {
  const seen = new Map();
  const sample = async (initial) => {
    for (const pid of await backendPids(database).catch(() => [])) {
      const now = cpuSeconds(pid);
      const e = seen.get(pid);
      if (e) e.last = Math.max(e.last, now);
      else seen.set(pid, { start: initial ? now : 0, last: now });
    }
  };
  await sample(true);
  const timer = setInterval(() => void sample(false), 1000);
  return {
    async stop() {
      clearInterval(timer);
      await sample(false);
      let total = 0;
      for (const e of seen.values()) total += e.last - e.start;
      return total;
    },
  };
}

// ---- processes ----------------------------------------------------------------------------------

function spawnNode(args, env, { cwd = ROOT, label }) {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d) => {
    out += d.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  const stop = onCleanup(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
  });
  return { child, pid: child.pid, output: () => out, exited, stop, label };
}

const UNLIMITED = { rps: 1_000_000, burst: 1_000_000 };
const OPERATIONS = ['StartChatContact', 'StopContact', 'CreateParticipantConnection', 'DisconnectParticipant', 'GetTranscript', 'SendMessage',
  'SendEvent', 'StartAttachmentUpload', 'CompleteAttachmentUpload', 'GetAttachment', 'DescribeView'];

/** The standalone emulator (dist/emulator/standalone.js) with Connect's rate limits lifted for load. */
export async function startEmulator({ chats = 100_000 } = {}) {
  const port = await freePort();
  const proc = spawnNode(['dist/emulator/standalone.js'], { EMULATOR_PORT: String(port), EMULATOR_HOST: '127.0.0.1', LOG_LEVEL: 'warn' }, { label: 'emulator' });
  const url = `http://127.0.0.1:${port}`;
  await until(async () => {
    if (proc.child.exitCode !== null) throw new Error(`emulator exited: ${proc.output().slice(-2000)}`);
    return fetch(`${url}/emulator/config`).then((r) => r.ok, () => false);
  }, 'emulator start', 30_000, 50);
  const res = await fetch(`${url}/emulator/config`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      rateLimits: Object.fromEntries(OPERATIONS.map((op) => [op, UNLIMITED])),
      concurrentChatLimit: chats,
      maxSocketsPerParticipant: 5,
    }),
  });
  if (!res.ok) throw new Error(`emulator config refused: ${res.status} ${await res.text()}`);
  return { ...proc, url };
}

/**
 * The built gateway, NODE_ENV=production, on the given database and emulator. `cpuProf`: a directory
 * for a V8 CPU profile (written when the process exits after SIGTERM).
 */
export async function startGateway({ databaseUrl, emulatorUrl, env = {}, cpuProf, perf, heapSnapshot, nodeArgs = [] }) {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gw-bench-'));
  onCleanup(() => rmSync(dataDir, { recursive: true, force: true }));
  const args = [...nodeArgs];
  // Symbols of JIT-compiled JavaScript for `perf` (written to /tmp/perf-<pid>.map).
  if (perf) args.push('--perf-basic-prof-only-functions', '--interpreted-frames-native-stack');
  if (heapSnapshot) args.push('--heapsnapshot-signal=SIGUSR2');
  if (cpuProf) {
    mkdirSync(cpuProf, { recursive: true });
    args.push('--cpu-prof', `--cpu-prof-dir=${cpuProf}`);
  }
  // As `npm run start:prod` and the Dockerfile start it, unless the caller chose its own young generation.
  if (!args.some((a) => a.startsWith('--max-semi-space-size'))) args.push('--max-semi-space-size=32');
  args.push(path.join(DIST, 'main.js'));
  const proc = spawnNode(args, {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    // BENCH_PG_SOCKET_DIR: the gateway reaches Postgres through its Unix socket in that directory instead of TCP.
    DATABASE_URL: process.env.BENCH_PG_SOCKET_DIR ? viaUnixSocket(databaseUrl, process.env.BENCH_PG_SOCKET_DIR) : databaseUrl,
    CONNECT_ENDPOINT: emulatorUrl,
    ADMIN_TOKEN,
    ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64'),
    SESSION_SECRET: 'bench-session-secret-0123456789-abcdefghij',
    CHAT_STARTS_PER_MINUTE_PER_IP: '1000000',
    CHAT_STARTS_PER_MINUTE_PER_FRONTEND: '1000000',
    ABANDON_AFTER_MINUTES: '0',
    // The gateway paces itself to Connect's published quotas; the emulator's are lifted for load too.
    CONNECT_RATE_LIMITS: JSON.stringify(Object.fromEntries(OPERATIONS.map((op) => [op, UNLIMITED]))),
    ...env,
  }, { cwd: dataDir, label: 'gateway' });
  const url = `http://127.0.0.1:${port}`;
  await until(async () => {
    if (proc.child.exitCode !== null) throw new Error(`gateway exited: ${proc.output().slice(-3000)}`);
    return fetch(`${url}/health/live`).then((r) => r.ok, () => false);
  }, 'gateway start', 60_000, 100);
  if (perf) onCleanup(() => rmSync(`/tmp/perf-${proc.pid}.map`, { force: true }));
  return {
    ...proc,
    url,
    async metrics() {
      const res = await fetch(`${url}/metrics`);
      return parseMetrics(await res.text());
    },
    /** A V8 heap snapshot (needs `heapSnapshot`), moved to `file`; resolves when written. */
    async heapSnapshot(file) {
      const before = new Set(readdirSync(dataDir));
      proc.child.kill('SIGUSR2');
      const name = await until(() => readdirSync(dataDir).find((f) => f.endsWith('.heapsnapshot') && !before.has(f)), 'heap snapshot', 300_000, 500);
      // Written when the size stops growing.
      let size = -1;
      await until(() => {
        const now = statSync(path.join(dataDir, name)).size;
        const stable = now === size && now > 0;
        size = now;
        return stable;
      }, 'heap snapshot written', 600_000, 1000);
      mkdirSync(path.dirname(file), { recursive: true });
      renameSync(path.join(dataDir, name), file);
      return file;
    },
    /** SIGTERM and wait (a CPU profile is written on the way out). */
    async shutdown() {
      await proc.stop();
    },
  };
}

export async function createFrontend(gatewayUrl) {
  const res = await fetch(`${gatewayUrl}/v1/admin/frontends`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: `bench-${randomBytes(3).toString('hex')}`,
      allowedOrigins: ['http://bench.test'],
      connect: { instanceId: 'bench-instance', contactFlowId: 'bench-flow', region: 'us-east-1', supportedContentTypes: ['text/plain'] },
      attributeKeys: [],
    }),
  });
  if (res.status !== 201) throw new Error(`create front end: ${res.status} ${await res.text()}`);
  return res.json();
}

/**
 * On-CPU sampling of a process with Linux `perf` (wall-clock samplers such as --cpu-prof also count time
 * the process waits for a CPU inside a syscall, which on a busy 2-core machine dwarfs the real cost).
 * Returns a stop function that writes a text report next to `file` and resolves with its path.
 */
export function perfRecord(pid, file) {
  mkdirSync(path.dirname(file), { recursive: true });
  const rec = spawn('perf', ['record', '-F', '499', '-g', '-p', String(pid), '-o', file], { stdio: 'ignore' });
  const exited = new Promise((resolve) => rec.on('exit', resolve));
  const stop = onCleanup(async () => {
    rec.kill('SIGINT');
    await exited;
  });
  return async () => {
    await stop();
    const report = `${file}.txt`;
    const out = await new Promise((resolve) => {
      const r = spawn('perf', ['report', '-i', file, '--stdio', '--no-children', '--sort', 'dso,symbol', '--percent-limit', '0.3', '-g', 'none'], { stdio: ['ignore', 'pipe', 'ignore'] });
      let text = '';
      r.stdout.on('data', (d) => (text += d));
      r.on('exit', () => resolve(text));
    });
    writeFileSync(report, out);
    return report;
  };
}

/** Runs a scenario's full stack: database, emulator, gateway (and a front end); cleaned up afterwards. */
export async function withGatewayStack(options, fn) {
  const database = await createDatabase();
  const emulator = await startEmulator({ chats: options.chats ? options.chats * 3 + 100 : undefined });
  const gateway = await startGateway({
    databaseUrl: database.url,
    emulatorUrl: emulator.url,
    env: options.gatewayEnv,
    cpuProf: options.cpuProf,
    perf: options.perf,
    heapSnapshot: options.heapSnapshot,
  });
  const frontend = await createFrontend(gateway.url);
  try {
    return await fn({ database, emulator, gateway, frontend });
  } finally {
    await gateway.stop();
    await emulator.stop();
    await sleep(200);
    await database.drop();
  }
}
