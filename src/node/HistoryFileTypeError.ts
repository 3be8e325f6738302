import { RxLangChainError } from '../errors';

/** What a history path turned out to be, when it is not a regular file. */
export type HistoryFileKind = 'a FIFO (named pipe)' | 'a character device' | 'a block device' | 'a socket' | 'a symbolic link' | 'not a regular file';

/**
 * A history path that is not a regular file (nor a path to be created): a FIFO
 * (opening it would wait for a writer), `/dev/null` or `/dev/zero` (a turn would
 * "save" and read back empty), a socket, or a symbolic link, which is not followed
 * unless asked (`followSymlinks: true`; the CLI's `--follow-symlinks`). Nothing was
 * read or written.
 *
 * @example
 * ```ts
 * import { FileChatMessageHistory, HistoryFileTypeError } from 'rxjs-langchain/node';
 *
 * const history = new FileChatMessageHistory('/dev/null');
 * await history.ensureWritable().catch((e) => e instanceof HistoryFileTypeError && console.error(e.message));
 * // Chat history file /dev/null is a character device, not a regular file; …
 * ```
 *
 * @see {@link FileChatMessageHistory}
 *
 * @param filePath The history path.
 * @param kind What it is.
 */
export class HistoryFileTypeError extends RxLangChainError {
  readonly filePath: string;
  readonly kind: HistoryFileKind;

  constructor(filePath: string, kind: HistoryFileKind) {
    super(
      'HISTORY_FILE_TYPE',
      kind === 'a symbolic link'
        ? `Chat history file ${filePath} is a symbolic link, which is not followed; use the file it points to, or pass followSymlinks: true (rxjs-langchain chat --follow-symlinks).`
        : `Chat history file ${filePath} is ${kind}, not a regular file; use a regular file (or a path where one can be created).`,
    );
    this.filePath = filePath;
    this.kind = kind;
  }
}
