import type { Observable } from 'rxjs';
import { checkResponseOptions, framesResponse, type FramesResponseLimits } from './toServerSentEventsResponse';
import type { UIMessageStreamInput } from './toUIMessageStream';
import { UI_MESSAGE_STREAM_DONE, UI_MESSAGE_STREAM_HEADERS } from './uiMessageChunk';
import { checkUIMessageStreamFraming, encodeUIMessageChunk, toUIMessageStreamFrames, type UIMessageStreamFramingOptions } from './uiMessageStreamFrames';

/** Options of {@link toUIMessageStreamResponse}: the chunks (`toUIMessageStream`), heartbeats and delivery limits. */
export interface ToUIMessageStreamResponseOptions extends UIMessageStreamFramingOptions, FramesResponseLimits {}

/**
 * A Web `Response` (Next.js route handlers, Hono, Deno, Bun, Node's global `Response`)
 * that speaks the AI SDK's UI message stream v1, so `useChat` / `Chat` read it unchanged:
 * `data: <json>\n\n` per `UIMessageChunk` (see `toUIMessageStream`), `data: [DONE]\n\n`
 * last, `: ping` after `heartbeatMs` (15 s) of silence, and the headers `content-type:
 * text/event-stream`, `cache-control: no-cache`, `x-vercel-ai-ui-message-stream: v1`,
 * `x-accel-buffering: no`. The body is pull-based like `toServerSentEventsResponse`'s: nothing runs
 * before the first read, at most `maxBufferedBytes` (256 KiB) wait for a reader that does
 * not pull (past it the request is aborted and an `error` chunk ends the stream), and a
 * client that goes away (`cancel()`, useChat's stop) aborts the model request.
 *
 * Like `toServerSentEventsResponse` it never sees the request, so it cannot check it:
 * refuse foreign `Host` headers and cross-site requests in your route first, by the rule
 * of `checkRequest` (docs/decisions/0080). useChat POSTs `Content-Type: application/json`,
 * so accepting only that is the simplest proof; answer a `BadUIMessagesError` with its
 * `status` (400 or 413).
 *
 * @example
 * ```ts
 * import { ChatOpenAI } from '@langchain/openai';
 * import { BadUIMessagesError, fromRunnable, fromUIMessages, toUIMessageStreamResponse } from 'rxjs-langchain';
 *
 * const model = new ChatOpenAI({ model: 'gpt-4o-mini' });
 *
 * export async function POST(request: Request): Promise<Response> {
 *   if (!request.headers.get('content-type')?.startsWith('application/json')) return new Response(null, { status: 415 });
 *   try {
 *     const { messages } = (await request.json()) as { messages: unknown };
 *     return toUIMessageStreamResponse(fromRunnable(model, fromUIMessages(messages)));
 *   } catch (error) {
 *     if (error instanceof BadUIMessagesError) return Response.json({ error: error.message }, { status: error.status });
 *     return Response.json({ error: 'The body is not JSON.' }, { status: 400 });
 *   }
 * }
 * ```
 *
 * @param source$ Parts, message chunks or text (what `toUIMessageStream` reads).
 * @param options Chunk options, `heartbeatMs`, `maxBufferedBytes`, extra `headers`, `status`.
 * @returns A streaming `Response`.
 * @see toUIMessageStream
 * @see sendUIMessageStream
 * @see toServerSentEventsResponse
 */
export function toUIMessageStreamResponse(source$: Observable<UIMessageStreamInput>, options: ToUIMessageStreamResponseOptions = {}): Response {
  checkResponseOptions('toUIMessageStreamResponse', source$, options);
  checkUIMessageStreamFraming('toUIMessageStreamResponse', options);
  const { maxBufferedBytes, headers, status, ...framing } = options;
  return framesResponse(source$, { maxBufferedBytes, headers, status }, {
    frames: toUIMessageStreamFrames(framing),
    closingFrame: (error) => encodeUIMessageChunk({ type: 'error', errorText: (error as Error).message }) + UI_MESSAGE_STREAM_DONE,
    headers: UI_MESSAGE_STREAM_HEADERS,
  });
}
