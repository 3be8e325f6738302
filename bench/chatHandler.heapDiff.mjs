/**
 * What a server keeps between two heap snapshots (issue 22, memory after expiry): every node of the
 * second snapshot minus the first, grouped by type and constructor/name, largest growth first.
 * Snapshots come from `HEAP_SNAPSHOTS=dir SCENARIOS=memory npm run bench -- chatHandler`
 * (`<side>-baseline-a.heapsnapshot`, `<side>-after-expiry-a.heapsnapshot`, …).
 *
 *   node bench/chatHandler.heapDiff.mjs before.heapsnapshot after.heapsnapshot [rows]
 *
 * Strings are grouped by their first 40 characters, so a text kept per conversation shows up as one
 * row with its count.
 */
import { readFileSync } from 'node:fs';

function groups(path) {
  const { snapshot, nodes, strings } = JSON.parse(readFileSync(path, 'utf8'));
  const fields = snapshot.meta.node_fields;
  const types = snapshot.meta.node_types[0];
  const width = fields.length;
  const [type, name, size] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const byKey = new Map();
  let total = 0;
  for (let i = 0; i < nodes.length; i += width) {
    const t = types[nodes[i + type]];
    let n = strings[nodes[i + name]];
    if (t === 'string' || t === 'concatenated string' || t === 'sliced string') n = JSON.stringify(n.slice(0, 40));
    if (t === 'number' || t === 'hidden' || t === 'code') n = '';
    const key = `${t} ${n}`;
    const g = byKey.get(key) ?? { count: 0, bytes: 0 };
    g.count++;
    g.bytes += nodes[i + size];
    total += nodes[i + size];
    byKey.set(key, g);
  }
  return { byKey, total };
}

const [before, after, rows = '40'] = process.argv.slice(2);
const a = groups(before);
const b = groups(after);
const diff = [];
for (const key of new Set([...a.byKey.keys(), ...b.byKey.keys()])) {
  const x = a.byKey.get(key) ?? { count: 0, bytes: 0 };
  const y = b.byKey.get(key) ?? { count: 0, bytes: 0 };
  if (y.bytes !== x.bytes || y.count !== x.count) diff.push({ key, count: y.count - x.count, bytes: y.bytes - x.bytes });
}
diff.sort((p, q) => q.bytes - p.bytes);
const signed = (n) => `${n >= 0 ? '+' : ''}${n} B`;
// Compiled code and V8's hidden objects grow as the JIT compiles and optimizes the paths a load ran, on
// every side alike; what is left is the data a side keeps.
const machine = diff.filter((d) => d.key.startsWith('code ') || d.key.startsWith('hidden ')).reduce((n, d) => n + d.bytes, 0);
console.log(`self size: ${a.total} → ${b.total} (${signed(b.total - a.total)}); of which code and hidden ${signed(machine)}, data ${signed(b.total - a.total - machine)}`);
console.log('| Δ bytes | Δ count | type and name |\n| ---: | ---: | --- |');
for (const d of diff.slice(0, Number(rows))) console.log(`| ${d.bytes} | ${d.count} | ${d.key.slice(0, 120).replace(/\|/g, '\\|')} |`);
