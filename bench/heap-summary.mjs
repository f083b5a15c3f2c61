// Summarises a V8 heap snapshot (`npm run bench -- capacity --heap-snapshot`): retained-by-type totals by
// self size, grouped by constructor / node type, largest first.
// Usage: node bench/heap-summary.mjs <file.heapsnapshot> [top=40]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/heap-summary.mjs <file.heapsnapshot> [top]');
  process.exit(2);
}
const snap = JSON.parse(readFileSync(file, 'utf8'));
const meta = snap.snapshot.meta;
const fields = meta.node_fields;
const types = meta.node_types[0];
const width = fields.length;
const iType = fields.indexOf('type');
const iName = fields.indexOf('name');
const iSize = fields.indexOf('self_size');
const nodes = snap.nodes;
const strings = snap.strings;
const by = new Map();
let total = 0;
for (let i = 0; i < nodes.length; i += width) {
  const type = types[nodes[i + iType]];
  const size = nodes[i + iSize];
  total += size;
  const name = type === 'object' || type === 'closure' || type === 'native' ? `${type}:${strings[nodes[i + iName]]}` : `(${type})`;
  const e = by.get(name) ?? { count: 0, size: 0 };
  e.count++;
  e.size += size;
  by.set(name, e);
}
console.log(`${file}: ${(total / 1024 / 1024).toFixed(1)} MiB in ${nodes.length / width} nodes\n`);
console.log('     MiB      count  type:constructor');
for (const [name, e] of [...by].sort((a, b) => b[1].size - a[1].size).slice(0, Number(topArg ?? 40))) {
  console.log(`${(e.size / 1024 / 1024).toFixed(2).padStart(8)} ${String(e.count).padStart(10)}  ${name.slice(0, 120)}`);
}

// Where the closures come from: V8 records a source location for each function object.
if (snap.locations?.length) {
  const lf = meta.location_fields;
  const lw = lf.length;
  const scripts = new Map();
  for (let i = 0; i < nodes.length; i += width) {
    if (types[nodes[i + iType]] !== 'code' || !strings[nodes[i + iName]]) continue;
  }
  const byLoc = new Map();
  for (let i = 0; i < snap.locations.length; i += lw) {
    const nodeIndex = snap.locations[i + lf.indexOf('object_index')];
    const script = snap.locations[i + lf.indexOf('script_id')];
    const line = snap.locations[i + lf.indexOf('line')];
    if (types[nodes[nodeIndex + iType]] !== 'closure') continue;
    const key = `${scripts.get(script) ?? `script ${script}`}:${line + 1} ${strings[nodes[nodeIndex + iName]] || '(anonymous)'}`;
    const e = byLoc.get(key) ?? { count: 0, size: 0 };
    e.count++;
    e.size += nodes[nodeIndex + iSize];
    byLoc.set(key, e);
  }
  console.log('\nclosures by source location (script id:line):');
  for (const [k, e] of [...byLoc].sort((a, b) => b[1].count - a[1].count).slice(0, 25)) console.log(`${String(e.count).padStart(10)}  ${k}`);
}
