import { Observable, type MonoTypeOperatorFunction, type OperatorFunction, type SchedulerAction, type SchedulerLike } from 'rxjs';
import { consumeEach } from '../internal/linked';
import { assertObject, describe } from '../internal/validate';

/** One Server-Sent Events frame, before encoding. */
export interface ServerSentEventFields {
  /** `event:` field (the listener name on the client). Omitted for the default `message`. */
  event?: string;
  /** `id:` field. */
  id?: string | number;
  /** `data:` payload. Any CR, LF or CRLF splits it into several `data:` lines, which the client joins back with `\n`. */
  data?: string;
  /** `retry:` field, ms. */
  retry?: number;
}

/** The heartbeat comment, ignored by every SSE client; keeps proxies from closing an idle stream. */
export const SSE_HEARTBEAT = ': ping\n\n';

/** A running heartbeat: `beat()` after every frame; `stop()` at the end. */
export interface Heartbeat {
  beat(): void;
  stop(): void;
}

/**
 * Calls `ping` when a whole `heartbeatMs` window on `scheduler` passed without a `beat()`:
 * the silence before a ping is between `heartbeatMs` and twice that. One timer per stream
 * (an interval); a frame costs a flag write, not a clock read or a timer reset, so encoding
 * stays close to a bare `JSON.stringify` loop (decision 0122, bench/ui).
 */
export function startHeartbeat(heartbeatMs: number, scheduler: SchedulerLike, ping: () => void): Heartbeat {
  let sent = false;
  const timer = scheduler.schedule(function (this: SchedulerAction<unknown>) {
    if (sent) sent = false;
    else ping();
    this.schedule(undefined, heartbeatMs);
  }, heartbeatMs);
  return {
    beat: () => void (sent = true),
    stop: () => timer.unsubscribe(),
  };
}

/**
 * Adds a `: ping` comment after each `heartbeatMs` window without a frame (0: none), on
 * `scheduler`; the pings end with the frames (see {@link startHeartbeat}). Hand-written: composed
 * (`share` the frames, `merge` them with an `interval` filtered to quiet windows, `takeUntil` their
 * end) it took 5.03× the CPU of this (200,000 frames, heartbeat 15 s, median of 11 rounds side by
 * side, load 12).
 */
export function withHeartbeats(heartbeatMs: number, scheduler: SchedulerLike): MonoTypeOperatorFunction<string> {
  if (heartbeatMs === 0) return (frames) => frames;
  return (frames) =>
    new Observable<string>((subscriber) => {
      const heartbeat = startHeartbeat(heartbeatMs, scheduler, () => subscriber.next(SSE_HEARTBEAT));
      subscriber.add(() => heartbeat.stop());
      // Subscribed with the subscriber itself: a downstream take stops even a synchronous source at once.
      frames
        .pipe(
          consumeEach((frame: string) => {
            heartbeat.beat();
            subscriber.next(frame);
          }),
        )
        .subscribe(subscriber);
    });
}

const LINE_BREAK = /\r\n|\r|\n/;

/**
 * Throws a TypeError when `value` cannot be a single-line SSE field value
 * (event names and ids must not contain CR, LF or NUL).
 */
export function assertSseToken(name: string, value: unknown): void {
  if (typeof value !== 'string' || value.length === 0 || /[\r\n\0]/.test(value)) {
    throw new TypeError(`${name} must be a non-empty string without line breaks, got ${describe(value)}.`);
  }
}

/**
 * Encodes one SSE frame following the WHATWG spec. Multi-line `data` becomes
 * several `data:` lines (the client rejoins them with `\n`), so no content can
 * end the frame early or forge a field. `event` and `id` must be single-line.
 *
 * @example
 * ```ts
 * encodeServerSentEvent({ event: 'chunk', id: 1, data: JSON.stringify({ text: 'a\nb' }) });
 * // 'event: chunk\nid: 1\ndata: {"text":"a\\nb"}\n\n'
 * ```
 */
export function encodeServerSentEvent(fields: ServerSentEventFields): string {
  assertObject('encodeServerSentEvent: fields', fields, false);
  let out = '';
  if (fields.event !== undefined) {
    assertSseToken('encodeServerSentEvent: event', fields.event);
    out += `event: ${fields.event}\n`;
  }
  if (fields.id !== undefined) {
    const id = String(fields.id);
    assertSseToken('encodeServerSentEvent: id', id);
    out += `id: ${id}\n`;
  }
  if (fields.retry !== undefined) {
    if (!Number.isInteger(fields.retry) || fields.retry < 0) {
      throw new RangeError(`encodeServerSentEvent: retry must be an integer >= 0, got ${describe(fields.retry)}.`);
    }
    out += `retry: ${fields.retry}\n`;
  }
  if (fields.data !== undefined) {
    for (const line of fields.data.split(LINE_BREAK)) out += `data: ${line}\n`;
  }
  return out + '\n';
}

/** Response headers of every SSE response. */
export const SSE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
});

/** Default cap of frames waiting for a slow SSE reader, bytes (256 KiB). */
export const DEFAULT_MAX_BUFFERED_BYTES = 256 * 1024;

/** How values become frames: the framing operator, the frame sent after an overflow, the base headers. */
export interface FrameEncoding<T> {
  frames: OperatorFunction<T, string>;
  /** The last frame after an overflow (`error` is a SlowConsumerError; `events` frames were sent before it). */
  closingFrame(error: unknown, events: number): string;
  headers: Readonly<Record<string, string>>;
}
