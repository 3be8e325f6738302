import { defer, tap, type MonoTypeOperatorFunction } from 'rxjs';
import type { TextLike } from '../internal/text';
import { assertFunction } from '../internal/validate';
import { progressTrackerFactory, type ProgressEvent, type ProgressOptions } from './progress';

/**
 * Passes the stream through unchanged and calls `callback` with the same
 * {@link ProgressEvent}s that `progress(options)` would emit: on each threshold
 * crossing and once with `done: true` on completion. An exception in the callback
 * errors the stream (and unsubscribes upstream).
 *
 * @example
 * ```ts
 * import { fromRunnable, tapProgress, textContent } from 'rxjs-langchain';
 *
 * fromRunnable(model, q).pipe(
 *   textContent(),
 *   tapProgress((p) => (status.textContent = `${p.words} words`), { everyChars: 50 }),
 * ).subscribe((t) => out.append(t));
 * ```
 *
 * @param callback Gets every progress event; reading only `chars` costs no word segmentation.
 * @param options As {@link progress}.
 * @returns An operator that passes the values through unchanged.
 * @see progress
 */
export function tapProgress<T extends TextLike>(
  callback: (event: ProgressEvent) => void,
  options?: ProgressOptions,
): MonoTypeOperatorFunction<T> {
  assertFunction('tapProgress: callback', callback);
  const tracker = progressTrackerFactory('tapProgress', options);
  return (source) =>
    defer(() => {
      const t = tracker();
      return source.pipe(
        tap({
          next: (value) => {
            const event = t.push(value);
            if (event) callback(event);
          },
          complete: () => callback(t.final()),
        }),
      );
    });
}
