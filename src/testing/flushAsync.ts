import { VirtualTimeScheduler } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';

/** Options of {@link flushAsync}. */
export interface FlushAsyncOptions {
  /** Stop before the first frame after this one. Default: the scheduler's `maxFrames`. */
  maxFrames?: number;
}

/** Lets every pending promise settle: a macrotask turn drains the microtask queue. */
const settle = (): Promise<void> =>
  new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));

/** Promise turns per frame: LangChain's stream path settles in one; the others are a margin for chained turns. */
const TURNS_PER_FRAME = 3;

/**
 * Runs a `VirtualTimeScheduler`'s actions one frame at a time and lets promises settle
 * before each frame, so LangChain's real `stream()` path — a `marbleChatModel` given the
 * scheduler, a `prompt.pipe(model)` chain with any steps, a `createAgent` agent through
 * `fromAgent` — runs in virtual time: a chunk waited for until frame 5 reaches your
 * pipeline at frame 5, and a timeout on the same scheduler fires at its frame. It returns
 * when no action is left (a stall just stops there). Give the same scheduler to every
 * time operator (`streamTimeout({ scheduler })`, `retryBeforeFirstChunk({ scheduler })` …).
 * For a `TestScheduler` (not inside `run()`), its hot observables are set up first and its
 * `flush()` runs at the end, so `expectObservable` assertions are checked.
 *
 * `TestScheduler.run` cannot do this: its flush is synchronous, so a promise never settles
 * inside it (decision 0310).
 *
 * @example
 * ```ts
 * import { VirtualTimeScheduler } from 'rxjs';
 * import { createAgent } from 'langchain';
 * import { fromAgent, streamTimeout } from 'rxjs-langchain';
 * import { chunk, flushAsync, marbleChatModel } from 'rxjs-langchain/testing';
 *
 * test('an agent streams in virtual time', async () => {
 *   const scheduler = new VirtualTimeScheduler();
 *   const model = marbleChatModel('-a--b|', { a: '你', b: chunk('好', { response_metadata: { finish_reason: 'stop' } }) }, { scheduler });
 *   const agent = createAgent({ model, tools: [] });
 *   const seen: Array<[number, string]> = [];
 *   fromAgent(agent, { messages: [{ role: 'user', content: 'hi' }] })
 *     .pipe(streamTimeout({ idleMs: 10, scheduler }))
 *     .subscribe((part) => part.type === 'text' && seen.push([scheduler.now(), part.text]));
 *   await flushAsync(scheduler);
 *   expect(seen).toEqual([[1, '你'], [4, '好']]);
 * });
 * ```
 *
 * @see {@link marbleChatModel}, which waits for its frames on the scheduler it is given.
 *
 * @param scheduler The `VirtualTimeScheduler` (or `TestScheduler`) the model and operators were given.
 * @param options `maxFrames`: where to stop.
 * @returns A promise that resolves when no action is left before `maxFrames`.
 */
export async function flushAsync(scheduler: VirtualTimeScheduler, options: FlushAsyncOptions = {}): Promise<void> {
  if (!(scheduler instanceof VirtualTimeScheduler)) {
    throw new TypeError('flushAsync: scheduler must be a VirtualTimeScheduler or a TestScheduler (the one given to the model and the operators).');
  }
  const test = scheduler instanceof TestScheduler ? scheduler : undefined;
  while (test && test.hotObservables.length > 0) test.hotObservables.shift()!.setup();
  const limit = options.maxFrames ?? scheduler.maxFrames;
  const previous = scheduler.maxFrames;
  try {
    for (;;) {
      for (let turn = 0; turn < TURNS_PER_FRAME; turn++) await settle();
      const next = scheduler.actions[0];
      if (next === undefined || next.delay > limit) break;
      // VirtualTimeScheduler's own flush, bounded to the next frame (a TestScheduler's would check its assertions).
      scheduler.maxFrames = next.delay;
      VirtualTimeScheduler.prototype.flush.call(scheduler);
      scheduler.maxFrames = previous;
    }
  } finally {
    scheduler.maxFrames = previous;
  }
  test?.flush();
}
