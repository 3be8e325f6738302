/**
 * The outside review's two measurements (issue 26), re-done by a small script of its own: its own
 * text, its own hand loops and its own timing (nothing from bench/baselines.ts, corpus.ts or
 * measure.ts), the library through its public entry only.
 *
 *  1. Over an async generator of 198,000 chunks (one token each, as an OpenAI-compatible server
 *     streams them): `textContent → abortOn → tapProgress → collectText` vs a hand-written
 *     `for await` loop doing the same (text of the chunk, tail-window RegExp + hold-back, code
 *     points, a report every 50 chars and at the end, the text concatenated); and what
 *     `tapProgress` alone costs a chunk (the pipeline with it minus the pipeline without it).
 *     The review measured 2.16× and ≈ 400 ns a chunk.
 *  2. `abortOn` with 10 words vs a tail-window RegExp loop with the same hold-back of a possible
 *     word start, over the same chunks as strings, from an async generator and from an array.
 *     The review measured 1.23–1.34×.
 *
 * Every round runs both sides back to back (the order flips each round); a figure is the median
 * of 9 rounds after 2 unmeasured ones, with the range of the per-round ratios. `OUTSIDE_ROUNDS`
 * changes the count.
 */
import { from, lastValueFrom, type Observable } from 'rxjs';
import { AIMessageChunk } from '@langchain/core/messages';
import { abortOn, collectText, fromAsyncIterableFactory, tapProgress, textContent } from '../src';

const CHUNKS = 198_000;
const ROUNDS = Number(process.env.OUTSIDE_ROUNDS ?? 9);
const TOKENS = [' the', ' stream', ' of', ' tokens', ' is', ' fast', ',', ' and', ' Python', ' data', ' model', ' 😀',
  '流式', '输出', '模型', '数据', '。', '，', ' chain', ' agent', ' Java', 'Script', ' for', ' every', ' user', '\n'];
/** 10 words that start like tokens of the reply (so the hold-back works) but never occur in it. */
const TEN_WORDS = ['streamqx', 'tokensz', 'Pythonic!', 'JavaScripts', '流式禁止', 'dataxj', 'modelqv', 'chainzz', 'agentqq', 'everyone?'];
/** 10 words whose first units never occur in the reply: the loop's hold-back scan finds nothing to look up. */
const RARE_STARTS = ['qwerty', 'xylophone', 'zebra', 'Quux', 'Xerxes', 'Zed', '禁止词汇', '违禁', 'kqz', 'wxyz'];

/** The reply's tokens: a fixed pseudo-random pick, 1–8 UTF-16 units each. */
function tokens(): string[] {
  let seed = 42;
  const out: string[] = [];
  for (let i = 0; i < CHUNKS; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    out.push(TOKENS[seed % TOKENS.length]);
  }
  return out;
}

/**
 * The tail-window guard a user who cares about speed writes: one alternation RegExp over the last
 * (longest − 1) units + the chunk; the hold-back is the longest end of that window that a word
 * could still start with, looked up only where a word's first unit is; no slicing when nothing is held.
 */
