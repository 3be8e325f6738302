import type { IncomingMessage, ServerResponse } from 'node:http';
import { throwError, type Observable } from 'rxjs';
import { assertObject, assertPositiveInteger, assertNonNegative, describe } from '../internal/validate';
import { DEFAULT_MAX_BUFFERED_BYTES, SSE_HEADERS, type FrameEncoding } from '../web/serverSentEventFrame';
import { toServerSentEvents, type ToServerSentEventsOptions } from '../web/toServerSentEvents';
import { emptyStats, FrameDelivery } from './frameDelivery';
import { assertRequestCheckOptions, checkRequest, type RequestCheckOptions } from './checkRequest';

/**
 * Options of {@link sendServerSentEvents}: framing options, delivery limits,
 * and {@link checkRequest}'s `allowedHosts` / `allowedOrigins` (default: the
 * server's own address and `localhost` with its port, and the same origin).
 */
export interface SendServerSentEventsOptions<T> extends ToServerSentEventsOptions<T>, Omit<RequestCheckOptions, 'runsModel'> {
  /**
   * Frames that may wait in the adapter's queue while the socket is full
   * (after `write()` returned false), bytes. Past it the request is aborted and
   * an `error` event (SlowConsumerError) is queued last. Default 256 KiB.
   */
  maxBufferedBytes?: number;
  /** After an overflow, how long the slow client gets to drain before the socket is destroyed, ms. Default 10000. */
  overflowGraceMs?: number;
  /** Extra response headers (CORS and the like). */
  headers?: Record<string, string>;
}

/** Live counters of one SSE delivery. */
export interface ServerSentEventsStats {
  framesWritten: number;
  bytesWritten: number;
  /** Frames / bytes waiting in the adapter's queue now. */
  queuedFrames: number;
  queuedBytes: number;
  /** Highest `queuedBytes` seen. */
  peakQueuedBytes: number;
  peakQueuedFrames: number;
  /** Highest queued bytes plus what Node itself buffered for the socket (`res.writableLength`). */
  peakBufferedBytes: number;
  /** Heartbeats skipped because the socket was full anyway. */
  heartbeatsSkipped: number;
}

/**
 * How a delivery ended: `done` (the last event was `done`), `error` (the
 * source errored and the client got an `error` event), `client-closed` (the
 * client went away first; the request was aborted), `overflow` (a slow reader;
 * see `maxBufferedBytes`), `stopped` (`stop()` was called), `refused` (the
 * request failed `checkRequest`: answered 400/403/421, the source never subscribed).
 */
export type ServerSentEventsOutcome = 'done' | 'error' | 'client-closed' | 'overflow' | 'stopped' | 'refused';

/** Handle of a running SSE delivery. */
export interface ServerSentEventsDelivery {
  readonly stats: Readonly<ServerSentEventsStats>;
  /** Resolves once the response has ended or closed. Never rejects. */
  readonly finished: Promise<ServerSentEventsOutcome>;
  /** Unsubscribes (aborting the request) and ends the response without a final event. */
  stop(): void;
}

/**
 * Streams `source$` to a Node `http.ServerResponse` as Server-Sent Events
 * (see `toServerSentEvents` for the framing): checks the request, writes the
 * SSE headers and flushes them, writes each frame as it comes, and ends the
 * response after the final `done` or `error` event. Works with Express's `res`
 * and Fastify's `reply.raw` (call `reply.hijack()` first).
 *
 * - The request is checked first (`checkRequest`): a foreign `Host` gets 421,
 *   a cross-site request 403 (a GET needs a same-origin `Origin`,
 *   `Sec-Fetch-Site: same-origin` or an `X-Requested-With` header; a POST with a
 *   JSON content type passes), and `source$` is never subscribed: another site
 *   cannot make the browser run your model. Loosen it with `allowedHosts` /
 *   `allowedOrigins` (docs/decisions/0080).
 * - Client disconnect (`close` before the end) unsubscribes, which aborts the
 *   model request.
 * - Backpressure: once `write()` returns false nothing more is written until
 *   `'drain'`; frames wait in a queue capped at `maxBufferedBytes` and
 *   heartbeats are skipped. Past the cap the request is aborted and the client
 *   gets a final `error` event (`SSE_SLOW_CONSUMER`): memory per connection
 *   stays bounded. See docs/decisions/0040.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { ChatOpenAI } from '@langchain/openai';
 * import { fromRunnable, textContent } from 'rxjs-langchain';
 * import { parseRequestTarget, sendServerSentEvents } from 'rxjs-langchain/node';
 *
 * const model = new ChatOpenAI({ model: 'gpt-4o-mini' });
 *
 * createServer((req, res) => {
 *   const question = parseRequestTarget(req)?.searchParams.get('question') ?? 'hi';
 *   sendServerSentEvents(fromRunnable(model, question).pipe(textContent()), res);
 * }).listen(3000, '127.0.0.1');
 * ```
 *
 * @param source$ The stream to deliver; subscribed once the request passed its check.
 * @param res The response Node created for the request (`res.req` is read for the check).
 * @param options Framing (`toServerSentEvents`), `maxBufferedBytes`, `overflowGraceMs`, `headers`, `allowedHosts`, `allowedOrigins`.
 * @returns The delivery: live `stats`, `finished` (how it ended, never rejects) and `stop()`.
 * @see toServerSentEvents
 * @see checkRequest
 * @see toServerSentEventsResponse
 */
