/**
 * Operator figures, each against a hand-written baseline (bench/baselines.ts: the same
 * work with its own code), as medians of interleaved rounds with their range:
 *  (a) abortOn vs a tail-window scan with one alternation RegExp, 224 KB in 2–5 unit
 *      chunks, never matching, 10 / 100 / 1,000 words, case-sensitive and -insensitive;
 *      build cost and heap per live stream (a pattern set compiled per call vs shared);
 *  (b) textContent → abortOn → tapProgress → collectText vs a hand loop doing the same
 *      (concatenate, scan 5 words incrementally, count chars / words every 50 chars),
 *      650 KB, synchronous and asynchronous sources;
 *  (c) textContent → collectText vs a hand loop over an async generator, and over a synchronous
 *      source vs rxjs composing the same steps with the loop's code (decision 0370), with rxjs's
 *      floors (one `reduce` doing the loop's work; the same steps) printed for both;
 *  (d) smooth vs the AI SDK's smoothStream on the same text, and on long runs without a
 *      word boundary (emoji, `=-`), where work per chunk must stay bounded.
 * Synchronous sources are `from(array)` (a cached reply replayed); the async one is an
 * async generator, read with `fromAsyncIterableFactory` / `for await` with a signal.
 */
import { filter, from, lastValueFrom, map, reduce, Subject, toArray, type Observable, type OperatorFunction } from 'rxjs';
import { AIMessageChunk } from '@langchain/core/messages';
import { smoothStream } from 'ai';
import * as lib from '../src';
import { abortOn, collectText, fromAsyncIterableFactory, smooth, tapProgress, textContent, type ProgressEvent } from '../src';
import { chunkText, makePatterns, makeReply } from './corpus';
import { codePoints, handTextOf, handWordCounter, tailGuard, type GuardStream } from './baselines';
import { fmtRatio, fmtStats, heapUsed, interleave, kb, median, ratioOf, verdict, type Stats } from './measure';

const KB = 1024;
/** The shared compiled pattern set, when the library has one (`forbiddenWords`). */
const compile = (lib as unknown as { forbiddenWords?: (p: string[], o?: object) => unknown }).forbiddenWords;
type Guard = Parameters<typeof abortOn>[0];

function guardOf(patterns: string[], caseInsensitive: boolean): { op: OperatorFunction<string, string>; shared: boolean } {
  if (compile) return { op: abortOn(compile(patterns, { caseInsensitive }) as Guard), shared: true };
  return { op: abortOn(patterns, { caseInsensitive }), shared: false };
}

/** One row of (a): abortOn and the tail-window loop over the same chunks, sync `from(array)` or an async generator. */
async function abortOnRow(chunks: string[], patterns: string[], caseInsensitive: boolean, kind: 'sync' | 'async'): Promise<void> {
  const { op } = guardOf(patterns, caseInsensitive);
  const guard = tailGuard(patterns, caseInsensitive);
  let sinkA = 0;
  let sinkB = 0;
  async function* produce(): AsyncGenerator<string> {
    for (const c of chunks) yield c;
  }
  const ours = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const source = kind === 'sync' ? from(chunks) : fromAsyncIterableFactory(() => produce());
      source.pipe(op).subscribe({ next: (t) => (sinkA += t.length), error: reject, complete: resolve });
    });
  const push = (g: GuardStream, c: string): void => {
    const safe = g.push(c);
    if (safe === null) throw new Error('unexpected match');
    sinkB += safe.length;
  };
  const loop = async (): Promise<void> => {
    const g = guard();
    if (kind === 'sync') for (const c of chunks) push(g, c);
    else {
      const ac = new AbortController();
      for await (const c of produce()) {
        if (ac.signal.aborted) break;
        push(g, c);
      }
    }
    sinkB += g.end().length;
  };
  const s = await interleave({ ours, loop }, { rounds: 11, repeat: kind === 'sync' ? 3 : 1 });
  if (sinkA !== sinkB) throw new Error(`abortOn and the tail-window loop disagree (${sinkA} vs ${sinkB})`);
  const r = ratioOf(s.ours, s.loop);
  const source = kind === 'sync' ? 'sync' : 'async generator';
  console.log(`| ${patterns.length} | ${caseInsensitive ? 'insensitive' : 'sensitive'} | ${source} | ${fmtStats(s.ours)} | ${fmtStats(s.loop)} | ${fmtRatio(r)} | ${verdict(r.median, 1.0)} |`);
}

