import { concat, defer, EMPTY, finalize, fromEvent, isObservable, type Observable, takeUntil, throwError } from 'rxjs';
import type { RunnableConfig } from '@langchain/core/runnables';
import { describe } from '../internal/validate';
import { StreamAbortedError } from './errors';

/**
 * The Observable path of `fromRunnable` (an Observable-native runnable, see `observeStream`),
 * with the four laws a source owes whatever the runnable returns: at each subscription (lazy,
 * cold) `observe` gets the caller's config with this subscription's own `signal`; `undefined`
 * declines and `declined` (the `stream()` path) is subscribed instead. Teardown unsubscribes the
 * runnable's Observable and aborts that signal; an abort of the caller's signal errors with
 * `StreamAbortedError`, as on the `stream()` path. `where` names the method in a TypeError.
 */
export function observeNative<O>(
  observe: (config: Partial<RunnableConfig>) => Observable<O> | undefined,
  config: Partial<RunnableConfig> | undefined,
  declined: Observable<O>,
  where: string,
): Observable<O> {
  const external = config?.signal;
  return defer(() => {
    if (external?.aborted) return throwError(() => new StreamAbortedError(external.reason));
    const controller = new AbortController();
    const observed = observe({ ...config, signal: controller.signal });
    if (observed === undefined) return declined;
    if (!isObservable(observed)) {
      return throwError(() => new TypeError(`${where} must return an Observable or undefined (to decline), got ${describe(observed)}.`));
    }
    const abort = (): void => controller.abort(external?.aborted ? external.reason : undefined);
    if (!external) return observed.pipe(finalize(abort));
    return concat(
      observed.pipe(takeUntil(fromEvent(external, 'abort'))),
      defer(() => (external.aborted ? throwError(() => new StreamAbortedError(external.reason)) : EMPTY)),
    ).pipe(finalize(abort));
  });
}
