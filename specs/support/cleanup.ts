/**
 * Closers for what a test starts (servers, clients, child processes, browsers, pages), run by
 * `afterEach` whatever the test did: passed, threw, or timed out. A timed-out test's
 * `try { … } finally { close() }` never closes anything (the awaited promise never settles, so
 * its `finally` never runs) and the open handles kept jest, and CI, alive after the run
 * (docs/decisions/0395). Register the closer right after the start, instead of a `finally`:
 *
 * @example
 * ```ts
 * const cleanup = useCleanup(); // in the describe (or file) whose tests start things
 * it('…', async () => {
 *   const server = await startAgentServer({ port: 0 });
 *   cleanup(() => server.close());
 *   expect(await ask(server)).toBe('…');
 * });
 * ```
 *
 * Call `useCleanup()` before your own `afterEach` in the same describe: a describe's `afterEach`
 * hooks run in the order declared (and an inner describe's before an outer one's), so the test's
 * closers then run first, where its `finally` ran.
 *
 * Closers run last-registered first (what was started last, on top of the rest, goes first), one
 * at a time. One stuck closer cannot hold the others back: after `CLOSER_PATIENCE_MS` the next one
 * starts (the stuck one is named on stderr and keeps running; if it never ends, the open-handle
 * reports name what it holds). A closer that throws fails the test, as a throwing `finally` did.
 */

import type { ChildProcess } from 'node:child_process';

/** A closer: closes one thing; may return a promise. */
export type Closer = () => unknown;

/** Registers a closer for the end of the current test. */
export type Cleanup = (close: Closer) => void;

/**
 * How long one closer may take before the next one starts anyway. Not a bound on any behaviour
 * under test: nothing fails when it passes, the next closer only stops waiting.
 */
export const CLOSER_PATIENCE_MS = 30_000;

/**
 * Registers an `afterEach` (in the enclosing `describe`, or the file) that runs the closers the
 * test registered, and returns the function that registers them.
 */
export function useCleanup(patienceMs = CLOSER_PATIENCE_MS): Cleanup {
  let closers: Closer[] = [];
  afterEach(() => {
    const due = closers.reverse();
    closers = [];
    return runClosers(due, patienceMs);
  });
  return (close) => void closers.push(close);
}

/**
 * `useCleanup` for what a `beforeAll` starts (the services a describe shares): an `afterAll` runs
 * the closers, whether the hook and the tests passed, threw or timed out. A closer registered after
 * that `afterAll` ran (a start that outlived its `beforeAll`'s timeout) runs at once; what it
 * throws then goes to stderr, as no hook is left to fail.
 *
 * @example
 * ```ts
 * const cleanupAll = useCleanupAfterAll();
 * let redis: RedisServer;
 * beforeAll(async () => {
 *   redis = await startRedisServer();
 *   cleanupAll(() => redis.stop());
 * });
 * ```
 */
export function useCleanupAfterAll(patienceMs = CLOSER_PATIENCE_MS): Cleanup {
  let closers: Closer[] | undefined = [];
  afterAll(() => {
    const due = closers!.reverse();
    closers = undefined;
    return runClosers(due, patienceMs);
  });
  return (close) => {
    if (closers) return void closers.push(close);
    runClosers([close], patienceMs).catch((error: unknown) => process.stderr.write(`[cleanup] a closer registered after its afterAll failed: ${String(error)}\n`));
  };
}

/**
 * Runs `closers` in this order, each once, the next one starting when the one before closed or
 * outlived `patienceMs`; rejects with the closers' error(s) after all ran.
 */
export async function runClosers(closers: readonly Closer[], patienceMs = CLOSER_PATIENCE_MS): Promise<void> {
  const errors: unknown[] = [];
  for (const close of closers) {
    const error = await runPatiently(close, patienceMs);
    if (error !== undefined) errors.push(error);
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, `${errors.length} closers failed`);
}

/** Runs one closer; resolves with its error (undefined when it closed or outlived our patience). */
async function runPatiently(close: Closer, patienceMs: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const closed = Promise.resolve()
    .then(close)
    .then(
      () => ({ error: undefined }),
      (error: unknown) => ({ error: error ?? new Error('a closer rejected with nothing') }),
    );
  const outlived = new Promise<'outlived'>((resolve) => {
    timer = setTimeout(() => resolve('outlived'), patienceMs);
    timer.unref();
  });
  const outcome = await Promise.race([closed, outlived]);
  clearTimeout(timer);
  if (outcome !== 'outlived') return outcome.error;
  process.stderr.write(`[cleanup] still closing after ${patienceMs / 1000} s, starting the next closer: ${String(close).slice(0, 120)}\n`);
  return undefined;
}

/**
 * A closer for a child process the test waits on to exit by itself: SIGKILL if it still runs (a
 * test that timed out while waiting), nothing if it exited.
 */
export const killChild =
  (child: ChildProcess): Closer =>
  () =>
    void (child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'));
