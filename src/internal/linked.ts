import { filter, Subscription, type Observable, type Observer, type OperatorFunction, type Subscriber } from 'rxjs';

/**
 * The one synchronous-unsubscription helper (decision 0110, 0151). An observer that is a
 * `Subscription` with `next` / `error` / `complete` is what RxJS 7 uses as the subscriber
 * itself: the source's teardown is added to it, and its `closed` is what a synchronous
 * source checks. So it exists — and can be unsubscribed — *before* the first value:
 * never `upstream = source.subscribe(...)`, since during a synchronous emission
 * `upstream` is still undefined and an infinite `from(array)` is pulled to its end.
 *
 * Three shapes of the one idea: `consumeEach` when the chain is subscribed with the downstream
 * subscriber itself (`source.pipe(consumeEach(…)).subscribe(subscriber)`, also inside `concat`);
 * `linkedObserver` / `subscribeLinked` when the operator must unsubscribe upstream itself (a
 * match) and go on; `detachedObserver` at the end of a stream, owned by no subscriber.
 */

/**
 * Hands every value to `each` and passes none on; errors and completion pass. Subscribing
 * `source.pipe(consumeEach((v) => subscriber.next(f(v))))` with the downstream `subscriber`
 * itself registers the teardown before the first value, and `each` emitting straight into
 * `subscriber` costs a value one hop, where `map` + `filter` would cost two.
 */
export function consumeEach<T>(each: (value: T) => void): OperatorFunction<T, never> {
  return filter((value: T): value is never => {
    each(value);
    return false;
  });
}

/** What a hand-written operator does with upstream notifications. */
export interface LinkedHandlers<T> {
  next(value: T): void;
  error?(err: unknown): void;
  complete?(): void;
}

/** An observer that is its own subscription. */
export type LinkedObserver<T> = Subscription & Required<LinkedHandlers<T>> & Observer<T>;

/**
 * Subscribes `source` with an observer that the downstream `subscriber` owns
 * *before* the first value, so a downstream unsubscribe (a `take`, an error, a
 * match) closes it at once, even while a synchronous source is still emitting.
 * A handler that throws errors the stream. Returns the upstream subscription
 * (unsubscribe it to stop upstream yourself, e.g. on a match).
 */
export function subscribeLinked<T>(source: Observable<T>, subscriber: Subscriber<unknown>, handlers: LinkedHandlers<T>): Subscription {
  const upstream = linkedObserver(subscriber, handlers);
  source.subscribe(upstream);
  return upstream;
}

/**
 * The observer {@link subscribeLinked} subscribes, already owned by `subscriber`: for an
 * operator that must be able to unsubscribe upstream from inside a synchronous emission
 * (keep it, then `source.subscribe(it)`). Unhandled errors and completion go downstream.
 */
export function linkedObserver<T>(subscriber: Subscriber<unknown>, handlers: LinkedHandlers<T>): LinkedObserver<T> {
  const upstream = new Linked(handlers, subscriber);
  subscriber.add(upstream);
  return upstream as LinkedObserver<T>;
}

/**
 * An observer that is its own subscription, owned by no subscriber: for a consumer at the end
 * of a stream (a Response body, an HTTP delivery) that may have to stop the source from inside
 * its own `next` (an overflow) while a synchronous source is still emitting.
 * `source.subscribe(observer)`, then `observer.unsubscribe()` stops it, even mid-emission.
 * A `next` that throws unsubscribes and goes to `error`.
 */
export function detachedObserver<T>(handlers: Required<LinkedHandlers<T>>): LinkedObserver<T> {
  return new Linked(handlers, undefined) as LinkedObserver<T>;
}

class Linked<T> extends Subscription {
  constructor(
    private readonly handlers: LinkedHandlers<T>,
    private readonly downstream: Subscriber<unknown> | undefined,
  ) {
    super();
  }

  next(value: T): void {
    if (this.closed) return;
    try {
      this.handlers.next(value);
    } catch (err) {
      this.unsubscribe();
      this.fail(err);
    }
  }

  error(err: unknown): void {
    if (this.closed) return;
    this.unsubscribe();
    if (!this.handlers.error) return this.fail(err);
    try {
      this.handlers.error(err);
    } catch (e) {
      if (this.downstream) this.downstream.error(e);
      else throw e;
    }
  }

  complete(): void {
    if (this.closed) return;
    this.unsubscribe();
    try {
      if (this.handlers.complete) this.handlers.complete();
      else this.downstream?.complete();
    } catch (err) {
      this.fail(err);
    }
  }

  /** A handler's throw goes downstream; detached, to the error handler. */
  private fail(err: unknown): void {
    if (this.downstream) this.downstream.error(err);
    else this.handlers.error!(err);
  }
}
