import { filter, type OperatorFunction } from 'rxjs';

/**
 * Hands every value to `each` and passes none on; errors and completion pass. Hand-written
 * operators use it as
 *
 * ```ts
 * new Observable<R>((subscriber) => {
 *   source.pipe(consumeEach((v) => subscriber.next(f(v)))).subscribe(subscriber);
 * });
 * ```
 *
 * Subscribing the chain with the downstream `subscriber` itself registers the teardown
 * before the first value (RxJS's synchronous unsubscription: a downstream `take`, or our
 * own `subscriber.error`, closes the chain and stops even an infinite synchronous source),
 * and `each` emitting straight into `subscriber` costs a value one hop, where
 * `map` + `filter` would cost two. Never `upstream = source.subscribe(...)`: during a
 * synchronous emission `upstream` is still undefined and cannot be unsubscribed.
 */
export function consumeEach<T>(each: (value: T) => void): OperatorFunction<T, never> {
  return filter((value: T): value is never => {
    each(value);
    return false;
  });
}
