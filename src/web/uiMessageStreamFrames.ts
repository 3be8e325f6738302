import { asyncScheduler, catchError, concat, map, of, type OperatorFunction, type SchedulerLike } from 'rxjs';
import { assertNonNegative, assertObject, describe } from '../internal/validate';
import { withHeartbeats } from './serverSentEventFrame';
import { defaultUIErrorText, errorTextOf, toUIMessageStream, type ToUIMessageStreamOptions, type UIMessageStreamInput } from './toUIMessageStream';
import { UI_MESSAGE_STREAM_DONE, type UIMessageChunk } from './uiMessageChunk';

/** Options of the UI message stream wire (`toUIMessageStreamResponse`, `sendUIMessageStream`). */
export interface UIMessageStreamFramingOptions extends ToUIMessageStreamOptions {
  /** Send a `: ping` comment after this many ms without any frame. Default 15000; 0 turns heartbeats off. */
  heartbeatMs?: number;
}

/** One UI message stream frame. JSON has no raw line breaks, so one `data:` line always holds it. */
export function encodeUIMessageChunk(chunk: UIMessageChunk): string {
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

/** Validates the framing options at call time (the `where` names the public function). */
export function checkUIMessageStreamFraming(where: string, options: UIMessageStreamFramingOptions): void {
  assertObject(`${where}: options`, options);
  assertNonNegative(`${where}: heartbeatMs`, options.heartbeatMs);
  const scheduler = options.scheduler;
  if (scheduler !== undefined && (typeof scheduler !== 'object' || scheduler === null || typeof scheduler.now !== 'function')) {
    throw new TypeError(`${where}: scheduler must be an RxJS scheduler, got ${describe(scheduler)}.`);
  }
}

/**
 * The frames of a UI message stream: `toUIMessageStream` chunks as `data: <json>\n\n`,
 * `data: [DONE]\n\n` last (also after an `error` or `abort` chunk), `: ping` on silence.
 * A chunk that cannot be JSON-encoded (a BigInt tool output) ends the stream with an
 * `error` chunk and `[DONE]`, and unsubscribes the source.
 */
export function toUIMessageStreamFrames(options: UIMessageStreamFramingOptions = {}): OperatorFunction<UIMessageStreamInput, string> {
  const { heartbeatMs = 15_000, ...rest } = options;
  const chunks = toUIMessageStream(rest);
  const errorText = rest.errorText ?? defaultUIErrorText;
  return (source) =>
    concat(source.pipe(chunks, map(encodeUIMessageChunk)), of(UI_MESSAGE_STREAM_DONE)).pipe(
      catchError((error: unknown) => of(encodeUIMessageChunk({ type: 'error', errorText: errorTextOf(errorText, error) }), UI_MESSAGE_STREAM_DONE)),
      withHeartbeats(heartbeatMs, rest.scheduler ?? asyncScheduler),
    );
}
