import type { SchedulerLike } from 'rxjs';

/**
 * A promise that resolves after `ms` of `scheduler`'s time (never for `Infinity`) and
 * rejects with the signal's reason when `signal` aborts, cancelling the scheduled action.
 * The marble model's `stream()` path waits with it, so its frames follow the scheduler
 * it was given: real milliseconds on `asyncScheduler`, virtual ones on a
 * `VirtualTimeScheduler` driven by `flushAsync`.
 */
export function waitOn(scheduler: SchedulerLike, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      action?.unsubscribe();
      reject(signal!.reason);
    };
    const action = Number.isFinite(ms)
      ? scheduler.schedule(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, ms)
      : undefined;
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