async function benchAbortOn(): Promise<void> {
  console.log('### (a) abortOn vs a tail-window loop (one alternation RegExp + Set hold-back; 224 KB, 2–5 unit chunks, never matching)\n');
  console.log('| words | case | source | abortOn | tail-window loop | ratio (goal ≤ 1.0×) | |');
  console.log('| ---: | --- | --- | ---: | ---: | ---: | --- |');
  const reply = makeReply(224 * KB);
  const chunks = chunkText(reply);
  for (const caseInsensitive of [false, true]) {
    for (const count of [10, 100, 1000]) await abortOnRow(chunks, makePatterns(count, reply), caseInsensitive, 'sync');
  }
  // The source kind of the independent measurement (issue 26): a model's stream is asynchronous.
  await abortOnRow(chunks, makePatterns(10, reply), false, 'async');
  await abortOnRow(chunks, makePatterns(10, reply), true, 'async');
  console.log(`\n${chunks.length} chunks. Per-chunk cost at 100 words, 14 KB → 1 MB (flat = linear in the text):`);
  const perChunk: number[] = [];
  for (const size of [14 * KB, 1024 * KB]) {
    const text = makeReply(size);
    const cs = chunkText(text);
    const { op } = guardOf(makePatterns(100, text), false);
    const s = await interleave({ run: () => void from(cs).pipe(op).subscribe() }, { rounds: 9, repeat: size < 100 * KB ? 20 : 1 });
    perChunk.push((s.run.median * 1e6) / cs.length);
  }
  console.log(`  ${perChunk.map((n) => `${n.toFixed(0)} ns`).join(' → ')} per chunk (${(perChunk[1] / perChunk[0]).toFixed(2)}×)`);

  // Build cost and heap per live stream: the README builds the pipeline per request.
  console.log('\nBuild cost and heap per live stream (2,000 live streams, one chunk pushed into each; heap includes typed-array stores):');
  for (const count of [1, 100]) {
    const patterns = count === 1 ? ['Java'] : makePatterns(count, reply);
    const build = await interleave({ perCall: () => void abortOn(patterns) }, { rounds: 9, repeat: 200 });
    /** Median of 5 samples of (heap after − heap before) / 2,000 live streams. */
    const live = (makeOp: () => OperatorFunction<string, string>): number => {
      const samples: number[] = [];
      for (let round = 0; round < 5; round++) {
        const subjects: Array<Subject<string>> = [];
        const base = heapUsed();
        for (let i = 0; i < 2000; i++) {
          const s = new Subject<string>();
          s.pipe(makeOp()).subscribe();
          s.next('some text Ja');
          subjects.push(s);
        }
        samples.push((heapUsed() - base) / 2000);
        subjects.forEach((s) => s.complete());
      }
      return median(samples);
    };
    const perCall = live(() => abortOn(patterns));
    const sharedSet = compile ? compile(patterns) : undefined;
    const shared = sharedSet ? live(() => abortOn(sharedSet as Guard)) : undefined;
    console.log(
      `  ${count === 1 ? "abortOn(['Java'])" : `${count} words`}: build ${fmtStats(build.perCall)} per abortOn() call; heap per live stream ${kb(perCall)} built per call` +
        (shared !== undefined ? `, ${kb(shared)} with one shared forbiddenWords() set` : ' (no shareable pattern set)'),
    );
  }
}

const FIVE_WORDS = ['Javascript', '禁止词汇', 'forbidden', 'qxzv', 'Strqxea'];
/** 680 KB in 2–5 unit chunks: ~198,000 chunks, the size of the independent measurement (issue 26). */
const PIPELINE_KB = 680;

type Reads = 'chars' | 'chars + words';
interface HandLoop {
  push(v: AIMessageChunk): void;
  end(): string;
}

/**
 * The hand loop of (b): what the pipeline does, with the best baseline for each stage —
 * the text of the chunk, the tail-window guard, code points counted per chunk and a report
 * object every 50 chars (words by `Intl.Segmenter` only when the callback reads them), the
 * text concatenated.
 */
function handPipeline(guard: () => GuardStream, reads: Reads, report: (chars: number, words: number) => void): HandLoop {
  const g = guard();
  const words = reads === 'chars + words' ? handWordCounter() : undefined;
  let all = '';
  let chars = 0;
  let last = 0;
  let next = 50;
  const show = (safe: string): void => {
    all += safe;
    chars += codePoints(safe, last);
    last = safe.charCodeAt(safe.length - 1);
    words?.add(safe);
    if (chars >= next) {
      next = (Math.floor(chars / 50) + 1) * 50;
      report(chars, words ? words.count() : 0);
    }
  };
  return {
    push(v) {
      const text = handTextOf(v);
      if (text.length === 0) return;
      const safe = g.push(text);
      if (safe === null) throw new Error('unexpected match');
      if (safe.length > 0) show(safe);
    },
    end() {
      const rest = g.end();
      if (rest.length > 0) show(rest);
      report(chars, words ? words.count() : 0); // the final report
      return all;
    },
  };
}

