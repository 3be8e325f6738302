/**
 * Base class of every error rxjs-langchain raises itself, so callers can tell
 * ours apart from provider errors with one `instanceof`.
 *
 * @example
 * ```ts
 * import { ChatOpenAI } from '@langchain/openai';
 * import { fromRunnable, textContent, RxLangChainError } from 'rxjs-langchain';
 *
 * fromRunnable(new ChatOpenAI({ model: 'gpt-4o-mini' }), 'hi').pipe(textContent()).subscribe({
 *   error: (e) => console.error(e instanceof RxLangChainError ? `rxjs-langchain: ${e.code}` : `provider: ${e}`),
 * });
 * ```
 *
 * @see {@link StreamTimeoutError}, {@link StreamInterruptedError}, {@link ForbiddenContentError} and the other subclasses.
 *
 * @param code A stable machine-readable code, e.g. `'STREAM_ABORTED'`.
 * @param message What happened and what to do about it.
 * @param options `cause`: the error underneath, if any.
 */
export class RxLangChainError extends Error {
  /** Stable machine-readable code, e.g. `'STREAM_ABORTED'`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * The caller's own `config.signal` aborted the stream. An unsubscribe is not
 * an error and never produces this; only an external signal does.
 *
 * @example
 * ```ts
 * import { ChatOpenAI } from '@langchain/openai';
 * import { fromRunnable, StreamAbortedError } from 'rxjs-langchain';
 *
 * const model = new ChatOpenAI({ model: 'gpt-4o-mini' });
 * const ac = new AbortController();
 * fromRunnable(model, 'hi', { signal: ac.signal }).subscribe({
 *   error: (e) => e instanceof StreamAbortedError && console.log('aborted by caller'),
 * });
 * ac.abort();
 * ```
 *
 * @see {@link fromRunnable}, whose `config.signal` this is about.
 *
 * @param reason The caller's `signal.reason`.
 */
export class StreamAbortedError extends RxLangChainError {
  /** `signal.reason` of the caller's signal. */
  readonly reason: unknown;

  constructor(reason: unknown) {
    super('STREAM_ABORTED', 'The stream was aborted by the AbortSignal passed in config.signal.', {
      cause: reason,
    });
    this.reason = reason;
  }
}

/**
 * `abortOn` saw a forbidden pattern. The upstream request was already
 * unsubscribed (and so aborted) when this error arrives.
 *
 * @example
 * ```ts
 * import { ChatOpenAI } from '@langchain/openai';
 * import { fromRunnable, textContent, abortOn, ForbiddenContentError } from 'rxjs-langchain';
 *
 * const model = new ChatOpenAI({ model: 'gpt-4o-mini' });
 * fromRunnable(model, '比较Python和Java').pipe(textContent(), abortOn(['Java'])).subscribe({
 *   error: (e) => e instanceof ForbiddenContentError && console.log(`stopped at ${e.pattern}`),
 * });
 * ```
 *
 * @see {@link abortOn}
 *
 * @param pattern The pattern as given to `abortOn`.
 * @param index UTF-16 offset of the match in the whole reply.
 * @param emittedText The text emitted downstream before the match.
 * @param toolCallId The tool call whose arguments matched, when `abortOn` watched tool-call arguments.
 */
export class ForbiddenContentError extends RxLangChainError {
  /** The pattern as given to `abortOn` (not case-folded). */
  readonly pattern: string;
  /** UTF-16 offset of the match in the whole reply (a JS string index). */
  readonly index: number;
  /** Exactly the text emitted downstream before the match was seen. */
  readonly emittedText: string;
  /**
   * Set when the match was in a tool call's arguments (`abortOn(patterns, { toolCallArgs: true })`):
   * that call's id; `index` and `emittedText` are then within its argument text.
   */
  readonly toolCallId?: string;

