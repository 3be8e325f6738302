import type { Observable } from 'rxjs';
import type { RunnableConfig } from '@langchain/core/runnables';

/**
 * Protocol key: a runnable that carries this method can produce its stream as
 * an Observable directly. `fromRunnable` prefers it over `runnable.stream()`,
 * which lets scheduler-driven test models (the marble model) run in virtual time.
 */
export const observeStream: unique symbol = Symbol.for('rxjs-langchain.observeStream') as never;

export interface ObservableStreamable<I, O> {
  [observeStream](input: I, config: Partial<RunnableConfig>): Observable<O>;
}

export function isObservableStreamable<I, O>(value: unknown): value is ObservableStreamable<I, O> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<symbol, unknown>)[observeStream] === 'function'
  );
}
