import type { RunnableConfig } from '@langchain/core/runnables';

export interface ProbeRequest {
  input: unknown;
  signal: AbortSignal | undefined;
  /** Set when the generator's finally block ran. */
  finished: boolean;
}

/**
 * A minimal streamable that records each request and its signal. With `stallAfter`,
 * it yields that many values and then waits forever for a next value — unless the
 * signal aborts, which is exactly what LangChain's own stream wrapper does.
 */
export function probeRunnable<T>(values: T[], options: { stallAfter?: number; failWith?: unknown; failAfter?: number } = {}) {
  const requests: ProbeRequest[] = [];
  return {
    requests,
    async stream(input: unknown, config?: Partial<RunnableConfig>): Promise<AsyncIterable<T>> {
      const request: ProbeRequest = { input, signal: config?.signal, finished: false };
      requests.push(request);
      const signal = config?.signal;
      async function* generate(): AsyncGenerator<T> {
        try {
          for (let i = 0; i < values.length; i++) {
            if (options.failAfter === i) throw options.failWith;
            if (options.stallAfter === i) {
              await new Promise<never>((_, reject) => {
                if (signal?.aborted) return reject(signal.reason);
                signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
              });
            }
            yield values[i];
          }
          if (options.failAfter === values.length) throw options.failWith;
        } finally {
          request.finished = true;
        }
      }
      return generate();
    },
  };
}

/** Resolves after pending promise callbacks and I/O have run. */
export const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));