  constructor(pattern: string, index: number, emittedText: string, toolCallId?: string) {
    super(
      'FORBIDDEN_CONTENT',
      `Forbidden content ${JSON.stringify(pattern)} at index ${index}${toolCallId === undefined ? '' : ` of tool call ${toolCallId}'s arguments`}; the stream was stopped.`,
    );
    this.pattern = pattern;
    this.index = index;
    this.emittedText = emittedText;
    if (toolCallId !== undefined) this.toolCallId = toolCallId;
  }
}

/** Which limit of `streamTimeout` fired. */
export type StreamTimeoutKind = 'first-chunk' | 'idle' | 'total';

/**
 * `streamTimeout` gave up: no first chunk, no chunk for too long, or the whole
 * reply took too long. The upstream request was unsubscribed (aborted). Like
 * `StreamInterruptedError`, it carries what was seen: `partialText` and `chunks`
 * (both empty for `first-chunk`, which fires only before the first chunk with content).
 *
 * @example
 * ```ts
 * import { ChatOpenAI } from '@langchain/openai';
 * import { fromRunnable, streamTimeout, StreamTimeoutError } from 'rxjs-langchain';
 *
 * const model = new ChatOpenAI({ model: 'gpt-4o-mini' });
 * fromRunnable(model, 'hi').pipe(streamTimeout({ firstChunkMs: 10_000 })).subscribe({
 *   error: (e) => e instanceof StreamTimeoutError && e.kind === 'first-chunk' && console.error('no first chunk in 10 s'),
 * });
 * ```
 *
 * @see {@link streamTimeout}
 * @see {@link retryBeforeFirstChunk}, which retries a `first-chunk` timeout.
 *
 * @param kind Which limit fired: `'first-chunk'`, `'idle'` or `'total'`.
 * @param ms The limit that was exceeded, ms.
 * @param partialText The text received before the timeout ('' for `first-chunk`).
 * @param chunks How many chunks with content arrived before the timeout.
 */
export class StreamTimeoutError extends RxLangChainError {
  readonly kind: StreamTimeoutKind;
  /** The limit that was exceeded, ms. */
  readonly ms: number;
  /** The text received before the timeout (may be ''). */
  readonly partialText: string;
  /** How many chunks with content arrived before the timeout. */
  readonly chunks: number;

  constructor(kind: StreamTimeoutKind, ms: number, partialText = '', chunks = 0) {
    const what = kind === 'first-chunk' ? 'no first chunk within' : kind === 'idle' ? 'no chunk for' : 'the stream did not complete within';
    const seen = chunks > 0 ? ` ${chunks} chunk(s) and ${[...partialText].length} character(s) of partial text had arrived (error.partialText).` : '';
    super('STREAM_TIMEOUT', `Stream timeout (${kind}): ${what} ${ms} ms.${seen}`);
    this.kind = kind;
    this.ms = ms;
    this.partialText = partialText;
    this.chunks = chunks;
  }
}

/**
 * A reply stopped before the model finished it: the connection dropped mid-stream,
 * or the stream ended without a finish marker (`finish_reason` / `stop_reason`),
 * which would otherwise look like a complete but short answer. Raised by
 * `requireCompletion()`. `partialText` is the text received before the cut, so a
 * UI can show it as interrupted and a history can refuse to store it as an answer.
 *
 * @example
 * ```ts
 * import { ChatOpenAI } from '@langchain/openai';
 * import { fromRunnable, requireCompletion, collectText, StreamInterruptedError } from 'rxjs-langchain';
 *
 * const model = new ChatOpenAI({ model: 'gpt-4o-mini' });
 * fromRunnable(model, '介绍Python').pipe(requireCompletion(), collectText()).subscribe({
 *   error: (e) => e instanceof StreamInterruptedError && console.error(`cut after: ${e.partialText}`),
 * });
 * ```
 *
 * @see {@link requireCompletion}
 * @see {@link chatTurns}, whose turns end with this error when a reply is cut.
 *
 * @param reason `'error'` (the stream failed mid-way) or `'no-finish'` (it ended without a finish marker).
 * @param partialText The text received before the stream stopped.
 * @param chunks How many chunks with content arrived before it stopped.
 * @param cause The error that ended the stream, for `'error'`.
 */
export class StreamInterruptedError extends RxLangChainError {
  /** The text received before the stream stopped (may be ''). */
  readonly partialText: string;
  /** How many chunks with content arrived before the stream stopped. */
  readonly chunks: number;
  /** `'error'`: the stream failed mid-way (see `cause`); `'no-finish'`: it ended without a finish marker. */
  readonly reason: 'error' | 'no-finish';

