import type { OperatorFunction } from 'rxjs';
import { assertNonNegative, assertObject, describe } from '../internal/validate';
import { SSE_HEARTBEAT } from './serverSentEventFrame';
import { encodeUIMessageStream, type ToUIMessageStreamOptions, type UIMessageStreamInput } from './toUIMessageStream';
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
 * `error` chunk and `[DONE]`, and unsubscribes the source. Encoding happens in the chunk
 * pass itself (no extra operator per frame).
 */
export function toUIMessageStreamFrames(options: UIMessageStreamFramingOptions = {}): OperatorFunction<UIMessageStreamInput, string> {
  const { heartbeatMs = 15_000, ...rest } = options;
  return encodeUIMessageStream('toUIMessageStreamFrames', rest, encodeUIMessageChunk, { trailer: UI_MESSAGE_STREAM_DONE, heartbeatMs, ping: SSE_HEARTBEAT });
}
