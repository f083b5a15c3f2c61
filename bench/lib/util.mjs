// Small helpers shared by the bench harness and its child processes: statistics, /proc readings, ports.
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

export { sleep };

/** Percentiles of a list of numbers (nearest rank), rounded to 0.01. */
export function percentiles(values, ps = [50, 95, 99]) {
  const out = { count: values.length };
  if (!values.length) {
    for (const p of ps) out[`p${p}`] = null;
    out.max = null;
    out.mean = null;
    return out;
  }
  const sorted = Float64Array.from(values).sort();
  for (const p of ps) out[`p${p}`] = round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]);
  out.max = round(sorted[sorted.length - 1]);
  let sum = 0;
  for (const v of sorted) sum += v;
  out.mean = round(sum / sorted.length);
  return out;
}

export function round(v, digits = 2) {
  if (v === null || v === undefined || !Number.isFinite(v)) return v ?? null;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid) {
  const { user, system } = cpuSplit(pid);
  return user + system;
}

/**
 * CPU seconds per thread name of a process so far (/proc/<pid>/task/<tid>/stat): the main thread is the
 * process's own name, V8's garbage collector and compiler threads are `V8 Worker…`, libuv's pool `libuv-worker`.
 */
export function threadCpu(pid) {
  const out = {};
  let tids = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = tid === String(pid) ? 'main' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/\d+$/, '').trim();
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out[name] = (out[name] ?? 0) + (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

/** What each thread name used between two `threadCpu` readings, in seconds, busiest first. */
export function threadCpuSince(before, after) {
  return Object.fromEntries(Object.entries(after).map(([name, s]) => [name, round(s - (before[name] ?? 0), 2)])
    .filter(([, s]) => s > 0).sort((a, b) => b[1] - a[1]));
}

/** User and system (kernel: syscalls, loopback TCP) CPU seconds of a process so far. */
export function cpuSplit(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is state (field 3); utime is field 14, stime field 15.
    return { user: Number(fields[11]) / CLOCK_TICKS, system: Number(fields[12]) / CLOCK_TICKS };
  } catch {
    return { user: 0, system: 0 };
  }
}

/** Resident set size of a process in bytes, from /proc/<pid>/status. */
export function rssBytes(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** A TCP port that was free a moment ago (for processes that do not report the port they bound). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export function machine() {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cpus: cpus.length,
    memoryGiB: round(os.totalmem() / 1024 ** 3, 1),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
  };
}

export const MiB = 1024 * 1024;

/** Parses Prometheus text into { name: value } for unlabelled samples (and `name{labels}` keys otherwise). */
export function parseMetrics(text) {
  const out = {};
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    out[line.slice(0, space)] = Number(line.slice(space + 1));
  }
  return out;
}

export async function until(check, what, timeoutMs = 30_000, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** Runs `fn` over `items` with at most `limit` in flight; collects results and errors. */
export async function pool(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = { ok: true, value: await fn(items[i], i) };
      } catch (err) {
        results[i] = { ok: false, error: err instanceof Error ? err.message : String(err) };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Message padding so items have a realistic size (~100 characters). */
export const FILLER = 'The quick brown fox jumps over the lazy dog; order A-1001 ships tomorrow.';
