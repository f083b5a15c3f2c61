// The harness side of the load generators: N child processes (a process may hold at most 20,000 open
// files), each with its share of the chats; commands go to all of them and their answers are merged.
import { fork } from 'node:child_process';
import { clearTimeout } from 'node:timers';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { onCleanup } from './stack.mjs';

const LOADGEN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'loadgen.mjs');
const RELAY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'relay.mjs');

class Child {
  constructor(index) {
    this.index = index;
    this.proc = fork(LOADGEN, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.pid = this.proc.pid;
    this.next = 0;
    this.waiting = new Map();
    this.proc.on('message', (msg) => {
      const w = this.waiting.get(msg.id);
      if (!w) return;
      this.waiting.delete(msg.id);
      if (msg.ok) w.resolve(msg.result);
      else w.reject(new Error(`load generator ${index}: ${msg.error}`));
    });
    this.proc.on('exit', (code) => {
      for (const w of this.waiting.values()) w.reject(new Error(`load generator ${index} exited (${code})`));
      this.waiting.clear();
    });
  }

  call(cmd, args) {
    const id = ++this.next;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.proc.send({ id, cmd, args });
    });
  }

  async exit() {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const gone = new Promise((r) => this.proc.once('exit', r));
    try {
      this.proc.send({ cmd: 'exit' });
    } catch {
      this.proc.kill('SIGKILL');
    }
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
  }
}

export class Fleet {
  constructor(size) {
    this.children = Array.from({ length: size }, (_, i) => new Child(i));
    this.stop = onCleanup(() => Promise.all(this.children.map((c) => c.exit())));
  }

  get pids() {
    return this.children.map((c) => c.pid);
  }

  /** Same command to every child; `perChild(i)` may give each its own arguments. Returns all answers. */
  all(cmd, args = {}, perChild) {
    return Promise.all(this.children.map((c, i) => c.call(cmd, { ...args, ...(perChild ? perChild(i) : {}) })));
  }

  /** Splits `total` as evenly as possible over the children. */
  share(total) {
    const n = this.children.length;
    return (i) => Math.floor(total / n) + (i < total % n ? 1 : 0);
  }
}

/** Sums numeric fields, concatenates typed arrays, keeps the first non-empty string. */
export function merge(results) {
  const out = {};
  for (const r of results) {
    for (const [k, v] of Object.entries(r)) {
      if (typeof v === 'number') out[k] = (out[k] ?? 0) + v;
      else if (ArrayBuffer.isView(v)) out[k] = out[k] ? concat(out[k], v) : v;
      else if (v && typeof v === 'object' && !Array.isArray(v)) out[k] = mergeCounts(out[k] ?? {}, v);
      else if (out[k] === undefined && v !== undefined && v !== null) out[k] = v;
    }
  }
  return out;
}

function concat(a, b) {
  const c = new Float64Array(a.length + b.length);
  c.set(a);
  c.set(b, a.length);
  return c;
}

function mergeCounts(a, b) {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}

/** The bare relay as a child process; resolves with its URL and pid. */
export async function startRelay(emulatorUrl, { cpuProf, perf } = {}) {
  const execArgv = cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${cpuProf}`, '--cpu-prof-name=relay.cpuprofile'] : [];
  if (perf) execArgv.push('--perf-basic-prof-only-functions', '--interpreted-frames-native-stack');
  const proc = fork(RELAY, [], { env: { ...process.env, EMULATOR_URL: emulatorUrl }, execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const stop = onCleanup(async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await gone;
  });
  const port = await new Promise((resolve, reject) => {
    proc.once('message', (m) => resolve(m.port));
    proc.once('exit', (code) => reject(new Error(`relay exited (${code})`)));
  });
  return { url: `http://127.0.0.1:${port}`, pid: proc.pid, stop };
}
