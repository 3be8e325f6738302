import type { ServerResponse } from 'node:http';
import type { Observable } from 'rxjs';
import type { UIMessageStreamInput } from '../web/toUIMessageStream';
import { UI_MESSAGE_STREAM_DONE, UI_MESSAGE_STREAM_HEADERS } from '../web/uiMessageChunk';
import { checkUIMessageStreamFraming, encodeUIMessageChunk, toUIMessageStreamFrames, type UIMessageStreamFramingOptions } from '../web/uiMessageStreamFrames';
import { checkDeliveryOptions, deliverFrames, type DeliveryLimits, type ServerSentEventsDelivery } from './sendServerSentEvents';

/**
 * Options of {@link sendUIMessageStream}: the chunks (`toUIMessageStream`), heartbeats,
 * delivery limits, and {@link checkRequest}'s `allowedHosts` / `allowedOrigins` (default: the
 * server's own address and `localhost` with its port, and the same origin).
 */
export interface SendUIMessageStreamOptions extends UIMessageStreamFramingOptions, DeliveryLimits {}

/**
 * Streams `source$` to a Node `http.ServerResponse` as the AI SDK's UI message stream v1
 * (what `useChat` reads from `POST /api/chat`): the headers `content-type:
 * text/event-stream`, `cache-control: no-cache`, `x-vercel-ai-ui-message-stream: v1`,
 * `x-accel-buffering: no`, flushed at once; `data: <json>\n\n` per `UIMessageChunk`
 * (see `toUIMessageStream`); `data: [DONE]\n\n` last; `: ping` on silence. Delivery is
 * `sendServerSentEvents`'s. The request is checked first (`checkRequest`): a foreign `Host`
 * gets 421, a cross-site request 403 (useChat's POST with `Content-Type: application/json`
 * from the same origin passes), and `source$` is never subscribed; loosen it with
 * `allowedHosts` / `allowedOrigins`. A client disconnect (useChat's stop) aborts the model; once
 * `write()` returns false frames wait in a queue capped at `maxBufferedBytes`, past which
 * the request is aborted and an `error` chunk ends the stream. Works with Express's `res`
 * and Fastify's `reply.raw` (after `reply.hijack()`).
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { text } from 'node:stream/consumers';
 * import { ChatOpenAI } from '@langchain/openai';
 * import { fromRunnable, fromUIMessages } from 'rxjs-langchain';
 * import { sendUIMessageStream } from 'rxjs-langchain/node';
 *
 * const model = new ChatOpenAI({ model: 'gpt-4o-mini' });
 * createServer(async (req, res) => {
 *   const { messages } = JSON.parse(await text(req)) as { messages: unknown };
 *   sendUIMessageStream(fromRunnable(model, fromUIMessages(messages)), res);
 * }).listen(3000, '127.0.0.1');
 * ```
 *
 * @param source$ Parts, message chunks or text (what `toUIMessageStream` reads).
 * @param res The response Node created for the request (`res.req` is read for the check).
 * @param options Chunk options, `heartbeatMs`, `maxBufferedBytes`, `overflowGraceMs`, extra `headers`, `allowedHosts`, `allowedOrigins`.
 * @returns The delivery: `{ stats, finished, stop() }` (`finished` resolves to how it ended).
 * @see toUIMessageStreamResponse
 * @see sendServerSentEvents
 * @see checkRequest
 */
export function sendUIMessageStream(
  source$: Observable<UIMessageStreamInput>,
  res: ServerResponse,
  options: SendUIMessageStreamOptions = {},
): ServerSentEventsDelivery {
  checkDeliveryOptions('sendUIMessageStream', res, options);
  checkUIMessageStreamFraming('sendUIMessageStream', options);
  if (typeof (source$ as { subscribe?: unknown })?.subscribe !== 'function') {
    throw new TypeError('sendUIMessageStream: source$ must be an Observable.');
  }
  const { maxBufferedBytes, overflowGraceMs, headers, allowedHosts, allowedOrigins, ...framing } = options;
  return deliverFrames(source$, res, { maxBufferedBytes, overflowGraceMs, headers, allowedHosts, allowedOrigins }, {
    frames: toUIMessageStreamFrames(framing),
    closingFrame: (error) => encodeUIMessageChunk({ type: 'error', errorText: (error as Error).message }) + UI_MESSAGE_STREAM_DONE,
    headers: UI_MESSAGE_STREAM_HEADERS,
  });
}
