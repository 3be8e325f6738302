// Sums a V8 CPU profile (bench/chatHandler.cpu.ts PROFILE=…) by self time: the top functions, and by package/folder.
// Usage: node bench/chatHandler.cpuSummary.mjs <file.cpuprofile> [top]
import { readFileSync } from 'node:fs';

const [file, top = '40'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (dt[i] ?? 0));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const fn = new Map();
const area = new Map();
const areaOf = (url) => {
  if (!url) return '(native/vm)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  const s = /\/(src\/[^/]+(?:\/[^/]+)?)\//.exec(url) ?? /\/(bench)\//.exec(url);
  if (s) return s[1];
  return url.startsWith('node:') ? 'node:' + url.slice(5).split('/')[0] : url.replace(/^.*\//, '');
};
for (const [id, us] of self) {
  const n = byId.get(id);
  const { functionName, url, lineNumber } = n.callFrame;
  const key = `${functionName || '(anon)'} ${url.replace(/^.*node_modules\//, '').replace(/^.*\/(src|bench)\//, '$1/')}:${lineNumber + 1}`;
  fn.set(key, (fn.get(key) ?? 0) + us);
  const a = areaOf(url);
  area.set(a, (area.get(a) ?? 0) + us);
}
const pct = (us) => `${((100 * us) / total).toFixed(1)}%`.padStart(6);
console.log(`total ${(total / 1000).toFixed(0)} ms sampled`);
console.log('-- by area');
for (const [k, v] of [...area].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(pct(v), k);
console.log('-- by function (self)');
for (const [k, v] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) console.log(pct(v), k);
