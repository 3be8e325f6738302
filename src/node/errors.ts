import { RxLangChainError } from '../RxLangChainError';

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
