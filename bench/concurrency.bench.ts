/**
 * Concurrency figures (issue 5): N concurrent streams of the offline model
 * (`ScriptedChatModel`, 50-token reply) via `fromRunnable`, all through one
 * `mergeStreams` with concurrency N.
 *  1. wall time at zero latency for N = 1,000 and 10,000, and the growth ratio (goal: ~10×, linear);
 *  2. heap per active stream with 10,000 streams in flight (goal ≤ 20 KB), next to the same
 *     10,000 streams consumed by hand-written `for await` loops over `model.stream()` (LangChain's
 *     own cost, the floor). Heap is sampled after `global.gc()` when half of all chunks arrived.
 *     Run with `node --expose-gc -r ts-node/register/transpile-only bench/index.ts concurrency`;
 *     without `--expose-gc` the heap figures include garbage and are marked so.
 */
import { range, lastValueFrom, ignoreElements, tap } from 'rxjs';
import { fromRunnable } from '../src/sources/fromRunnable';
import { mergeStreams } from '../src/concurrency/mergeStreams';
import { ScriptedChatModel } from '../src/offline/ScriptedChatModel';
import { tokenize } from '../src/offline/tokenize';

const BASE = 'Python 是一种解释型语言，语法简洁 🐍. It is popular for data science, web development and automation, with a huge ecosystem of libraries and a friendly community. ';
const REPLY = tokenize(BASE + BASE).slice(0, 50).join('');
const TOKENS = tokenize(REPLY).length;

type Kind = 'mergeStreams' | 'for await';
const gc = (globalThis as { gc?: () => void }).gc;
const heapUsed = (): number => {
  gc?.();
  return process.memoryUsage().heapUsed;
};

/** Wall time of n concurrent streams, zero latency: through mergeStreams, or hand-written `for await` loops. */
async function wallTime(n: number, kind: Kind): Promise<number> {
  const model = new ScriptedChatModel({ reply: REPLY });
  let values = 0;
  const start = performance.now();
  if (kind === 'mergeStreams') {
    await lastValueFrom(
      range(0, n).pipe(
        mergeStreams(() => fromRunnable(model, '讲一个关于Python的笑话'), { concurrency: n }),
        tap((e) => {
          if (e.type === 'value') values++;
          else if (e.type === 'error') throw e.error;
        }),
        ignoreElements(),
      ),
      { defaultValue: undefined },
    );
  } else {
    await Promise.all(
      Array.from({ length: n }, async () => {
        for await (const _ of await model.stream('讲一个关于Python的笑话')) values++;
      }),
    );
  }
  const ms = performance.now() - start;
  if (values !== n * TOKENS) throw new Error(`expected ${n * TOKENS} chunks, got ${values}`);
  return ms;
}

/** Heap per in-flight stream, sampled when half of all chunks have arrived. */
async function heapPerStream(n: number, kind: Kind): Promise<{ perStream: number; active: number }> {
  const model = new ScriptedChatModel({ reply: REPLY, tokenMs: 5 });
  const half = (n * TOKENS) / 2;
  const base = heapUsed();
  let values = 0;
  let completed = 0;
  let sample: { perStream: number; active: number } | undefined;
  const onValue = (): void => {
    if (++values === half) sample = { perStream: (heapUsed() - base) / n, active: n - completed };
  };
  if (kind === 'mergeStreams') {
    await lastValueFrom(
      range(0, n).pipe(
        mergeStreams(() => fromRunnable(model, '讲一个关于Python的笑话'), { concurrency: n }),
        tap((e) => (e.type === 'value' ? onValue() : e.type === 'complete' ? completed++ : (() => { throw e.error; })())),
        ignoreElements(),
      ),
      { defaultValue: undefined },
    );
  } else {
    await Promise.all(
      Array.from({ length: n }, async () => {
        for await (const _ of await model.stream('讲一个关于Python的笑话')) onValue();
        completed++;
      }),
    );
  }
  return sample!;
}

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;

export async function run(): Promise<void> {
  console.log(`reply: ${TOKENS} tokens; gc: ${gc ? 'exposed' : 'NOT exposed (heap figures include garbage; run with --expose-gc)'}`);
  await wallTime(500, 'mergeStreams'); // warm-up
  await wallTime(500, 'for await');
  const times: Record<Kind, number[]> = { mergeStreams: [], 'for await': [] };
  for (const n of [1_000, 10_000]) {
    for (const kind of ['mergeStreams', 'for await'] as const) {
      const ms = await wallTime(n, kind);
      times[kind].push(ms);
      console.log(`wall time, ${n.toLocaleString('en')} streams × ${TOKENS} chunks, ${kind.padEnd(12)}: ${ms.toFixed(0)} ms (${((ms * 1000) / n).toFixed(0)} µs/stream)`);
    }
  }
  for (const kind of ['mergeStreams', 'for await'] as const) {
    console.log(`time growth 1,000 → 10,000 streams, ${kind.padEnd(12)}: ${(times[kind][1] / times[kind][0]).toFixed(2)}× (linear = 10×)`);
  }
  console.log(`mergeStreams / for await at 10,000: ${(times.mergeStreams[1] / times['for await'][1]).toFixed(2)}×`);

  const n = 10_000;
  const rx = await heapPerStream(n, 'mergeStreams');
  const floor = await heapPerStream(n, 'for await');
  console.log(`heap per active stream (${n.toLocaleString('en')} in flight, tokenMs 5, sampled at half the chunks):`);
  console.log(`  fromRunnable + mergeStreams: ${kb(rx.perStream)} (${rx.active} active at the sample; goal ≤ 20 KB)`);
  console.log(`  for await over model.stream(): ${kb(floor.perStream)} (${floor.active} active) — LangChain's own floor`);
  console.log(`  rx overhead: ${kb(rx.perStream - floor.perStream)} per stream (${(rx.perStream / floor.perStream).toFixed(2)}×)`);
}
