import { defer, tap, type MonoTypeOperatorFunction } from 'rxjs';
import type { TextLike } from '../decode/text';
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
 * import { ChatOpenAI } from '@langchain/openai';
 * import { fromRunnable, textContent, tapProgress } from 'rxjs-langchain';
 *
 * const model = new ChatOpenAI({ model: 'gpt-4o-mini' });
 * const status = document.querySelector('#status')!;
 * const out = document.querySelector('#answer')!;
 * fromRunnable(model, '介绍Python').pipe(
 *   textContent(),
 *   tapProgress((p) => (status.textContent = `${p.words} words`), { everyChars: 50 }),
 * ).subscribe((t) => out.append(t));
 * ```
 *
 * @see {@link progress}, the same events as the stream's values.
 *
 * @param callback Called with each progress event; an exception in it errors the stream.
 * @param options The thresholds (`everyChars`, `everyChunks`, `everyMs`) and the `scheduler` for time.
 * @returns A function that returns an Observable mirroring the source, unchanged.
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
