import { defer, retry, tap, throwError, timer, type MonoTypeOperatorFunction, type Observable, type SchedulerLike } from 'rxjs';
import { RxLangChainError, StreamTimeoutError } from '../errors';
import { hasContent } from '../decode/content';
import { assertFunction, assertInteger, assertNonNegative, assertObject, assertScheduler, describe } from '../internal/validate';

/** Options of {@link retryBeforeFirstChunk}. */
export interface RetryBeforeFirstChunkOptions {
  /** Max resubscriptions (new requests). Default 2. */
  count?: number;
  /**
   * Wait before attempt `attempt` (1-based), ms: a number, or a function of the attempt and
   * the error. Default exponential backoff 500, 1000, 2000 … capped at 8000. A `retryAfterMs`
   * hint on the error (or a `retry-after-ms` / `retry-after` header, as OpenAI SDK errors carry on
   * 429) is honoured instead when present.
   */
  delay?: number | ((attempt: number, error: unknown) => number);
  /** Which errors are worth a new request. Default {@link isRetryableError}. */
  retryIf?: (error: unknown, attempt: number) => boolean;
  /** Where waits run. Default `asyncScheduler`. */
  scheduler?: SchedulerLike;
}

const NETWORK_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT',
]);
const NETWORK_NAMES = new Set(['APIConnectionError', 'APIConnectionTimeoutError', 'TimeoutError', 'FetchError']);

/**
 * The default `retryIf` of `retryBeforeFirstChunk`: true for rate limits and server
 * trouble (HTTP 408, 409, 425, 429, 5xx), network failures (connection reset / refused,
 * timeouts, `fetch failed`, the OpenAI SDK's connection errors) and our own
 * `StreamTimeoutError`; false for client errors (400, 401, 403, 404, 422 …), aborts
 * (`AbortError`, `StreamAbortedError`), our other errors and anything unknown.
 *
 * @example
 * ```ts
 * import { isRetryableError, retryBeforeFirstChunk } from 'rxjs-langchain';
 *
 * isRetryableError(Object.assign(new Error('rate limited'), { status: 429 })); // true
 * isRetryableError(Object.assign(new Error('bad key'), { status: 401 }));      // false
 * // Retry what the default retries, and a provider's own overload error too.
 * const retry = retryBeforeFirstChunk({ retryIf: (e) => isRetryableError(e) || (e as Error)?.name === 'OverloadedError' });
 * ```
 *
 * @see {@link retryBeforeFirstChunk}, whose default `retryIf` this is.
 *
 * @param error What the stream failed with (its `cause` chain is followed, 4 deep).
 * @returns Whether a new request is worth making.
 */
export function isRetryableError(error: unknown): boolean {
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof StreamTimeoutError) return true;
    if (e instanceof RxLangChainError) return false;
    const { name, status, code } = e as { name?: unknown; status?: unknown; code?: unknown };
    if (name === 'AbortError' || name === 'APIUserAbortError') return false;
    if (typeof status === 'number') return status === 408 || status === 409 || status === 425 || status === 429 || status >= 500;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    if (typeof name === 'string' && NETWORK_NAMES.has(name)) return true;
    if ((e as { lc_error_code?: unknown }).lc_error_code === 'MODEL_RATE_LIMIT') return true;
    if (e instanceof TypeError && e.message === 'fetch failed') return true;
  }
  return false;
}