  constructor(reason: 'error' | 'no-finish', partialText: string, chunks: number, cause?: unknown) {
    const what =
      reason === 'error'
        ? `The stream failed after ${chunks} chunk(s): ${cause instanceof Error ? cause.message : String(cause)}`
        : `The stream ended after ${chunks} chunk(s) without a finish_reason, so the reply is incomplete (the connection was probably cut)`;
    super(
      'STREAM_INTERRUPTED',
      `${what}. ${partialText.length} character(s) of partial text are on error.partialText; retry the turn instead of treating them as the answer.`,
      cause === undefined ? undefined : { cause },
    );
    this.partialText = partialText;
    this.chunks = chunks;
    this.reason = reason;
  }
}

/**
 * A `FileChatMessageHistory` file holds a line that is not a stored message: it
 * is not one of its JSON Lines files (a JSON array, plain text), or a line names
 * an unknown message type. The file is never modified. (A record cut short by a
 * crash is skipped instead.)
 *
 * @example
 * ```ts
 * import { FileChatMessageHistory, HistoryFileCorruptError } from 'rxjs-langchain/node';
 *
 * const history = new FileChatMessageHistory('.chat/history.jsonl');
 * await history.getMessages().catch((e) => e instanceof HistoryFileCorruptError && console.error(`${e.filePath}:${e.line}`));
 * ```
 *
 * @see {@link FileChatMessageHistory}
 *
 * @param filePath The history file.
 * @param line 1-based line number of the bad line.
 * @param cause Why the line could not be read (a JSON or message error).
 */
export class HistoryFileCorruptError extends RxLangChainError {
  readonly filePath: string;
  /** 1-based line number of the bad line. */
  readonly line: number;