export function sendServerSentEvents<T>(
  source$: Observable<T>,
  res: ServerResponse,
  options: SendServerSentEventsOptions<T> = {},
): ServerSentEventsDelivery {
  checkDeliveryOptions('sendServerSentEvents', res, options);
  const { maxBufferedBytes, overflowGraceMs, headers, allowedHosts, allowedOrigins, ...framing } = options;
  return deliverFrames(source$, res, { maxBufferedBytes, overflowGraceMs, headers, allowedHosts, allowedOrigins }, {
    frames: toServerSentEvents<T>(framing),
    closingFrame: (error, events) => errorFrame(error, framing, (framing.firstId ?? 1) + events),
    headers: SSE_HEADERS,
  });
}

/** Delivery limits and request check of a Node response of frames (see {@link SendServerSentEventsOptions}). */
export interface DeliveryLimits extends Omit<RequestCheckOptions, 'runsModel'> {
  maxBufferedBytes?: number;
  overflowGraceMs?: number;
  headers?: Record<string, string>;
}

/** Call-time checks shared by the Node adapters. */
export function checkDeliveryOptions(where: string, res: unknown, options: DeliveryLimits): void {
  if (typeof res !== 'object' || res === null || typeof (res as { write?: unknown }).write !== 'function') {
    throw new TypeError(`${where}: res must be a Node http.ServerResponse, got ${describe(res)}.`);
  }
  assertObject(`${where}: options`, options);
  assertPositiveInteger(`${where}: maxBufferedBytes`, options.maxBufferedBytes);
  assertNonNegative(`${where}: overflowGraceMs`, options.overflowGraceMs);
  assertObject(`${where}: headers`, options.headers);
  assertRequestCheckOptions(where, options);
  const request = (res as { req?: IncomingMessage }).req;
  if (typeof request?.headers !== 'object') {
    throw new TypeError(`${where}: res.req is missing; pass the ServerResponse Node created for the request.`);
  }
}

/**
 * The delivery machinery of `sendServerSentEvents` and `sendUIMessageStream`: the request
 * check (`checkRequest`, before anything is subscribed), headers, backpressure with a
 * bounded queue, overflow, client disconnect, stop.
 */
export function deliverFrames<T>(
  source$: Observable<T>,
  res: ServerResponse,
  limits: DeliveryLimits,
  encoding: FrameEncoding<T>,
): ServerSentEventsDelivery {
  const { maxBufferedBytes = DEFAULT_MAX_BUFFERED_BYTES, overflowGraceMs = 10_000, headers, allowedHosts, allowedOrigins } = limits;
  const request = (res as { req: IncomingMessage }).req;
  if (res.destroyed || res.writableEnded) return settled('client-closed');
  const refusal = checkRequest(request, { allowedHosts, allowedOrigins, runsModel: true });
  if (refusal) {
    if (!res.headersSent) {
      const body = JSON.stringify({ error: refusal.message });
      res.writeHead(refusal.status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)) });
      res.end(body);
    } else res.end();
    return settled('refused');
  }
  return new FrameDelivery(res, encoding, maxBufferedBytes, overflowGraceMs).start(source$, headers);
}

/** A delivery that ended before it began. */
function settled(outcome: ServerSentEventsOutcome): ServerSentEventsDelivery {
  return { stats: emptyStats(), finished: Promise.resolve(outcome), stop: () => undefined };
}

/** The final `error` frame for an error raised by the adapter itself, with the caller's naming, continuing the id sequence. */
function errorFrame<T>(error: unknown, framing: ToServerSentEventsOptions<T>, id: number): string {
  let frame = '';
  throwError(() => error)
    .pipe(toServerSentEvents<T>({ ...framing, heartbeatMs: 0, firstId: id, retryMs: undefined }))
    .subscribe((f) => (frame = f));
  return frame;
}
