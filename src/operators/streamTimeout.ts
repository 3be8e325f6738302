import { asyncScheduler, Observable, type MonoTypeOperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import { StreamTimeoutError, type StreamTimeoutKind } from '../errors';
import { assertObject, describe } from '../internal/validate';

/** Options of {@link streamTimeout}; give at least one limit. */
export interface StreamTimeoutOptions {
  /** Max wait from subscription to the first value, ms. */
  firstChunkMs?: number;
  /** Max gap between two values, ms. Applies after the first value only; bound the wait for it with `firstChunkMs`. */
  idleMs?: number;
  /** Max time from subscription to completion, ms. */
  totalMs?: number;
  /** Where timers run. Default `asyncScheduler`. */
  scheduler?: SchedulerLike;
}

/**
 * Errors with `StreamTimeoutError` (`kind: 'first-chunk' | 'idle' | 'total'`) when
 * the first chunk, the next chunk or completion takes too long, and unsubscribes
 * upstream in the same moment, so a `fromRunnable` source aborts its HTTP request
 * instead of waiting on a stalled server.
 *
 * @example
 * ```ts
 * import { ChatOpenAI } from '@langchain/openai';
 * import { fromRunnable, streamTimeout, textContent } from 'rxjs-langchain';
 *
 * const model = new ChatOpenAI({ model: 'gpt-4o-mini' });
 * fromRunnable(model, '介绍Python').pipe(
 *   streamTimeout({ firstChunkMs: 15_000, idleMs: 5_000, totalMs: 120_000 }),
 *   textContent(),
 * ).subscribe((text) => process.stdout.write(text));
 * ```
 *
 * @see {@link retryBeforeFirstChunk}, which can retry a first-chunk timeout.
 * @see {@link StreamTimeoutError}
 *
 * @param options `firstChunkMs`, `idleMs` and `totalMs` (at least one), and the `scheduler` for time.
 * @returns A function that returns an Observable mirroring the source that errors with `StreamTimeoutError` when a limit passes.
 */
export function streamTimeout<T>(options: StreamTimeoutOptions): MonoTypeOperatorFunction<T> {
  assertObject('streamTimeout: options', options, false);
  for (const key of ['firstChunkMs', 'idleMs', 'totalMs'] as const) {
    const v = options[key];
    if (v !== undefined && (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v))) {
      throw new RangeError(`streamTimeout: options.${key} must be a finite number > 0 (ms), got ${describe(v)}.`);
    }
  }
  const { firstChunkMs, idleMs, totalMs } = options;
  if (firstChunkMs === undefined && idleMs === undefined && totalMs === undefined) {
    throw new TypeError('streamTimeout: give at least one of options.firstChunkMs, options.idleMs, options.totalMs.');
  }
  const scheduler = options.scheduler === undefined ? asyncScheduler : options.scheduler;
  if (typeof scheduler !== 'object' || scheduler === null || typeof (scheduler as SchedulerLike).schedule !== 'function') {
    throw new TypeError(`streamTimeout: options.scheduler must be an RxJS scheduler, got ${describe(scheduler)}.`);
  }

  // Hand-written: rxjs `timeout` applies `each` to the first value too and has no total limit.
  return (source) =>
    new Observable<T>((subscriber) => {
      const fail = (kind: StreamTimeoutKind, ms: number) => () => subscriber.error(new StreamTimeoutError(kind, ms));
      const total: Subscription | undefined = totalMs !== undefined ? scheduler.schedule(fail('total', totalMs), totalMs) : undefined;
      let gap: Subscription | undefined = firstChunkMs !== undefined ? scheduler.schedule(fail('first-chunk', firstChunkMs), firstChunkMs) : undefined;
      const upstream = source.subscribe({
        next: (value) => {
          gap?.unsubscribe();
          gap = idleMs !== undefined ? scheduler.schedule(fail('idle', idleMs), idleMs) : undefined;
          subscriber.next(value);
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
      return () => {
        upstream.unsubscribe();
        gap?.unsubscribe();
        total?.unsubscribe();
      };
    });
}