/** One row of (b): the pipeline and the hand loop over the same source, same text and reports checked. */
async function pipelineRow(values: AIMessageChunk[], reads: Reads, kind: 'sync' | 'async', reply: string): Promise<number> {
  const guardSet = compile ? (compile(FIVE_WORDS) as Guard) : FIVE_WORDS;
  const guard = tailGuard(FIVE_WORDS);
  let seen = 0;
  let handSeen = 0;
  const onProgress = reads === 'chars' ? (p: ProgressEvent): void => void (seen += p.chars) : (p: ProgressEvent): void => void (seen += p.chars + p.words);
  const handReport = (chars: number, words: number): void => void (handSeen += chars + words);
  async function* produce(): AsyncGenerator<AIMessageChunk> {
    for (const v of values) yield v;
  }
  const source = (): Observable<AIMessageChunk> => (kind === 'sync' ? from(values) : fromAsyncIterableFactory(() => produce()));
  const pipeline = (): Promise<string> =>
    lastValueFrom(source().pipe(textContent(), abortOn(guardSet), tapProgress(onProgress, { everyChars: 50 }), collectText()));
  const loop = async (): Promise<string> => {
    const h = handPipeline(guard, reads, handReport);
    if (kind === 'sync') for (const v of values) h.push(v);
    else {
      const ac = new AbortController();
      for await (const v of produce()) {
        if (ac.signal.aborted) break;
        h.push(v);
      }
    }
    return h.end();
  };
  // Same work: the same text out, the same sum of the fields read from every report.
  if ((await pipeline()) !== reply || (await loop()) !== reply) throw new Error('pipeline and hand loop disagree with the reply');
  if (seen !== handSeen) throw new Error(`reports differ: pipeline ${seen} vs hand loop ${handSeen}`);
  const s = await interleave({ pipeline, loop }, { rounds: 11 });
  const r = ratioOf(s.pipeline, s.loop);
  const ns = (ms: number): string => `${((ms * 1e6) / values.length).toFixed(0)} ns`;
  const label = kind === 'sync' ? 'sync `from(array)`' : 'async generator';
  console.log(`| ${label} | ${reads} | ${fmtStats(s.pipeline)} | ${fmtStats(s.loop)} | ${ns(s.pipeline.median - s.loop.median)} | ${fmtRatio(r)} | ${verdict(r.median, 1.3)} |`);
  return r.median;
}

async function benchPipeline(): Promise<void> {
  console.log(`\n### (b) textContent → abortOn → tapProgress → collectText vs a hand loop (${PIPELINE_KB} KB, 5 words, a report every 50 chars)\n`);
  console.log('| source | callback reads | pipeline | hand loop | extra per chunk | ratio (goal ≤ 1.3×) | |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | --- |');
  const reply = makeReply(PIPELINE_KB * KB);
  const values = chunkText(reply).map((content) => new AIMessageChunk({ content }));
  // The headline first: an async generator (what a model's stream is) and a callback reading chars.
  for (const [kind, reads] of [['async', 'chars'], ['sync', 'chars'], ['async', 'chars + words'], ['sync', 'chars + words']] as const) {
    await pipelineRow(values, reads, kind, reply);
  }
  console.log(`\n${values.length} chunks of AIMessageChunk.`);
}

/** One run of (c): the pipeline, the loop, and rxjs's floors, ratios of per-round medians. */
interface CollectTextRun {
  /** Per-round ratios: the pipeline / the hand loop. */
  ratio: Stats;
  /** Per-round ratios: the pipeline / the same steps composed of rxjs operators with the loop's code. */
  ofSteps: Stats;
  line: string;
}

