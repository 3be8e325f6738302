import { encodeServerSentEvent } from '../web/serverSentEventFrame';
import { defaultServerSentErrorData } from '../web/toServerSentEvents';

/**
 * The default `errorFrame` of {@link sendReplyLog}: an `event: error` frame with
 * `{ name, message, code? }` and no `id:` line, so the client's `Last-Event-ID`
 * stays on the last stored event.
 *
 * @example
 * ```ts
 * import { ReplyProducerGoneError, replyLogErrorFrame } from 'rxjs-langchain/node';
 *
 * replyLogErrorFrame(new ReplyProducerGoneError('reply-1', 'no-heartbeat'));
 * // 'event: error\ndata: {"name":"ReplyProducerGoneError","message":"Reply \\"reply-1\\" was cut: …","code":"REPLY_PRODUCER_GONE"}\n\n'
 * ```
 *
 * @see {@link sendReplyLog}, whose `errorFrame` option this is the default of.
 *
 * @param error Why the read failed.
 * @returns The frame.
 */
export function replyLogErrorFrame(error: unknown): string {
  return encodeServerSentEvent({ event: 'error', data: JSON.stringify(defaultServerSentErrorData(error)) });
}
