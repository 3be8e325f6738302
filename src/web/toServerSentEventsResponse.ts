import { throwError, type Observable, type Subscription } from 'rxjs';
import { assertObject, assertPositiveInteger } from '../internal/validate';
import { SlowConsumerError } from '../errors';
import { detachedObserver } from '../internal/linked';
import { DEFAULT_MAX_BUFFERED_BYTES, SSE_HEADERS, SSE_HEARTBEAT, type FrameEncoding } from './serverSentEventFrame';
import { toServerSentEvents, type ToServerSentEventsOptions } from './toServerSentEvents';

/** Options of {@link toServerSentEventsResponse}. */
export interface ToServerSentEventsResponseOptions<T> extends ToServerSentEventsOptions<T> {
  /** Frames that may wait for a reader that does not pull, bytes. Past it the request is aborted and an `error` event ends the stream. Default 256 KiB. */
  maxBufferedBytes?: number;
  /** Extra response headers. */
  headers?: Record<string, string>;
  /** Status code. Default 200. */
  status?: number;
}

/**
 * A Web `Response` (fetch API: Next.js route handlers, Hono, Deno, Bun, Node
 * 20's global `Response`) that streams `source$` as Server-Sent Events. The
 * body is a pull-based `ReadableStream` (high-water mark 0): nothing is
 * subscribed before the first read, frames wait in a queue capped at
 * `maxBufferedBytes` while the reader does not pull, and `cancel()` (the
 * client went away) unsubscribes, which aborts the model request.
 *
 * It never sees the request, so it cannot check it: refuse foreign `Host`
 * headers and cross-site requests in your route first, by the rule of
 * `checkRequest` (docs/decisions/0080): e.g. accept only a POST with
 * `Content-Type: application/json`, and check questions with `checkQuestion`.
 *
 * @example
 * ```ts
 * import { ChatOpenAI } from '@langchain/openai';
 * import { checkQuestion, fromRunnable, textContent, toServerSentEventsResponse } from 'rxjs-langchain';
 *
 * const model = new ChatOpenAI({ model: 'gpt-4o-mini' });
 *
 * export async function POST(request: Request): Promise<Response> {
 *   if (!request.headers.get('content-type')?.startsWith('application/json')) return new Response(null, { status: 415 });
 *   const { question } = await request.json();
 *   const problem = checkQuestion(question);
 *   if (problem) return Response.json({ error: problem.message }, { status: 400 });
 *   return toServerSentEventsResponse(fromRunnable(model, question).pipe(textContent()));
 * }
 * ```
 *
 * @param source$ The stream to deliver; subscribed on the first read of the body.
 * @param options Framing (`toServerSentEvents`), `maxBufferedBytes`, `headers`, `status`.
 * @returns A `Response` with the SSE headers and a streaming body.
 * @see toServerSentEvents
 * @see sendServerSentEvents
 */
export function toServerSentEventsResponse<T>(source$: Observable<T>, options: ToServerSentEventsResponseOptions<T> = {}): Response {
  checkResponseOptions('toServerSentEventsResponse', source$, options);
  const { maxBufferedBytes, headers, status, ...framing } = options;
  return framesResponse(source$, { maxBufferedBytes, headers, status }, {
    frames: toServerSentEvents<T>(framing),
    closingFrame: (error, events) => {
      let last = '';
      throwError(() => error)
        .pipe(toServerSentEvents<T>({ ...framing, heartbeatMs: 0, firstId: (framing.firstId ?? 1) + events, retryMs: undefined }))
        .subscribe((f) => (last = f));
      return last;
    },
    headers: SSE_HEADERS,
  });
}

/** Delivery limits of a Web `Response` of frames. */
export interface FramesResponseLimits {
  maxBufferedBytes?: number;
  headers?: Record<string, string>;
  status?: number;
}

/** Call-time checks shared by the Web `Response` adapters. */
export function checkResponseOptions(where: string, source$: unknown, options: FramesResponseLimits): void {
  if (typeof (source$ as { subscribe?: unknown })?.subscribe !== 'function') {
    throw new TypeError(`${where}: source$ must be an Observable.`);
  }
  assertObject(`${where}: options`, options);
  assertPositiveInteger(`${where}: maxBufferedBytes`, options.maxBufferedBytes);
  assertObject(`${where}: headers`, options.headers);
}

/**
 * The pull-based `Response` machinery of `toServerSentEventsResponse` and `toUIMessageStreamResponse`:
 * subscribes on the first read, queues frames up to `maxBufferedBytes` (then aborts and
 * ends with `closingFrame`), and `cancel()` unsubscribes.
 */
export function framesResponse<T>(source$: Observable<T>, limits: FramesResponseLimits, encoding: FrameEncoding<T>): Response {
  const { maxBufferedBytes = DEFAULT_MAX_BUFFERED_BYTES, headers, status = 200 } = limits;
  const frames$ = encoding.frames;
  const encoder = new TextEncoder();

  const queue: Uint8Array[] = [];
  let queuedBytes = 0;
  let events = 0;
  let ended = false;
  let wake: (() => void) | undefined;
  let subscription: Subscription | undefined;

  const enqueue = (frame: string): void => {
    if (ended) return;
    if (frame === SSE_HEARTBEAT && queue.length > 0) return; // the reader is behind anyway
    if (frame !== SSE_HEARTBEAT) events++;
    const bytes = encoder.encode(frame);
    queue.push(bytes);
    queuedBytes += bytes.byteLength;
    if (queuedBytes > maxBufferedBytes) {
      subscription?.unsubscribe();
      ended = true;
      queue.push(encoder.encode(encoding.closingFrame(new SlowConsumerError(queuedBytes, maxBufferedBytes), events)));
    }
    wake?.();
  };

  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!subscription) {
          // Assigned before the source can emit: an overflow inside a synchronous emission stops it.
          const end = (): void => {
            ended = true;
            wake?.();
          };
          const observer = (subscription = detachedObserver<string>({ next: enqueue, complete: end, error: (error) => (end(), controller.error(error)) }));
          source$.pipe(frames$).subscribe(observer);
        }
        while (queue.length === 0 && !ended) await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        // Every frame waiting, in one chunk: a reply-log entry's events come together, and one read
        // (and one socket write) per delivery instead of one per frame cut the chat handler's CPU per token (decision 0375).
        const next = queue.length > 1 ? joined(queue) : queue[0];
        queue.length = 0;
        queuedBytes = 0;
        if (next) controller.enqueue(next);
        if (ended) controller.close();
      },
      cancel() {
        ended = true;
        queue.length = 0;
        subscription?.unsubscribe();
        wake?.();
      },
    },
    { highWaterMark: 0 },
  );

  return new Response(body, { status, headers: { ...encoding.headers, ...headers } });
}

/** The chunks as one. */
function joined(chunks: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const chunk of chunks) size += chunk.byteLength;
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}