  constructor(filePath: string, line: number, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : cause === undefined ? '' : String(cause);
    super(
      'HISTORY_FILE_CORRUPT',
      `Chat history file ${filePath} line ${line} is not a stored message${detail ? ` (${detail})` : ''}; ` +
        'the file was left unchanged: fix or remove that line, or use another history file.',
      { cause },
    );
    this.filePath = filePath;
    this.line = line;
  }
}

/**
 * `ChatSession.send()` / `ask()` after `close()`.
 *
 * @example
 * ```ts
 * import { ChatOpenAI } from '@langchain/openai';
 * import { ChatSession, ChatSessionClosedError } from 'rxjs-langchain';
 *
 * const session = new ChatSession({ model: new ChatOpenAI({ model: 'gpt-4o-mini' }) });
 * session.close();
 * session.ask('hi').catch((e) => e instanceof ChatSessionClosedError); // true
 * ```
 *
 * @see {@link ChatSession}
 */
export class ChatSessionClosedError extends RxLangChainError {
  constructor() {
    super('CHAT_SESSION_CLOSED', 'This ChatSession was closed; create a new ChatSession to keep chatting.');
  }
}

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
 * A WebSocket chat message the server could not accept: not JSON, not an
 * object, an unknown `type`, or a missing `question`. Sent back as an
 * `{ type: 'error', code: 'WS_BAD_MESSAGE' }` frame; the connection stays open.
 *
 * @example
 * ```ts
 * import { BadChatMessageError } from 'rxjs-langchain/node';
 *
 * // A client sends `hello` (not JSON); the server answers with this error's frame:
 * // {"type":"error","code":"WS_BAD_MESSAGE","name":"BadChatMessageError","message":"Messages must be JSON …"}
 * const error = new BadChatMessageError('Messages must be JSON like {"type":"ask","question":"…"} or {"type":"stop"}.');
 * console.log(error.code); // 'WS_BAD_MESSAGE'
 * ```
 *
 * @see `serveChatOverWebSocket` (`rxjs-langchain/node`)
 *
 * @param message What was wrong with the message, as the client will read it.
 */
export class BadChatMessageError extends RxLangChainError {
  constructor(message: string) {
    super('WS_BAD_MESSAGE', message);
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

/**
 * `fromServerSentEvents` got a response that is not an event stream: an HTTP error
 * status, another content type, or no body. Nothing was emitted.
 *
 * @example
 * ```ts
 * import { fromServerSentEvents, ServerSentEventsResponseError } from 'rxjs-langchain';
 *
 * fromServerSentEvents('http://127.0.0.1:3000/api/chat/stream', { method: 'POST', body: JSON.stringify({ question: 'hi' }) }).subscribe({
 *   error: (e) => {
 *     if (e instanceof ServerSentEventsResponseError && e.status === 413) console.log('The question is too long.');
 *   },
 * });
 * ```
 *
 * @see {@link fromServerSentEvents}
 *
 * @param status The HTTP status.
 * @param contentType The response's `content-type` ('' when absent).
 * @param bodyText The start of the body.
 * @param what How the response was wrong, for the message (`HTTP 413 Payload Too Large`).
 */
export class ServerSentEventsResponseError extends RxLangChainError {
  readonly status: number;
  /** The response's `content-type` ('' when absent). */
  readonly contentType: string;
  /** The start of the response body (at most 1,000 characters), e.g. the server's JSON error. */
  readonly bodyText: string;

  constructor(status: number, contentType: string, bodyText: string, what: string) {
    super('SSE_BAD_RESPONSE', `The server answered ${what}${bodyText ? `: ${bodyText}` : '.'}`);
    this.status = status;
    this.contentType = contentType;
    this.bodyText = bodyText;
  }
}

/**
 * The server reported a failure inside the stream: our `error` event, or a UI message
 * stream's `error` chunk. `partialText` is the text received before it.
 *
 * @example
 * ```ts
 * import { fromServerSentEvents, RemoteStreamError } from 'rxjs-langchain';
 *
 * fromServerSentEvents('http://127.0.0.1:3000/api/chat/stream?question=hi').subscribe({
 *   error: (e) => e instanceof RemoteStreamError && console.log(`${e.partialText} [failed: ${e.message}]`),
 * });
 * ```
 *
 * @see {@link fromServerSentEvents}
 * @see {@link decodeUIMessageStream}
 *
 * @param message The server's error message.
 * @param partialText The text received before it.
 * @param remote The server's error `name` and `code`, when it sent them.
 */
export class RemoteStreamError extends RxLangChainError {
  /** The server's error name and code when it sent them (`StreamTimeoutError`, `STREAM_TIMEOUT`). */
  readonly remoteName: string | undefined;
  readonly remoteCode: string | undefined;
  readonly partialText: string;

  constructor(message: string, partialText: string, remote: { name?: string; code?: string } = {}) {
    super('SSE_REMOTE_ERROR', message);
    this.remoteName = remote.name;
    this.remoteCode = remote.code;
    this.partialText = partialText;
  }
}

/**
 * `fromServerSentEvents({ resume: true })` reconnected after a cut, but the server did not
 * resume after `Last-Event-ID` (it started over, sent no ids, or refused), or every attempt
 * failed. Nothing was repeated: `partialText` is exactly what was emitted.
 *
 * @example
 * ```ts
 * import { fromServerSentEvents, StreamResumeError } from 'rxjs-langchain';
 *
 * fromServerSentEvents('http://127.0.0.1:3000/api/chat/stream?question=hi', { resume: true }).subscribe({
 *   error: (e) => e instanceof StreamResumeError && console.log(`interrupted after: ${e.partialText}`),
 * });
 * ```
 *
 * @see {@link fromServerSentEvents}
 *
 * @param problem Why the stream could not be resumed.
 * @param lastEventId The last event id received (`undefined` when the server sent none).
 * @param partialText What was emitted before the cut.
 * @param cause The error underneath, if any.
 */
export class StreamResumeError extends RxLangChainError {
  /** The last event id received before the cut (`undefined` when the server sent none). */
  readonly lastEventId: string | undefined;
  readonly partialText: string;

  constructor(problem: string, lastEventId: string | undefined, partialText: string, cause?: unknown) {
    super('SSE_RESUME_FAILED', `The stream could not be resumed: ${problem}. ${partialText.length} character(s) of partial text are on error.partialText.`, cause === undefined ? undefined : { cause });
    this.lastEventId = lastEventId;
    this.partialText = partialText;
  }
}

/**
 * A reply log has no reply by that id: it never started, or its grace period
 * (`graceMs`) after the end is over and the log was deleted.
 *
 * @example
 * ```ts
 * import { InMemoryReplyLog, ReplyNotFoundError } from 'rxjs-langchain/node';
 *
 * new InMemoryReplyLog().read('no-such-reply').subscribe({
 *   error: (e) => e instanceof ReplyNotFoundError && console.log(`ask again: ${e.replyId} is gone`),
 * });
 * ```
 *
 * @see {@link ReplyLog.read}, which raises it.
 *
 * @param replyId The id that was asked for.
 */
export class ReplyNotFoundError extends RxLangChainError {
  readonly replyId: string;

  constructor(replyId: string) {
    super('REPLY_NOT_FOUND', `No reply ${JSON.stringify(replyId)} is stored: it never started or its grace period (graceMs) is over. Ask again.`);
    this.replyId = replyId;
  }
}

/**
 * A reader asked to resume after an event (`after`, the SSE `Last-Event-ID`)
 * that is not in the reply's log: garbage, an event already trimmed away
 * (`maxEvents`), or (in memory) another reply's id. The missed events cannot
 * be replayed exactly, so nothing is replayed.
 *
 * @example
 * ```ts
 * import { InMemoryReplyLog, ReplyEventNotFoundError } from 'rxjs-langchain/node';
 *
 * const log = new InMemoryReplyLog();
 * log.read('reply-1', { after: 'not-an-event' }).subscribe({
 *   error: (e) => e instanceof ReplyEventNotFoundError && console.log(`cannot resume after ${e.after}`),
 * });
 * ```
 *
 * @see {@link ReplyLog.read}, which raises it.
 *
 * @param replyId The reply.
 * @param after The id the reader asked to resume after.
 */
export class ReplyEventNotFoundError extends RxLangChainError {
  readonly replyId: string;
  /** The id the reader asked to resume after. */
  readonly after: string;

  constructor(replyId: string, after: string) {
    super(
      'REPLY_EVENT_NOT_FOUND',
      `Reply ${JSON.stringify(replyId)} has no event ${JSON.stringify(after.length > 60 ? after.slice(0, 60) + '…' : after)} to resume after (another reply's id, or trimmed by maxEvents); read it from the start instead.`,
    );
    this.replyId = replyId;
    this.after = after;
  }
}

/**
 * The producer of a reply went away before ending it: its instance crashed or
 * lost Redis (`'no-heartbeat'`: its heartbeat key expired), its event stream
 * failed (`'failed'`), or it was unsubscribed without a stop (`'abandoned'`,
 * e.g. a server shutdown). Readers get every stored event first, then this.
 *
 * @example
 * ```ts
 * import { InMemoryReplyLog, ReplyProducerGoneError } from 'rxjs-langchain/node';
 *
 * const log = new InMemoryReplyLog();
 * log.read('reply-1').subscribe({
 *   error: (e) => e instanceof ReplyProducerGoneError && console.log(`cut (${e.reason}); ask again`),
 * });
 * ```
 *
 * @see {@link ReplyLog.read}, which raises it after the stored events.
 *
 * @param replyId The reply that was cut.
 * @param reason How its producer went away.
 * @param detail The producer's error message, for `'failed'`.
 */
export class ReplyProducerGoneError extends RxLangChainError {
  readonly replyId: string;
  readonly reason: 'no-heartbeat' | 'failed' | 'abandoned';

  constructor(replyId: string, reason: 'no-heartbeat' | 'failed' | 'abandoned', detail?: string) {
    const what =
      reason === 'no-heartbeat'
        ? 'its producer stopped sending heartbeats (the instance crashed or lost Redis)'
        : reason === 'failed'
          ? `its producer failed${detail ? `: ${detail}` : ''}`
          : 'its producer was shut down before the end';
    super('REPLY_PRODUCER_GONE', `Reply ${JSON.stringify(replyId)} was cut: ${what}. The stored events were delivered; ask again for the rest.`);
    this.replyId = replyId;
    this.reason = reason;
  }
}

/**
 * `ReplyLog.append` was given a reply id that is already in use (live, or still
 * kept for its grace period). Reply ids must be unique, e.g. `randomUUID()`.
 *
 * @example
 * ```ts
 * import { of } from 'rxjs';
 * import { InMemoryReplyLog, ReplyExistsError } from 'rxjs-langchain/node';
 *
 * const log = new InMemoryReplyLog();
 * log.append('reply-1', of('data: a\n\n')).subscribe();
 * log.append('reply-1', of('data: b\n\n')).subscribe({ error: (e) => e instanceof ReplyExistsError && console.log('use a new id') });
 * ```
 *
 * @see {@link ReplyLog.append}, which raises it before subscribing to its events.
 *
 * @param replyId The id in use.
 */
export class ReplyExistsError extends RxLangChainError {
  readonly replyId: string;

  constructor(replyId: string) {
    super('REPLY_EXISTS', `Reply ${JSON.stringify(replyId)} already exists in the log; give every reply a new id (randomUUID()).`);
    this.replyId = replyId;
  }
}

/**
 * Another turn of the conversation held its lock for longer than `waitMs`:
 * turns of one conversation run one at a time, across instances.
 *
 * @example
 * ```ts
 * import { NEVER, of } from 'rxjs';
 * import { ConversationBusyError, InMemoryConversationLock } from 'rxjs-langchain/node';
 *
 * const lock = new InMemoryConversationLock({ waitMs: 100 });
 * lock.run('c-1', NEVER).subscribe(); // a turn that takes long
 * lock.run('c-1', of('next turn')).subscribe({ error: (e) => e instanceof ConversationBusyError && console.log('busy: try later') });
 * ```
 *
 * @see {@link ConversationLock}, whose `hold` and `run` raise it.
 *
 * @param conversationId The conversation.
 * @param waitMs How long the turn waited.
 */
export class ConversationBusyError extends RxLangChainError {
  readonly conversationId: string;
  readonly waitMs: number;

  constructor(conversationId: string, waitMs: number) {
    super(
      'CONVERSATION_BUSY',
      `Conversation ${JSON.stringify(conversationId)} is busy: another turn held its lock for over ${waitMs} ms (waitMs). Wait for that reply or stop it.`,
    );
    this.conversationId = conversationId;
    this.waitMs = waitMs;
  }
}

/**
 * A held conversation lock expired before it could be renewed (the process
 * stalled for longer than `ttlMs`, or Redis lost the key), so another turn
 * may already run. The turn is ended; nothing of it is saved as complete.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { of } from 'rxjs';
 * import { ConversationLockLostError, RedisConversationLock, type RedisClient } from 'rxjs-langchain/node';
 *
 * const client = (await createClient({ url: process.env.REDIS_URL }).connect()) as RedisClient;
 * new RedisConversationLock({ client }).run('c-1', of('turn')).subscribe({
 *   error: (e) => e instanceof ConversationLockLostError && console.warn(e.message),
 * });
 * ```
 *
 * @see {@link RedisConversationLock}, which raises it when a renewal finds another holder.
 *
 * @param conversationId The conversation whose lock was lost.
 */
export class ConversationLockLostError extends RxLangChainError {
  readonly conversationId: string;

  constructor(conversationId: string) {
    super(
      'CONVERSATION_LOCK_LOST',
      `The lock of conversation ${JSON.stringify(conversationId)} expired while its turn ran (a stall longer than ttlMs); the turn was ended. Raise ttlMs if turns stall.`,
    );
    this.conversationId = conversationId;
  }
}
