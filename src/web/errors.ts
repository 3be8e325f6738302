import { RxLangChainError } from '../RxLangChainError';

/**
 * An SSE client read so slowly that more than `maxBufferedBytes` of frames
 * waited for it. The model request is aborted and the client gets this as its
 * final `error` event (if it ever reads that far).
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { ChatOpenAI } from '@langchain/openai';
 * import { fromRunnable, textContent } from 'rxjs-langchain';
 * import { sendServerSentEvents } from 'rxjs-langchain/node';
 *
 * const model = new ChatOpenAI({ model: 'gpt-4o-mini' });
 * createServer(async (req, res) => {
 *   const delivery = sendServerSentEvents(fromRunnable(model, 'hi').pipe(textContent()), res, { maxBufferedBytes: 256 * 1024 });
 *   if ((await delivery.finished) === 'overflow') console.warn('dropped a slow SSE reader (SlowConsumerError)');
 * }).listen(3000, '127.0.0.1');
 * ```
 *
 * @see `sendServerSentEvents` (`rxjs-langchain/node`) and {@link toServerSentEventsResponse}, which raise it.
 *
 * @param bufferedBytes Bytes that were waiting when the limit was crossed.
 * @param limit The `maxBufferedBytes` in force.
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
 * `fromUIMessages` got a request body it cannot turn into chat messages: not an array,
 * a message or part of the wrong shape, an unknown part type, or over a size limit.
 * `status` is 400 (413 for a size limit), so a server answers with it and the message.
 *
 * @example
 * ```ts
 * import { BadUIMessagesError, fromUIMessages } from 'rxjs-langchain';
 *
 * export async function POST(request: Request): Promise<Response> {
 *   const { messages } = (await request.json()) as { messages: unknown };
 *   try {
 *     return Response.json({ count: fromUIMessages(messages).length });
 *   } catch (e) {
 *     if (e instanceof BadUIMessagesError) return Response.json({ error: e.message }, { status: e.status });
 *     throw e;
 *   }
 * }
 * ```
 *
 * @see {@link fromUIMessages}
 *
 * @param path Where the problem is, e.g. `messages[2].parts[0].type`.
 * @param problem What is wrong there and what was expected.
 * @param status 400, or 413 for a size limit.
 */
export class BadUIMessagesError extends RxLangChainError {
  /** Where the problem is, e.g. `messages[2].parts[0].type`. */
  readonly path: string;
  /** The HTTP status to answer with: 400, or 413 when a size limit was crossed. */
  readonly status: 400 | 413;

  constructor(path: string, problem: string, status: 400 | 413 = 400) {
    super('UI_BAD_MESSAGES', `${path}: ${problem}`);
    this.path = path;
    this.status = status;
  }
}