/** A server's retry hint on an error, ms: `retryAfterMs`, else `retry-after-ms` / `retry-after` headers (an HTTP date counts from `now`). */
export function retryAfterMsOf(error: unknown, now: number = Date.now()): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const hint = (error as { retryAfterMs?: unknown }).retryAfterMs;
  if (typeof hint === 'number' && hint >= 0 && Number.isFinite(hint)) return hint;
  const headers = (error as { headers?: unknown }).headers;
  if (typeof headers !== 'object' || headers === null) return undefined;
  const get = (name: string): string | undefined => {
    if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
    const v = (headers as Record<string, unknown>)[name] ?? (headers as Record<string, unknown>)[name.replace(/(^|-)\w/g, (m) => m.toUpperCase())];
    return typeof v === 'string' ? v : undefined;
  };
  const ms = Number(get('retry-after-ms'));
  if (get('retry-after-ms') !== undefined && Number.isFinite(ms) && ms >= 0) return ms;
  const after = get('retry-after');
  if (after === undefined) return undefined;
  const seconds = Number(after);
  if (after.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const defaultDelay = (attempt: number): number => Math.min(500 * 2 ** (attempt - 1), 8000);

/**
 * Retries a stream with a new subscription (a new request) when it errors **before
 * its first chunk** — the first with content (`hasContent`: text, reasoning or a
 * tool-call delta; the empty role chunk an OpenAI-compatible server sends first does
 * not count) — with backoff; once a chunk with content has arrived, errors pass through
 * untouched (a retry would repeat text the user already saw). The default `retryIf`
 * is {@link isRetryableError}: 429 / 5xx / network yes; 400 / 401 / 403 / 404 and
 * aborts no. Put it right after the source (and after `streamTimeout` to retry a
 * slow first chunk). LangChain's `ChatOpenAI` has its own `maxRetries` for failures
 * before the response starts; this covers every other source and errors it does not retry.
 *
 * @example
 * ```ts
 * import { ChatOpenAI } from '@langchain/openai';
 * import { fromRunnable, streamTimeout, retryBeforeFirstChunk, textContent } from 'rxjs-langchain';
 *
 * const model = new ChatOpenAI({ model: 'gpt-4o-mini' });
 * fromRunnable(model, '介绍Python').pipe(
 *   streamTimeout({ firstChunkMs: 10_000 }),
 *   retryBeforeFirstChunk({ count: 3 }),
 *   textContent(),
 * ).subscribe((text) => process.stdout.write(text));
 * ```
 *
 * @see {@link streamTimeout}, whose first-chunk timeout it retries.
 * @see {@link requireCompletion} for errors after the first chunk.
 *
 * @param options `count` (default 2), `delay` (ms, or a function of the attempt; a `Retry-After` is honoured), `retryIf` and `scheduler`.
 * @returns A function that returns an Observable mirroring the source that resubscribes on an early, retryable error.
 */
export function retryBeforeFirstChunk<T>(options?: RetryBeforeFirstChunkOptions): MonoTypeOperatorFunction<T> {
  assertObject('retryBeforeFirstChunk: options', options);
  assertInteger('retryBeforeFirstChunk: options.count', options?.count, 0);
  const count = options?.count ?? 2;
  const delayOption = options?.delay ?? defaultDelay;
  if (typeof delayOption !== 'function') assertNonNegative('retryBeforeFirstChunk: options.delay', delayOption, false);
  const retryIf = options?.retryIf ?? isRetryableError;
  assertFunction('retryBeforeFirstChunk: options.retryIf', retryIf);
  const scheduler = assertScheduler('retryBeforeFirstChunk: options.scheduler', options?.scheduler);

  return (source) =>
    defer(() => {
      let started = false;
      return source.pipe(
        tap((value) => {
          if (!started && hasContent(value)) started = true;
        }),
        retry({
          count,
          delay: (error: unknown, attempt: number): Observable<unknown> => {
            if (started || !retryIf(error, attempt)) return throwError(() => error);
            const wait = retryAfterMsOf(error) ?? (typeof delayOption === 'function' ? delayOption(attempt, error) : delayOption);
            if (typeof wait !== 'number' || !(wait >= 0)) {
              return throwError(() => new RangeError(`retryBeforeFirstChunk: options.delay returned ${describe(wait)}; return a number of ms >= 0.`));
            }
            return timer(wait, scheduler);
          },
        }),
      );
    });
}
