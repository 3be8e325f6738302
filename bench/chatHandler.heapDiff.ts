/**
 * What a server keeps between two heap snapshots (issue 22, memory after expiry; decision 0402):
 * every node of the second snapshot minus the first, grouped by type and constructor/name, largest
 * growth first. Compiled code and V8's hidden objects grow as the JIT compiles and optimizes the paths
 * a load ran, on every side alike (0.45–0.70 MB per instance at N = 300); the rest is the data a side
 * keeps. Snapshots come from `HEAP_SNAPSHOTS=dir SCENARIOS=memory npm run bench -- chatHandler`
 * (`<side>-baseline-a.heapsnapshot`, `<side>-after-expiry-a.heapsnapshot`, …), which prints the data
 * figure itself; for the rows:
 *
 *   node -r ts-node/register/transpile-only bench/chatHandler.heapDiff.ts before.heapsnapshot after.heapsnapshot [rows]
 *
 * Strings are grouped by their first 40 characters, so a text kept per conversation shows up as one
 * row with its count.
 */
import { readFileSync } from 'node:fs';

interface Group {
  count: number;
  bytes: number;
}

interface HeapSnapshotFile {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

const STRINGS = new Set(['string', 'concatenated string', 'sliced string']);
const UNNAMED = new Set(['number', 'hidden', 'code']);

/** A snapshot's nodes grouped by `type name`, with their self sizes. */
export function heapGroups(path: string): Map<string, Group> {
  const { snapshot, nodes, strings } = JSON.parse(readFileSync(path, 'utf8')) as HeapSnapshotFile;
  const fields = snapshot.meta.node_fields;
  const types = snapshot.meta.node_types[0];
  const [type, name, size] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const groups = new Map<string, Group>();
  for (let i = 0; i < nodes.length; i += fields.length) {
    const t = types[nodes[i + type]];
    const n = STRINGS.has(t) ? JSON.stringify(strings[nodes[i + name]].slice(0, 40)) : UNNAMED.has(t) ? '' : strings[nodes[i + name]];
    const group = groups.get(`${t} ${n}`) ?? { count: 0, bytes: 0 };
    group.count++;
    group.bytes += nodes[i + size];
    groups.set(`${t} ${n}`, group);
  }
  return groups;
}

/** Growth from `before` to `after`, largest first; `machine`: of compiled code and hidden objects; `data`: the rest. */
export function heapGrowth(before: string, after: string): { rows: Array<{ key: string; count: number; bytes: number }>; machine: number; data: number } {
  const [a, b] = [heapGroups(before), heapGroups(after)];
  const rows = [];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const [x, y] = [a.get(key) ?? { count: 0, bytes: 0 }, b.get(key) ?? { count: 0, bytes: 0 }];
    if (y.bytes !== x.bytes || y.count !== x.count) rows.push({ key, count: y.count - x.count, bytes: y.bytes - x.bytes });
  }
  rows.sort((p, q) => q.bytes - p.bytes);
  const machine = rows.filter((r) => r.key.startsWith('code ') || r.key.startsWith('hidden ')).reduce((n, r) => n + r.bytes, 0);
  return { rows, machine, data: rows.reduce((n, r) => n + r.bytes, 0) - machine };
}

if (require.main === module) {
  const [before, after, count = '40'] = process.argv.slice(2);
  const { rows, machine, data } = heapGrowth(before, after);
  console.log(`growth: code and hidden ${machine} B, data ${data} B`);
  console.log('| Δ bytes | Δ count | type and name |\n| ---: | ---: | --- |');
  for (const r of rows.slice(0, Number(count))) console.log(`| ${r.bytes} | ${r.count} | ${r.key.slice(0, 120).replace(/\|/g, '\\|')} |`);
}
