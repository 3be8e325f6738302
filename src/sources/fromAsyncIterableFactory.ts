import { Observable } from 'rxjs';
import { StreamAbortedError } from '../errors';
import { describe } from '../internal/validate';

/**
 * The single async boundary of the library: turns "give me an async iterable
 * for this signal" into a cold Observable that owns an AbortController.
 *
 * - cold + lazy: `open` runs once per subscription, never before;
 * - teardown aborts the controller, which LangChain races against a pending
 *   `next()`, so a stalled HTTP stream is closed without waiting for a chunk;
 * - errors after our own abort are swallowed (cancellation is not an error);
 * - an abort of the caller's `externalSignal` errors with `StreamAbortedError`;
 * - an async iterable that is also a thenable (core's `ChatModelStream`) is
 *   iterated, not awaited.
 *
 * @example
 * ```ts
 * import { take } from 'rxjs';
 * import { fromAsyncIterableFactory } from 'rxjs-langchain';
 *
 * const ticks$ = fromAsyncIterableFactory(async function* (signal) {
 *   for (let i = 0; !signal.aborted; i++) {
 *     yield i;
 *     await new Promise((resolve) => setTimeout(resolve, 100));
 *   }
 * });
 * ticks$.pipe(take(3)).subscribe(console.log); // 0, 1, 2, then the signal is aborted
 * ```
 *
 * @see {@link fromRunnable}, built on it for LangChain runnables.
 *
 * @param open Called once per subscription with that subscription's `AbortSignal`; returns the stream to read.
 * @param externalSignal Your own signal: aborting it errors the Observable with `StreamAbortedError`.
 * @returns A cold Observable of the iterable's values that aborts `signal` on unsubscribe.
 */
export function fromAsyncIterableFactory<T>(
  open: (signal: AbortSignal) => PromiseLike<AsyncIterable<T>> | AsyncIterable<T>,
  externalSignal?: AbortSignal,
): Observable<T> {
  if (typeof open !== 'function') {
    throw new TypeError(`fromAsyncIterableFactory: open must be a function (signal) => AsyncIterable, got ${describe(open)}.`);
  }
  if (
    externalSignal !== undefined &&
    (typeof externalSignal !== 'object' || externalSignal === null ||
      typeof externalSignal.aborted !== 'boolean' || typeof externalSignal.addEventListener !== 'function')
  ) {
    throw new TypeError(`fromAsyncIterableFactory: signal must be an AbortSignal (e.g. new AbortController().signal), got ${describe(externalSignal)}.`);
  }
  return new Observable<T>((subscriber) => {
    const controller = new AbortController();
    let iterator: AsyncIterator<T> | undefined;

    // Only with an external signal: 10,000 live sources should not each hold an unused closure.
    const onExternalAbort =
      externalSignal &&
      ((): void => {
        if (subscriber.closed) return;
        controller.abort(externalSignal.reason);
        subscriber.error(new StreamAbortedError(externalSignal.reason));
      });

    if (externalSignal?.aborted) {
      onExternalAbort!();
      return;
    }
    if (onExternalAbort) externalSignal!.addEventListener('abort', onExternalAbort, { once: true });

    void (async (): Promise<void> => {
      try {
        const opened = open(controller.signal);
        // An async iterable is used as is, even when it is also a thenable (core's ChatModelStream resolves to the final message).
        const iterable = isAsyncIterable<T>(opened) ? opened : await opened;
        if (controller.signal.aborted) return;
        if (typeof (iterable as AsyncIterable<T> | null)?.[Symbol.asyncIterator] !== 'function') {
          throw new TypeError(`fromAsyncIterableFactory: open() must return an AsyncIterable (or a Promise of one), got ${describe(iterable)}.`);
        }
        iterator = iterable[Symbol.asyncIterator]();
        while (!subscriber.closed) {
          const result = await iterator.next();
          if (result.done || controller.signal.aborted) break;
          subscriber.next(result.value);
        }
        subscriber.complete();
      } catch (err) {
        if (controller.signal.aborted) return; // our own teardown or the external abort, already reported
        subscriber.error(err);
      }
    })();

    return () => {
      if (onExternalAbort) externalSignal!.removeEventListener('abort', onExternalAbort);
      if (!controller.signal.aborted) controller.abort();
      // Let the generator run its finally blocks; it may reject once aborted.
      const it = iterator;
      iterator = undefined;
      if (it?.return) Promise.resolve(it.return()).catch(() => undefined);
    };
  });
}

function isAsyncIterable<T>(value: unknown): value is AsyncIterable<T> {
  return typeof value === 'object' && value !== null && typeof (value as AsyncIterable<T>)[Symbol.asyncIterator] === 'function';
}
