/**
 * Operator benchmarks, as ratios measured side by side in one run:
 *  (a) abortOn vs the tutorial's method (append the chunk, then `includes` for every
 *      pattern on the whole reply) — replies of 14 KB … 1 MB in ~7-char chunks, 10 / 100 /
 *      1,000 patterns. The tutorial's method is quadratic; where a full run would take too
 *      long it is timed on evenly spaced sample chunks (with the real prefix before each)
 *      and extrapolated to all chunks — marked "est." in the table.
 *  (b) textContent → abortOn → tapProgress → collectText vs a hand-written loop doing the
 *      same work with the same helpers (automaton, progress tracker).
 * Synchronous `from(array)` sources throughout, so only operator cost is measured.
 */
import { from, lastValueFrom } from 'rxjs';
import { abortOn, buildAutomaton } from '../src/operators/abortOn';
import { collectText } from '../src/operators/collectText';
import { progressTrackerFactory } from '../src/operators/progress';
import { tapProgress } from '../src/operators/tapProgress';
import { textContent } from '../src/operators/textContent';
import { textOf } from '../src/internal/text';

const KB = 1024;
const SIZES = [14 * KB, 56 * KB, 224 * KB, 1024 * KB];
const PATTERN_COUNTS = [10, 100, 1000];
const SEED_FULL_RUN_BUDGET = 2e9; // est. character comparisons above which the seed method is sampled
const SEED_SAMPLES = 20;

let seed = 1;
const rand = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;

const SYLLABLES = ['py', 'tho', 'n', 'str', 'ea', 'm', 'lan', 'g', 'cha', 'in', 'mo', 'del', 'to', 'ken', 'ch', 'un', 'k'];
const HAN = '流式输出模型语言程序开发数据处理实时检测内容';
const vocabulary: string[] = [];
for (let i = 0; i < 400; i++) {
  let w = '';
  const n = 1 + rand(3);
  for (let j = 0; j < n; j++) w += SYLLABLES[rand(SYLLABLES.length)];
  vocabulary.push(i % 5 === 0 ? HAN.slice(rand(HAN.length - 2), undefined).slice(0, 2) : w);
}

function makeReply(size: number): string {
  let text = '';
  while (text.length < size) text += vocabulary[rand(vocabulary.length)] + (rand(9) === 0 ? '. ' : ' ');
  return text.slice(0, size);
}

function chunk(text: string, size = 7): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) {
    let end = Math.min(i + size, text.length);
    const c = text.charCodeAt(end - 1);
    if (c >= 0xd800 && c <= 0xdbff) end++;
    out.push(text.slice(i, end));
    i = end - size;
  }
  return out;
}

/** Patterns that start like words of the reply (so hold-back and failure links work) but never occur. */
function makePatterns(count: number, reply: string): string[] {
  const out: string[] = [];
  while (out.length < count) {
    const p = vocabulary[rand(vocabulary.length)] + ['qx', 'zv', '禁止', 'xj'][rand(4)] + SYLLABLES[rand(SYLLABLES.length)];
    if (!reply.includes(p)) out.push(p);
  }
  return out;
}

function time(fn: () => void, minMs = 150): number {
  fn(); // warm-up
  let runs = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    fn();
    runs++;
    elapsed = performance.now() - start;
  } while (elapsed < minMs);
  return elapsed / runs;
}

/** The tutorial's check, verbatim in spirit: append, then `includes` for every pattern. */
function seedMethod(chunks: readonly string[], patterns: readonly string[]): string | null {
  let full = '';
  const out: string[] = [];
  for (const c of chunks) {
    full += c;
    for (const w of patterns) if (full.includes(w)) return null;
    out.push(c);
  }
  return full;
}

/** Time of the seed method on all chunks; sampled and extrapolated when the full run is too big. */
function timeSeed(reply: string, chunks: readonly string[], patterns: readonly string[]): { ms: number; estimated: boolean } {
  const work = (chunks.length * reply.length * patterns.length) / 2;
  if (work <= SEED_FULL_RUN_BUDGET) return { ms: time(() => void seedMethod(chunks, patterns), 100), estimated: false };
  let total = 0;
  for (let s = 0; s < SEED_SAMPLES; s++) {
    const index = Math.floor(((s + 0.5) / SEED_SAMPLES) * chunks.length);
    let offset = 0;
    for (let i = 0; i < index; i++) offset += chunks[i].length;
    const prefix = reply.slice(0, offset);
    const c = chunks[index];
    let sink = 0;
    const perChunk = time(() => {
      const full = prefix + c; // a fresh concatenation, as `full += chunk` makes
      for (const w of patterns) if (full.includes(w)) sink++;
    }, 5);
    if (sink < 0) console.log(sink);
    total += perChunk;
  }
  return { ms: (total / SEED_SAMPLES) * chunks.length, estimated: true };
}

