/**
 * Concurrency: 10,000 concurrent streams of the embedded model (`ScriptedChatModel`,
 * 50-chunk reply) through one `mergeStreams` (`fromRunnable` per stream), against the
 * hand-written equivalent: `Promise.all` of `for await` loops over `model.stream()`, each
 * with its own `AbortController` signal (as `fromRunnable` passes one), counting values.
 *  1. wall time at zero latency, median of interleaved rounds with range (goal ≤ 1.1×);
 *  2. heap per live stream with all 10,000 in flight (chunkDelayMs 5), sampled after a full GC
 *     when half of all chunks arrived (goal ≤ 1.15× of the loops).
 * `npm run bench` runs node with --expose-gc; without it heap figures include garbage.
 */
import { ignoreElements, lastValueFrom, range, tap } from 'rxjs';
import { fromRunnable } from '../src/sources/fromRunnable';
import { mergeStreams } from '../src/concurrency/mergeStreams';
import { ScriptedChatModel } from '../src/offline/ScriptedChatModel';
import { tokenize } from '../src/offline/tokenize';
import { fmtRatio, fmtStats, heapUsed, interleave, kb, median, ratioOf, statsOf, verdict } from './measure';

const BASE = 'Python 是一种解释型语言，语法简洁 🐍. It is popular for data science, web development and automation, with a huge ecosystem of libraries and a friendly community. ';
const REPLY = tokenize(BASE + BASE).slice(0, 50).join('');
const TOKENS = tokenize(REPLY).length;
const N = Number(process.env.STREAMS ?? 10_000);
const QUESTION = '讲一个关于Python的笑话';

type Kind = 'mergeStreams' | 'loops';

/** Runs n concurrent streams one way; `onValue` per chunk, `onComplete` per finished stream. */
async function runStreams(model: ScriptedChatModel, n: number, kind: Kind, onValue: () => void, onComplete: () => void): Promise<void> {
  if (kind === 'mergeStreams') {
    await lastValueFrom(
      range(0, n).pipe(
        mergeStreams(() => fromRunnable(model, QUESTION), { concurrency: n }),
        tap((e) => {
          if (e.type === 'value') onValue();
          else if (e.type === 'complete') onComplete();
          else throw e.error;
        }),
        ignoreElements(),
      ),
      { defaultValue: undefined },
    );
  } else {
    await Promise.all(
      Array.from({ length: n }, async () => {
        const controller = new AbortController();
        for await (const _ of await model.stream(QUESTION, { signal: controller.signal })) onValue();
        onComplete();
      }),
    );
  }
}

async function wall(n: number, kind: Kind): Promise<void> {
  const model = new ScriptedChatModel({ reply: REPLY });
  let values = 0;
  await runStreams(model, n, kind, () => void values++, () => undefined);
  if (values !== n * TOKENS) throw new Error(`expected ${n * TOKENS} chunks, got ${values}`);
}

/** Heap per in-flight stream, sampled after a full GC when half of all chunks have arrived. */
async function heapPerStream(n: number, kind: Kind): Promise<{ perStream: number; active: number }> {
  const model = new ScriptedChatModel({ reply: REPLY, chunkDelayMs: 5 });
  const half = (n * TOKENS) / 2;
  const base = heapUsed();
  let values = 0;
  let completed = 0;
  let sample: { perStream: number; active: number } | undefined;
  await runStreams(
    model,
    n,
    kind,
    () => {
      if (++values === half) sample = { perStream: (heapUsed() - base) / n, active: n - completed };
    },
    () => void completed++,
  );
  return sample!;
}

export async function run(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  console.log(`${N.toLocaleString('en')} concurrent streams × ${TOKENS} chunks; gc ${gc ? 'exposed' : 'NOT exposed (heap figures include garbage)'}\n`);
  await wall(1000, 'mergeStreams'); // JIT
  await wall(1000, 'loops');
  const rounds = Number(process.env.ROUNDS ?? 9);
  const t = await interleave({ mergeStreams: () => wall(N, 'mergeStreams'), loops: () => wall(N, 'loops') }, { rounds, warmup: 1, gcBetween: true });
  const r = ratioOf(t.mergeStreams, t.loops);
  console.log(`wall: mergeStreams ${fmtStats(t.mergeStreams)}, for-await loops with a signal ${fmtStats(t.loops)}: ${fmtRatio(r)} (goal ≤ 1.1×: ${verdict(r.median, 1.1)})`);

  const heap: Record<Kind, number[]> = { mergeStreams: [], loops: [] };
  const heapRounds = Number(process.env.HEAP_ROUNDS ?? 3);
  for (let i = 0; i < heapRounds; i++) {
    for (const kind of (i % 2 ? ['loops', 'mergeStreams'] : ['mergeStreams', 'loops']) as Kind[]) heap[kind].push((await heapPerStream(N, kind)).perStream);
  }
  const hm = median(heap.mergeStreams);
  const hl = median(heap.loops);
  const hr = statsOf(heap.mergeStreams.map((x, i) => x / heap.loops[i]));
  console.log(
    `heap per live stream (all ${N.toLocaleString('en')} in flight, median of ${heapRounds}): mergeStreams ${kb(hm)}, loops ${kb(hl)}: ${fmtRatio(hr)} (goal ≤ 1.15×: ${verdict(hr.median, 1.15)})`,
  );
}
