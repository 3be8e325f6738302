import { Subscription, type Observable, type Subscriber } from 'rxjs';

/** What a hand-written operator does with upstream notifications. */
export interface LinkedHandlers<T> {
  next(value: T): void;
  error?(err: unknown): void;
  complete?(): void;
}

/**
 * Subscribes `source` with an observer that the downstream `subscriber` owns
 * *before* the first value, so a downstream unsubscribe (a `take`, an error, a
 * match) closes it at once, even while a synchronous source is still emitting.
 * It is a `Subscription` with `next` / `error` / `complete`, which RxJS 7 uses as
 * the subscriber itself; its `closed` is what a synchronous source checks.
 * A handler that throws errors the stream. Returns the upstream subscription
 * (unsubscribe it to stop upstream yourself, e.g. on a match). (decision 0110)
 */
export function subscribeLinked<T>(source: Observable<T>, subscriber: Subscriber<unknown>, handlers: LinkedHandlers<T>): Subscription {
  const upstream = linkedObserver(subscriber, handlers);
  source.subscribe(upstream);
  return upstream;
}

/**
 * The observer {@link subscribeLinked} subscribes, already owned by `subscriber`: for an
 * operator that must be able to unsubscribe upstream from inside a synchronous emission
 * (keep it, then `source.subscribe(it)`).
 */
export function linkedObserver<T>(subscriber: Subscriber<unknown>, handlers: LinkedHandlers<T>): Subscription & Required<LinkedHandlers<T>> {
  const upstream = new LinkedObserver(subscriber, handlers);
  subscriber.add(upstream);
  return upstream as Subscription & Required<LinkedHandlers<T>>;
}

class LinkedObserver<T> extends Subscription {
  constructor(
    private readonly downstream: Subscriber<unknown>,
    private readonly handlers: LinkedHandlers<T>,
  ) {
    super();
  }

  next(value: T): void {
    if (this.closed) return;
    try {
      this.handlers.next(value);
    } catch (err) {
      this.fail(err);
    }
  }

  error(err: unknown): void {
    if (this.closed) return;
    this.unsubscribe();
    if (this.handlers.error) {
      try {
        this.handlers.error(err);
      } catch (e) {
        this.downstream.error(e);
      }
    } else this.downstream.error(err);
  }

  complete(): void {
    if (this.closed) return;
    this.unsubscribe();
    try {
      if (this.handlers.complete) this.handlers.complete();
      else this.downstream.complete();
    } catch (err) {
      this.downstream.error(err);
    }
  }

  private fail(err: unknown): void {
    this.unsubscribe();
    this.downstream.error(err);
  }
}
