// Summarises a V8 CPU profile (`npm run bench -- <scenario> --cpu-prof` writes the gateway's under
// bench/results/profiles/): self time by function and by package/source folder, and inclusive time of
// the gateway's own functions.
// Usage: node bench/profile-summary.mjs <file.cpuprofile> [top=25] [fromMicros toMicros]
// The window (monotonic microseconds, the clock V8 profiles use) restricts the summary to a scenario's
// measured phase: the scenarios record it as `profileWindowMicros` in bench/results/latest.json.
import { readFileSync } from 'node:fs';

const [file, topArg, fromArg, toArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/profile-summary.mjs <file.cpuprofile> [top]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Sample durations: timeDeltas[i] is the time before sample i.
const self = new Map();
let total = 0;
const from = fromArg ? Number(fromArg) : -Infinity;
const to = toArg ? Number(toArg) : Infinity;
const inWindow = [];
for (let i = 0, t = profile.startTime; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i];
  inWindow[i] = t >= from && t <= to;
}
for (let i = 0; i < profile.samples.length; i++) {
  if (!inWindow[i]) continue;
  const dt = profile.timeDeltas[i + 1] ?? 0;
  self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
  total += dt;
}

function where(url) {
  if (!url) return '(native/V8)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 13).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return `gateway:${url.slice(dist + 6).split('/').slice(0, -1).join('/') || '.'}`;
  if (url.startsWith('node:')) return 'node:internal';
  return url;
}

const label = (n) => {
  const f = n.callFrame;
  const file = f.url ? f.url.replace(/^.*\/(node_modules|dist)\//, '$1/') : '';
  return `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}`;
};

const fnSelf = new Map();
const pkgSelf = new Map();
for (const [id, t] of self) {
  const n = byId.get(id);
  const name = n.callFrame.functionName;
  if (name === '(idle)' || name === '(program)' || name === '(garbage collector)') {
    pkgSelf.set(name, (pkgSelf.get(name) ?? 0) + t);
    fnSelf.set(name, (fnSelf.get(name) ?? 0) + t);
    continue;
  }
  fnSelf.set(label(n), (fnSelf.get(label(n)) ?? 0) + t);
  const pkg = where(n.callFrame.url);
  pkgSelf.set(pkg, (pkgSelf.get(pkg) ?? 0) + t);
}

// Inclusive time of gateway functions (dist/ code), counted once per sample stack.
const incl = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  if (!inWindow[i]) continue;
  const dt = profile.timeDeltas[i + 1] ?? 0;
  const seen = new Set();
  for (let id = profile.samples[i]; id !== undefined; id = parent.get(id)) {
    const n = byId.get(id);
    if (!n.callFrame.url.includes('/dist/') || n.callFrame.url.includes('/generated/')) continue;
    const key = label(n);
    if (seen.has(key)) continue;
    seen.add(key);
    incl.set(key, (incl.get(key) ?? 0) + dt);
  }
}

const idle = (fnSelf.get('(idle)') ?? 0);
const busy = total - idle;
const pct = (t) => `${((t / busy) * 100).toFixed(1).padStart(5)}%`;
const ms = (t) => `${(t / 1000).toFixed(0).padStart(7)} ms`;
console.log(`profile ${file}: ${(total / 1e6).toFixed(1)} s, busy ${(busy / 1e6).toFixed(1)} s (percentages are of busy time)\n`);
console.log('self time by package / gateway folder:');
for (const [k, t] of [...pkgSelf].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(t)} ${pct(t)}  ${k}`);
console.log('\nself time by function:');
for (const [k, t] of [...fnSelf].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(t)} ${pct(t)}  ${k}`);
console.log('\ninclusive time of gateway functions:');
for (const [k, t] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(t)} ${pct(t)}  ${k}`);