function runAbortOn(chunks: readonly string[], op: ReturnType<typeof abortOn>): void {
  let n = 0;
  from(chunks).pipe(op).subscribe((t) => (n += t.length));
  if (n === 0) throw new Error('abortOn emitted nothing');
}

const fmt = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(1) : ms.toFixed(3));

function benchAbortOn(): void {
  console.log('### (a) abortOn vs the tutorial method (append + includes per pattern)\n');
  console.log('| reply | patterns | chunks | tutorial ms | abortOn ms | build ms | ratio | abortOn ns/chunk |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  const nsPerChunk = new Map<string, number>();
  for (const size of SIZES) {
    const reply = makeReply(size);
    const chunks = chunk(reply);
    for (const count of PATTERN_COUNTS) {
      const patterns = makePatterns(count, reply);
      const build = time(() => void abortOn(patterns), 50);
      const op = abortOn(patterns);
      const ours = time(() => runAbortOn(chunks, op));
      const seedTime = timeSeed(reply, chunks, patterns);
      const ns = (ours * 1e6) / chunks.length;
      nsPerChunk.set(`${size}/${count}`, ns);
      console.log(
        `| ${size / KB} KB | ${count} | ${chunks.length} | ${seedTime.estimated ? 'est. ' : ''}${fmt(seedTime.ms)} | ${fmt(ours)} | ${fmt(build)} | ${Math.round(seedTime.ms / ours)}× | ${ns.toFixed(0)} |`,
      );
    }
  }
  const flat = SIZES.map((s) => nsPerChunk.get(`${s}/100`)!);
  console.log(`\nPer-chunk cost at 100 patterns, 14 KB → 1 MB: ${flat.map((n) => n.toFixed(0)).join(' → ')} ns (1 MB / 14 KB = ${(flat[3] / flat[0]).toFixed(2)}×)`);
  for (const size of SIZES) {
    const r = nsPerChunk.get(`${size}/1000`)! / nsPerChunk.get(`${size}/10`)!;
    console.log(`1,000 vs 10 patterns at ${size / KB} KB: ${r.toFixed(2)}× the per-chunk cost (goal ≤ 2×)`);
  }
}

async function benchPipeline(): Promise<void> {
  console.log('\n### (b) textContent → abortOn → tapProgress → collectText vs a hand-written loop\n');
  console.log('| reply | patterns | chunks | pipeline ms | loop ms | ratio (goal ≤ 1.3×) |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const size of [224 * KB, 1024 * KB]) {
    const reply = makeReply(size);
    const values = chunk(reply).map((content) => ({ content }));
    const patterns = makePatterns(100, reply);
    const filter = abortOn(patterns);
    const progressOptions = { everyChars: 50 };
    let events = 0;
    const onProgress = (): void => void events++;

    const pipeline = async (): Promise<string> =>
      lastValueFrom(from(values).pipe(textContent(), filter, tapProgress(onProgress, progressOptions), collectText()));

    const automaton = buildAutomaton(patterns);
    const tracker = progressTrackerFactory('loop', progressOptions);
    const loop = (): string => {
      const t = tracker();
      let state = 0;
      let held = '';
      let scanned = 0;
      let emittedEnd = 0;
      let all = '';
      for (const v of values) {
        const text = textOf(v);
        if (text.length === 0) continue;
        held += text;
        const hit = automaton.scan(text, state);
        if (hit.pattern >= 0) throw new Error('unexpected match');
        state = hit.state;
        scanned += text.length;
        let n = scanned - automaton.depths[state] - emittedEnd;
        if (n > 0) {
          const last = held.charCodeAt(n - 1);
          if (last >= 0xd800 && last <= 0xdbff) n--;
          const safe = held.slice(0, n);
          held = held.slice(n);
          emittedEnd += n;
          const e = t.push(safe);
          if (e) onProgress();
          all += safe;
        }
      }
      if (held) {
        if (t.push(held)) onProgress();
        all += held;
      }
      onProgress(); // t.final()
      void t.final();
      return all;
    };

    if ((await pipeline()) !== reply || loop() !== reply) throw new Error('pipeline and loop disagree with the reply');
    // Alternate and take medians, so both see the same machine state.
    const p: number[] = [];
    const l: number[] = [];
    for (let round = 0; round < 7; round++) {
      let start = performance.now();
      await pipeline();
      p.push(performance.now() - start);
      start = performance.now();
      loop();
      l.push(performance.now() - start);
    }
    const median = (xs: number[]): number => xs.sort((a, b) => a - b)[xs.length >> 1];
    const pm = median(p);
    const lm = median(l);
    console.log(`| ${size / KB} KB | 100 | ${values.length} | ${fmt(pm)} | ${fmt(lm)} | ${(pm / lm).toFixed(2)}× |`);
  }
}

export async function run(): Promise<void> {
  benchAbortOn();
  await benchPipeline();
}