function tailWindow(words: readonly string[]): { push(chunk: string): string | null; end(): string } {
  const keep = Math.max(...words.map((w) => w.length)) - 1;
  const re = new RegExp(words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'));
  const prefixes = new Set(words.flatMap((w) => Array.from({ length: w.length - 1 }, (_, k) => w.slice(0, k + 1))));
  const starts = new Set(words.map((w) => w.charCodeAt(0)));
  let tail = '';
  let held = '';
  return {
    push(chunk) {
      const window = tail + chunk;
      if (re.test(window)) return null;
      let hold = 0;
      for (let i = Math.max(0, window.length - keep); i < window.length && hold === 0; i++) {
        if (starts.has(window.charCodeAt(i)) && prefixes.has(window.slice(i))) hold = window.length - i;
      }
      tail = window.length > keep ? window.slice(window.length - keep) : window;
      const all = held.length === 0 ? chunk : held + chunk;
      if (hold === 0) {
        held = '';
        return all;
      }
      held = all.slice(all.length - hold);
      return all.slice(0, all.length - hold);
    },
    end: () => held,
  };
}

async function* generate<T>(values: readonly T[]): AsyncGenerator<T> {
  for (const v of values) yield v;
}

/** The hand loop of 1: what the pipeline does, written out. */
async function handLoop(values: readonly AIMessageChunk[], report: (p: { chars: number; done: boolean }) => void): Promise<string> {
  const guard = tailWindow(TEN_WORDS);
  let text = '';
  let chars = 0;
  let next = 50;
  const show = (safe: string): void => {
    text += safe;
    for (let i = 0; i < safe.length; i++) {
      const c = safe.charCodeAt(i);
      if (c < 0xdc00 || c > 0xdfff) chars++; // a low surrogate ends a pair counted at its high one
    }
    if (chars >= next) {
      next = (Math.floor(chars / 50) + 1) * 50;
      report({ chars, done: false });
    }
  };
  const controller = new AbortController();
  for await (const chunk of generate(values)) {
    if (controller.signal.aborted) break;
    const t = typeof chunk.content === 'string' ? chunk.content : '';
    if (t.length === 0) continue;
    const safe = guard.push(t);
    if (safe === null) throw new Error('unexpected match');
    if (safe.length > 0) show(safe);
  }
  const rest = guard.end();
  if (rest.length > 0) show(rest);
  report({ chars, done: true });
  return text;
}

interface Figure {
  /** Medians, ms per run. */
  a: number;
  b: number;
  /** Median and range of the per-round ratios a/b. */
  ratio: number;
  low: number;
  high: number;
}

/**
 * Runs a and b back to back in every round (the order flips each round); the wall-clock figure
 * and this process's CPU time (what the other engineers' processes on a shared machine cannot add to).
 */
async function sideBySide(a: () => Promise<unknown>, b: () => Promise<unknown>): Promise<{ wall: Figure; cpu: Figure }> {
  const samples = { wall: [[], []] as number[][], cpu: [[], []] as number[][] };
  for (let round = 0; round < ROUNDS + 2; round++) {
    for (const side of round % 2 ? [1, 0] : [0, 1]) {
      const cpu = process.cpuUsage();
      const start = performance.now();
      await (side === 0 ? a : b)();
      const wall = performance.now() - start;
      const used = process.cpuUsage(cpu);
      if (round < 2) continue;
      samples.wall[side].push(wall);
      samples.cpu[side].push((used.user + used.system) / 1000);
    }
  }
  const mid = (xs: number[]): number => [...xs].sort((x, y) => x - y)[xs.length >> 1];
  const figure = ([ta, tb]: number[][]): Figure => {
    const ratios = ta.map((x, i) => x / tb[i]);
    return { a: mid(ta), b: mid(tb), ratio: mid(ratios), low: Math.min(...ratios), high: Math.max(...ratios) };
  };
  return { wall: figure(samples.wall), cpu: figure(samples.cpu) };
}

const fmt = (f: Figure): string => `${f.ratio.toFixed(2)}× (${f.low.toFixed(2)}–${f.high.toFixed(2)})`;
const both = (r: { wall: Figure; cpu: Figure }, digits = 0): string =>
  `wall ${r.wall.a.toFixed(digits)} vs ${r.wall.b.toFixed(digits)} ms: ${fmt(r.wall)}; CPU ${r.cpu.a.toFixed(digits)} vs ${r.cpu.b.toFixed(digits)} ms: ${fmt(r.cpu)}`;

async function pipelineVsLoop(values: readonly AIMessageChunk[], reply: string): Promise<void> {
  let seen = 0;
  const report = (p: { chars: number }): void => void (seen += p.chars);
  const source = (): Observable<AIMessageChunk> => fromAsyncIterableFactory(() => generate(values));
  const full = (): Promise<string> => lastValueFrom(source().pipe(textContent(), abortOn(TEN_WORDS), tapProgress(report, { everyChars: 50 }), collectText()));
  const noProgress = (): Promise<string> => lastValueFrom(source().pipe(textContent(), abortOn(TEN_WORDS), collectText()));
  const loop = (): Promise<string> => handLoop(values, report);
  // Same work: the same text out, the same sum of the chars read from every report.
  const ourText = await full();
  const ourSeen = seen;
  seen = 0;
  if (ourText !== reply || (await loop()) !== reply || seen !== ourSeen) throw new Error('the pipeline and the hand loop disagree');
  const r = await sideBySide(full, loop);
  const p = await sideBySide(full, noProgress);
  const ns = (f: Figure): string => `${(((f.a - f.b) * 1e6) / values.length).toFixed(0)} ns`;
  console.log(`1. async generator of ${values.length.toLocaleString('en')} AIMessageChunks: textContent → abortOn(10 words) → tapProgress(everyChars: 50) → collectText (review: 2.16×)`);
  console.log(`   pipeline vs hand for-await loop: ${both(r)}`);
  console.log(`   tapProgress alone (pipeline with it minus without, a chunk): wall ${ns(p.wall)}, CPU ${ns(p.cpu)} (review: ≈ 400 ns)`);
}

/** One row of 2: abortOn and the loop over the same string chunks. */
async function abortOnRow(texts: readonly string[], words: readonly string[], kind: 'async generator' | 'array', label: string): Promise<void> {
  let a = 0;
  let b = 0;
  const ours = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const source = kind === 'array' ? from(texts) : fromAsyncIterableFactory(() => generate(texts));
      source.pipe(abortOn(words)).subscribe({ next: (t) => void (a += t.length), error: reject, complete: resolve });
    });
  const loop = async (): Promise<void> => {
    const guard = tailWindow(words);
    const take = (t: string): void => {
      const safe = guard.push(t);
      if (safe === null) throw new Error('unexpected match');
      b += safe.length;
    };
    if (kind === 'array') for (const t of texts) take(t);
    else for await (const t of generate(texts)) take(t);
    b += guard.end().length;
  };
  const r = await sideBySide(ours, loop);
  if (a !== b) throw new Error(`abortOn and the loop disagree (${a} vs ${b})`);
  console.log(`   ${label.padEnd(40)} ${both(r, 1)}`);
}

async function abortOnVsLoop(texts: readonly string[]): Promise<void> {
  console.log(`2. abortOn(10 words) vs a tail-window RegExp loop with the same hold-back, ${texts.length.toLocaleString('en')} string chunks (review: 1.23–1.34×)`);
  for (const kind of ['async generator', 'array'] as const) {
    await abortOnRow(texts, TEN_WORDS, kind, `${kind}, words start like the reply's`);
    await abortOnRow(texts, RARE_STARTS, kind, `${kind}, words start with rare units`);
  }
}

export async function run(): Promise<void> {
  const texts = tokens();
  const reply = texts.join('');
  if ([...TEN_WORDS, ...RARE_STARTS].some((w) => reply.includes(w))) throw new Error('a forbidden word occurs in the reply');
  await pipelineVsLoop(texts.map((content) => new AIMessageChunk({ content })), reply);
  await abortOnVsLoop(texts);
}
