import type { Observable } from 'rxjs';

/**
 * Bridges an Observable back out to `for await`: an async iterator over every
 * value, in order, none dropped (values that arrive while the loop body is busy
 * are buffered). Lazy: it subscribes on the first `next()`, not before. An error
 * of the Observable is thrown from the loop after the values before it; `break`,
 * `return` or a throw in the loop body unsubscribes, so a `fromRunnable` source
 * aborts its request. The same semantics as `eachValueFrom` of `rxjs-for-await`,
 * in twenty lines instead of a dependency (see docs/decisions/0052).
 *
 * @example
 * ```ts
 * for await (const text of eachValueFrom(fromRunnable(chain, input).pipe(textContent()))) {
 *   process.stdout.write(text);
 * }
 * ```
 */
export async function* eachValueFrom<T>(source: Observable<T>): AsyncGenerator<T, void, undefined> {
  const buffer: T[] = [];
  let head = 0;
  let settled: { error: true; reason: unknown } | { error: false } | undefined;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const subscription = source.subscribe({
    next: (value) => {
      buffer.push(value);
      notify();
    },
    error: (reason: unknown) => {
      settled = { error: true, reason };
      notify();
    },
    complete: () => {
      settled = { error: false };
      notify();
    },
  });
  try {
    for (;;) {
      if (head < buffer.length) {
        const value = buffer[head];
        buffer[head++] = undefined as T; // let it be collected
        if (head > 1024 && head * 2 > buffer.length) buffer.splice(0, head), (head = 0);
        yield value;
        continue;
      }
      if (settled) {
        if (settled.error) throw settled.reason;
        return;
      }
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    subscription.unsubscribe();
  }
}
