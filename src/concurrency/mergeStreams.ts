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
  const { concurrency, failFast } = mergeOptions(project, options);
  // Hand-written (not mergeMap + a chain per stream): 10,000 streams may be live at once, and each
  // holds one Subscriber and one filter of its own, so the overhead per stream stays small: heap per
  // live stream with 10,000 in flight 17.8 KB vs 16.3 KB for plain for-await loops with a signal
  // (1.09×, goal ≤ 1.15×; `npm run bench -- concurrency`, docs/benchmarks.md).
  return (source) =>
    new Observable<LabelledEvent<I, T>>((subscriber) => {
      const merger = new Merger(subscriber, project, concurrency, failFast);
      source
        .pipe(consumeEach((input: I) => merger.push(input)))
        .subscribe(
          ownSubscriber(subscriber, {
            complete: () => merger.sourceComplete(),
            error: (error: unknown) => subscriber.error(error),
          }) as Subscriber<I>,
        );
    });
}

/** Validates `mergeStreams`' arguments and fills in the defaults. */
function mergeOptions(project: unknown, options: MergeStreamsOptions): Required<MergeStreamsOptions> {
  assertFunction('mergeStreams: project', project);
  assertObject('mergeStreams: options', options);
  const { concurrency = Infinity, failFast = false } = options;
  if (typeof concurrency !== 'number' || !(concurrency === Infinity || (Number.isInteger(concurrency) && concurrency >= 1))) {
    throw new RangeError(`mergeStreams: options.concurrency must be an integer >= 1 or Infinity, got ${describe(concurrency)}.`);
  }
  assertBoolean('mergeStreams: options.failFast', failFast);
  return { concurrency, failFast };
}

/** A Subscriber of our own, registered with `subscriber` before anything is emitted into it. */
function ownSubscriber(subscriber: Subscriber<unknown>, observer: Partial<Observer<unknown>>): Subscriber<unknown> {
  let own!: Subscriber<unknown>;
  new Observable<unknown>((s) => void (own = s)).subscribe(observer);
  subscriber.add(own);
  return own;
}

/** The queue of inputs waiting for a slot, and the streams of those that have one. */
class Merger<I, T> {
  private waiting: Array<[I, number]> = [];
  private head = 0; // waiting[head] starts next
  private active = 0;
  private count = 0;
  private sourceDone = false;
  private draining = false;

  constructor(
    private readonly subscriber: Subscriber<LabelledEvent<I, T>>,
    private readonly project: (input: I, index: number) => ObservableInput<T>,
    private readonly concurrency: number,
    private readonly failFast: boolean,
  ) {}

  push(input: I): void {
    this.waiting.push([input, this.count++]);
    this.drain();
  }

  sourceComplete(): void {
    this.sourceDone = true;
    this.drain();
  }

  /** Starts waiting inputs while a slot is free; completes once the source and every stream are done. */
  private drain(): void {
    if (this.draining) return; // a stream that ends synchronously inside start(): the loop below goes on
    this.draining = true;
    while (this.active < this.concurrency && this.head < this.waiting.length && !this.subscriber.closed) {
      const [input, index] = this.waiting[this.head];
      this.waiting[this.head++] = undefined as never;
      this.start(input, index);
    }
    if (this.head === this.waiting.length) {
      this.waiting = [];
      this.head = 0;
    }
    this.draining = false;
    if (this.sourceDone && this.active === 0 && this.head === this.waiting.length) this.subscriber.complete();
  }

  private start(input: I, index: number): void {
    const { subscriber } = this;
    this.active++;
    let stream: Observable<T>;
    try {
      stream = from(this.project(input, index));
    } catch (error) {
      stream = throwError(() => error); // a project that throws: that input's error event
    }
    const own = ownSubscriber(subscriber as Subscriber<unknown>, {
      complete: () => {
        subscriber.remove(own);
        subscriber.next({ type: 'complete', index, input });
      },
      error: (error: unknown) => {
        subscriber.remove(own);
        subscriber.next({ type: 'error', index, input, error });
        if (this.failFast) subscriber.error(error);
      },
    });
    stream.pipe(consumeEach((value: T) => subscriber.next({ type: 'value', index, input, value }))).subscribe(own as Subscriber<T>);
    // The slot is free only after the stream's own teardown has run (added after it, so it runs
    // after it; at once if the stream already ended): as mergeMap's finalize, never over the cap.
    own.add(() => {
      this.active--;
      this.drain();
    });
  }
}
