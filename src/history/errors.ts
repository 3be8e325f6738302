import { RxLangChainError } from '../errors';

/**
 * A line in the middle of a `FileChatMessageHistory` file is not a stored
 * message (a torn LAST line, from a crash mid-write, is ignored instead).
 *
 * @example
 * ```ts
 * await history.getMessages().catch((e) => e instanceof HistoryFileCorruptError && console.error(`${e.filePath}:${e.line}`));
 * ```
 */
export class HistoryFileCorruptError extends RxLangChainError {
  readonly filePath: string;
  /** 1-based line number of the bad line. */
  readonly line: number;

  constructor(filePath: string, line: number, cause: unknown) {
    super(
      'HISTORY_FILE_CORRUPT',
      `Chat history file ${filePath} line ${line} is not a stored message; fix or remove that line (or clear() the history).`,
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
 * session.close();
 * session.ask('hi').catch((e) => e instanceof ChatSessionClosedError); // true
 * ```
 */
export class ChatSessionClosedError extends RxLangChainError {
  constructor() {
    super('CHAT_SESSION_CLOSED', 'This ChatSession was closed; create a new ChatSession to keep chatting.');
  }
}