/** One run of (c) over one source kind: the pipeline, the loop and rxjs's two floors, 15 interleaved rounds. */
async function collectTextRun(values: AIMessageChunk[], reply: string, kind: 'sync' | 'async'): Promise<CollectTextRun> {
  async function* produce(): AsyncGenerator<AIMessageChunk> {
    for (const v of values) yield v;
  }
  const source = (): Observable<AIMessageChunk> => (kind === 'sync' ? from(values) : fromAsyncIterableFactory(() => produce()));
  const ours = (): Promise<string> => lastValueFrom(source().pipe(textContent(), collectText()));
  const add = (all: string, v: AIMessageChunk): string => {
    const t = handTextOf(v);
    return t.length > 0 ? all + t : all;
  };
  const loop = async (): Promise<string> => {
    let all = '';
    if (kind === 'sync') for (const v of values) all = add(all, v);
    else {
      const ac = new AbortController(); // fromAsyncIterableFactory passes a signal too
      for await (const v of produce()) {
        if (ac.signal.aborted) break;
        all = add(all, v);
      }
    }
    return all;
  };
  // rxjs's floors over the same source, with the loop's own code and no operator of ours: one
  // `reduce` (the least rxjs can cost a value), and the pipeline's own steps (textContent is
  // map + filter, collectText a reduce), which is what the composed operators are.
  const floor = (): Promise<string> => lastValueFrom(source().pipe(reduce(add, '')));
  const steps = (): Promise<string> =>
    lastValueFrom(source().pipe(map(handTextOf), filter((t) => t.length > 0), reduce((all, t) => all + t, '')));
  for (const f of [ours, loop, floor, steps]) if ((await f()) !== reply) throw new Error('(c): the pipeline, the loop and the floors disagree');
  // A sync run is ~25 ms: three calls a sample, so one scavenge does not decide a round.
  const s = await interleave({ ours, loop, floor, steps }, { rounds: 15, cpu: true, repeat: kind === 'sync' ? 3 : 1 });
  const r = ratioOf(s.ours, s.loop);
  const o = ratioOf(s.ours, s.steps);
  const line =
    `pipeline ${fmtStats(s.ours)}, hand loop ${fmtStats(s.loop)}: ${fmtRatio(r)}; ` +
    `rxjs floors: one reduce ${fmtStats(s.floor)} (${fmtRatio(ratioOf(s.floor, s.loop))} of the loop), ` +
    `the same steps (map → filter → reduce, the loop's code) ${fmtStats(s.steps)} (${fmtRatio(ratioOf(s.steps, s.loop))}); pipeline / same steps ${fmtRatio(o)}`;
  return { ratio: r, ofSteps: o, line };
}

/**
 * (c) textContent → collectText, three runs of 15 rounds, judged by the median of their 45
 * per-round ratios (decision 0370: one 15-round run wobbles ±0.05 on a shared machine). Async generator (what a model's stream is: issue 26, "source kind"): ≤ 1.2× the hand
 * loop. Synchronous `from(array)` (a cached reply): rxjs's own dispatch is most of the cost there
 * (even one `reduce` with the loop's code is 1.2–2.1× the loop), so the goal is what our
 * operators add to rxjs composing the same steps: ≤ 1.1× `map → filter → reduce` with the loop's code.
 */
async function benchCollectText(): Promise<void> {
  console.log('\n### (c) textContent → collectText vs a hand loop (650 KB; CPU time of this process, in-process sources)\n');
  const reply = makeReply(650 * KB);
  const values = chunkText(reply).map((content) => new AIMessageChunk({ content }));
  for (const kind of ['async', 'sync'] as const) {
    const judged: number[] = [];
    const medians: string[] = [];
    for (let run = 1; run <= 3; run++) {
      const { ratio, ofSteps, line } = await collectTextRun(values, reply, kind);
      const r = kind === 'async' ? ratio : ofSteps;
      judged.push(...r.samples);
      medians.push(`${r.median.toFixed(2)}×`);
      console.log(`${kind === 'sync' ? 'sync `from(array)`' : 'async generator'} run ${run}: ${line}`);
    }
    const pooled = median(judged);
    const runs = `runs ${medians.join(', ')}; median of the ${judged.length} rounds ${pooled.toFixed(2)}×`;
    console.log(
      kind === 'async'
        ? `async: pipeline / hand loop, goal ≤ 1.2×: ${runs} → ${verdict(pooled, 1.2)}\n`
        : `sync: pipeline / the same steps in rxjs, goal ≤ 1.1×: ${runs} → ${verdict(pooled, 1.1)}`,
    );
  }
  console.log(`${values.length} chunks of AIMessageChunk.`);
}

async function readAll<T>(stream: ReadableStream<T>): Promise<T[]> {
  const out: T[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return out;
    out.push(value);
  }
}

