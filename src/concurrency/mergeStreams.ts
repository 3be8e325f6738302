import { from, Observable, throwError, type ObservableInput, type Observer, type OperatorFunction, type Subscriber } from 'rxjs';
import { consumeEach } from '../internal/linked';
import { assertBoolean, assertFunction, assertObject, describe } from '../internal/validate';

/** A value of stream `index` (started for `input`). */
export interface LabelledValue<I, T> {
  type: 'value';
  index: number;
  input: I;
  value: T;
}
/** Stream `index` completed. */
export interface LabelledComplete<I> {
  type: 'complete';
  index: number;
  input: I;
}
/** Stream `index` failed; the others go on (unless `failFast`). */
export interface LabelledError<I> {
  type: 'error';
  index: number;
  input: I;
  error: unknown;
}
/** What `mergeStreams` emits: every event labelled with its stream, so lanes can be rendered. */
export type LabelledEvent<I, T> = LabelledValue<I, T> | LabelledComplete<I> | LabelledError<I>;

/** Options of `mergeStreams`. */
export interface MergeStreamsOptions {
  /** At most this many streams subscribed at once; an integer >= 1 or `Infinity` (default). */
  concurrency?: number;
  /** Error the whole output on the first stream error (after its `error` event). Default false. */
  failFast?: boolean;
}

/**
 * Runs `project(input, index)` for each input with at most `concurrency`
 * streams active (the rest wait, in order), and labels every value,
 * completion and error with its `index` and `input`. An error in one stream is
 * that stream's `error` event and the others go on, unless `failFast`.
 * Unsubscribing unsubscribes (aborts) every active stream.
 *
 * @example
 * ```ts
 * import { from } from 'rxjs';
 * import { ChatPromptTemplate } from '@langchain/core/prompts';
 * import { ChatOpenAI } from '@langchain/openai';
 * import { fromRunnable, mergeStreams, textContent } from 'rxjs-langchain';
 *
 * const chain = ChatPromptTemplate.fromMessages([['human', '{question}']]).pipe(new ChatOpenAI({ model: 'gpt-4o-mini' }));
 * const lanes = ['', '', ''];
 * from(['什么是Python？', '什么是JavaScript？', '什么是Rust？']).pipe(
 *   mergeStreams((q) => fromRunnable(chain, { question: q }).pipe(textContent()), { concurrency: 2 }),
 * ).subscribe((e) => e.type === 'value' && (lanes[e.index] += e.value));
 * ```
 *
 * @see {@link collectResults} to gather the results in input order.
 *
 * @param project Makes the stream of one input (and its index); called when a slot is free.
 * @param options `concurrency` (default `Infinity`) and `failFast` (default false).
 * @returns A function that returns an Observable of labelled `value`, `complete` and `error` events.
 */
export function mergeStreams<I, T>(
  project: (input: I, index: number) => ObservableInput<T>,
  options: MergeStreamsOptions = {},
): OperatorFunction<I, LabelledEvent<I, T>> {
  assertFunction('mergeStreams: project', project);
  assertObject('mergeStreams: options', options);
  const { concurrency = Infinity, failFast = false } = options;
  if (typeof concurrency !== 'number' || !(concurrency === Infinity || (Number.isInteger(concurrency) && concurrency >= 1))) {
    throw new RangeError(`mergeStreams: options.concurrency must be an integer >= 1 or Infinity, got ${describe(concurrency)}.`);
  }
  assertBoolean('mergeStreams: options.failFast', failFast);

  // Hand-written (not mergeMap + a chain per stream): 10,000 streams may be live at once, and each
  // holds one Subscriber and one filter of its own, so the overhead per stream stays a few hundred bytes.
  return (source) =>
    new Observable<LabelledEvent<I, T>>((subscriber) => {
      let waiting: Array<[I, number]> = [];
      let head = 0; // waiting[head] starts next
      let active = 0;
      let count = 0;
      let sourceDone = false;
      let draining = false;

      /** A Subscriber of our own, registered with `subscriber` before anything is emitted into it. */
      const subscriberFor = (observer: Partial<Observer<unknown>>): Subscriber<unknown> => {
        let own!: Subscriber<unknown>;
        new Observable<unknown>((s) => void (own = s)).subscribe(observer);
        subscriber.add(own);
        return own;
      };

      const drain = (): void => {
        if (draining) return; // a stream that ends synchronously inside start(): the loop below goes on
        draining = true;
        while (active < concurrency && head < waiting.length && !subscriber.closed) {
          const [input, index] = waiting[head];
          waiting[head++] = undefined as never;
          start(input, index);
        }
        if (head === waiting.length) {
          waiting = [];
          head = 0;
        }
        draining = false;
        if (sourceDone && active === 0 && head === waiting.length) subscriber.complete();
      };

      const start = (input: I, index: number): void => {
        active++;
        let stream: Observable<T>;
        try {
          stream = from(project(input, index));
        } catch (error) {
          stream = throwError(() => error); // a project that throws: that input's error event
        }
        const own = subscriberFor({
          complete: () => {
            subscriber.remove(own);
            subscriber.next({ type: 'complete', index, input });
          },
          error: (error: unknown) => {
            subscriber.remove(own);
            subscriber.next({ type: 'error', index, input, error });
            if (failFast) subscriber.error(error);
          },
        });
        stream.pipe(consumeEach((value: T) => subscriber.next({ type: 'value', index, input, value }))).subscribe(own as Subscriber<T>);
        // The slot is free only after the stream's own teardown has run (added after it, so it runs
        // after it; at once if the stream already ended): as mergeMap's finalize, never over the cap.
        own.add(() => {
          active--;
          drain();
        });
      };

      source
        .pipe(
          consumeEach((input: I) => {
            waiting.push([input, count++]);
            drain();
          }),
        )
        .subscribe(
          subscriberFor({
            complete: () => {
              sourceDone = true;
              drain();
            },
            error: (error: unknown) => subscriber.error(error),
          }) as Subscriber<I>,
        );
    });
}
