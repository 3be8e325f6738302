import { RxLangChainError } from '../errors';

/**
 * An SSE client read so slowly that more than `maxBufferedBytes` of frames
 * waited for it. The model request is aborted and the client gets this as its
 * final `error` event (if it ever reads that far).
 *
 * @example
 * ```ts
 * const delivery = sendServerSentEvents(stream$, res, { maxBufferedBytes: 256 * 1024 });
 * if ((await delivery.finished) === 'overflow') log.warn('dropped a slow SSE reader');
 * ```
 */
export class SlowConsumerError extends RxLangChainError {
  /** Bytes that were waiting when the limit was crossed. */
  readonly bufferedBytes: number;

  constructor(bufferedBytes: number, limit: number) {
    super(
      'SSE_SLOW_CONSUMER',
      `The client read too slowly: ${bufferedBytes} bytes waited, over the limit of ${limit} (maxBufferedBytes). The stream was stopped.`,
    );
    this.bufferedBytes = bufferedBytes;
  }
}

/**
 * A WebSocket chat message the server could not accept: not JSON, not an
 * object, an unknown `type`, or a missing `question`. Sent back as an
 * `{ type: 'error', code: 'WS_BAD_MESSAGE' }` frame; the connection stays open.
 *
 * @example
 * ```ts
 * ws.send('hello'); // ← {"type":"error","code":"WS_BAD_MESSAGE","message":"Messages must be JSON …"}
 * ```
 */
export class BadChatMessageError extends RxLangChainError {
  constructor(message: string) {
    super('WS_BAD_MESSAGE', message);
  }
}