/** The AI SDK's `smoothStream` transform over one text part made of `chunks`: the number of parts out. */
function viaSmoothStream(sdk: ReturnType<typeof smoothStream>): (chunks: string[]) => Promise<number> {
  return async (chunks) => {
    const input = new ReadableStream({
      start(c) {
        c.enqueue({ type: 'text-start', id: '1' });
        for (const text of chunks) c.enqueue({ type: 'text-delta', id: '1', text });
        c.enqueue({ type: 'text-end', id: '1' });
        c.close();
      },
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const parts = await readAll(input.pipeThrough(sdk({ tools: {} } as any) as any));
    return parts.length;
  };
}

async function benchSmooth(): Promise<void> {
  console.log('\n### (d) smooth vs the AI SDK smoothStream (same Intl.Segmenter word chunking, no delay)\n');
  const segmenter = new Intl.Segmenter(undefined, { granularity: 'word' });
  const viaSdk = viaSmoothStream(smoothStream({ delayInMs: null, chunking: segmenter }));
  const viaOurs = async (chunks: string[]): Promise<number> => (await lastValueFrom(from(chunks).pipe(smooth({ chunking: segmenter }), toArray()))).length;

  const text = makeReply(64 * KB);
  const chunks = chunkText(text);
  const s = await interleave({ ours: () => viaOurs(chunks), sdk: () => viaSdk(chunks) }, { rounds: 9 });
  console.log(`64 KB of text: smooth ${fmtStats(s.ours)}, smoothStream ${fmtStats(s.sdk)}: ${fmtRatio(ratioOf(s.ours, s.sdk))} (keep < 1×)`);

  console.log('\nRuns without a word boundary (a model stuck in a loop): smooth must keep streaming, bounded work per chunk');
  console.log('| run | size | smooth (same segmenter) | smoothStream | ratio | smooth() default word mode | its pieces, longest |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  const sizes = process.env.SMOOTH_SIZES ? process.env.SMOOTH_SIZES.split(',').map(Number) : [2, 4, 8, 16];
  for (const [name, unit] of [['emoji', '😀'], ['`=-`', '=-']] as const) {
    for (const size of sizes) {
      const run = unit.repeat((size * KB) / unit.length);
      const cs = chunkText(run);
      let pieces: string[] = [];
      const rounds = size <= 16 ? 3 : 1;
      const a = await interleave({ ours: () => viaOurs(cs), sdk: () => viaSdk(cs) }, { rounds, warmup: 0 });
      const w = await interleave({ word: async () => (pieces = await lastValueFrom(from(cs).pipe(smooth(), toArray()))) }, { rounds, warmup: 0 });
      const longest = Math.max(...pieces.map((p) => p.length));
      console.log(`| ${name} | ${size} KB | ${fmtStats(a.ours)} | ${fmtStats(a.sdk)} | ${fmtRatio(ratioOf(a.ours, a.sdk))} | ${fmtStats(w.word)} | ${pieces.length}, ${longest} units |`);
    }
  }
  await benchSmoothLines(sizes);
}

/** (d), line mode: one line that never ends (Chinese, English, emoji; no `\n`), 3-unit chunks. */
async function benchSmoothLines(sizes: number[]): Promise<void> {
  const viaSdk = viaSmoothStream(smoothStream({ delayInMs: null, chunking: 'line' }));
  console.log("\nA line without a newline (a model that writes no `\\n`): smooth({ chunking: 'line' }) must keep streaming, bounded work per chunk");
  console.log("| run | size | smooth line mode | smoothStream line mode | ratio | its pieces, longest |");
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const size of sizes) {
    const unit = '你好 world 😀 ';
    const run = unit.repeat(Math.ceil((size * KB) / unit.length));
    const cs: string[] = [];
    for (let i = 0; i < run.length; i += 3) cs.push(run.slice(i, i + 3));
    let pieces: string[] = [];
    const line = async (): Promise<number> => (pieces = await lastValueFrom(from(cs).pipe(smooth({ chunking: 'line' }), toArray()))).length;
    const a = await interleave({ ours: line, sdk: () => viaSdk(cs) }, { rounds: size <= 16 ? 3 : 1, warmup: 0 });
    const longest = Math.max(...pieces.map((p) => p.length));
    console.log(`| no \`\\n\` | ${size} KB | ${fmtStats(a.ours)} | ${fmtStats(a.sdk)} | ${fmtRatio(ratioOf(a.ours, a.sdk))} | ${pieces.length}, ${longest} units |`);
  }
}

export async function run(): Promise<void> {
  const only = process.env.ONLY;
  if (!only || only.includes('a')) await benchAbortOn();
  if (!only || only.includes('b')) await benchPipeline();
  if (!only || only.includes('c')) await benchCollectText();
  if (!only || only.includes('d')) await benchSmooth();
}
