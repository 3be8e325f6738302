import { constants } from 'node:fs';
import { lstat, mkdir, open, stat, type FileHandle } from 'node:fs/promises';
import { HistoryFileTypeError, type HistoryFileKind } from './HistoryFileTypeError';
import { dirname } from 'node:path';
import { BaseListChatMessageHistory } from '@langchain/core/chat_history';
import {
  mapChatMessagesToStoredMessages, mapStoredMessagesToChatMessages, type BaseMessage, type StoredMessage,
} from '@langchain/core/messages';
import { describe } from '../internal/validate';
import { HistoryFileCorruptError } from '../errors';

const NEWLINE = 0x0a;
/** Bytes before the read offset remembered to notice a file replaced behind our back. */
const GUARD_BYTES = 64;

/** What one instance knows about its file: everything before `offset` is parsed into `messages`. */
interface FileState {
  /** `dev:ino` of the file read. */
  id: string;
  /** Byte offset just after the last complete ('\n'-terminated) line parsed. */
  offset: number;
  /** Complete lines before `offset`. */
  lines: number;
  /** The bytes just before `offset` (up to GUARD_BYTES). */
  guard: Buffer;
  /** Messages of the complete lines. */
  messages: BaseMessage[];
  /** Messages of a last line without '\n' that parsed (an editor's file), re-read every time. */
  tail: BaseMessage[];
  /** The file is empty or ends with '\n', so an append needs no separator. */
  endsWithNewline: boolean;
}

/** Options of {@link FileChatMessageHistory}. */
export interface FileChatMessageHistoryOptions {
  /**
   * Use the file a symbolic link at `filePath` points to. Default false: the link is
   * refused (`O_NOFOLLOW`) with a {@link HistoryFileTypeError}, so a link planted at the
   * path cannot redirect what the chat writes.
   */
  followSymlinks?: boolean;
}

const MODES = { r: constants.O_RDONLY, 'r+': constants.O_RDWR, a: constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT } as const;
// O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused right after); no effect on a file.
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const NONBLOCK = constants.O_NONBLOCK ?? 0;

function kindOf(info: { isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean; isSymbolicLink(): boolean }): HistoryFileKind {
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  if (info.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

/**
 * Opens a history file: never follows a symbolic link unless asked, never waits on a FIFO,
 * and refuses anything but a regular file ({@link HistoryFileTypeError}); a directory keeps
 * the file system's EISDIR.
 */
async function openHistoryFile(filePath: string, mode: keyof typeof MODES, followSymlinks: boolean): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(filePath, MODES[mode] | NONBLOCK | (followSymlinks ? 0 : NOFOLLOW), 0o666);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // ELOOP: the last component is a symbolic link (O_NOFOLLOW); ENXIO: a FIFO without a reader, opened to write.
    if (code === 'ELOOP' || code === 'ENXIO' || code === 'EOPNOTSUPP') {
      const info = await lstat(filePath).catch(() => undefined);
      if (info && !info.isFile() && !info.isDirectory()) throw new HistoryFileTypeError(filePath, kindOf(info));
    }
    throw e;
  }
  const info = await handle.stat().catch(async (e: unknown) => {
    await handle.close();
    throw e;
  });
  if (info.isFile()) return handle;
  await handle.close();
  if (info.isDirectory()) {
    throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read '${filePath}'`), { code: 'EISDIR', path: filePath });
  }
  throw new HistoryFileTypeError(filePath, kindOf(info));
}

/**
 * A chat history in an append-only JSON Lines file, so a conversation survives
 * a restart. Each `addMessages` call appends ONE line with ONE `write` to a file
 * opened with `O_APPEND`: one LangChain `StoredMessage` (`{"type","data"}`) for a
 * single message, `{"messages":[…]}` for several, so the question and the reply of
 * a chat turn are one record and a crash never leaves a question without its answer.
 * Appends are atomic across processes on a local file system (two terminals may
 * share a file), and nothing is read but the bytes appended since the last read.
 *
 * It never destroys what it did not write: a file that is not such JSON Lines
 * (a JSON array, plain text, an unknown message type) makes `getMessages`,
 * `addMessages` and `clear` reject with `HistoryFileCorruptError` (path, line) and
 * is never modified. A last line without a trailing newline that parses (saved by
 * an editor) is a complete line; a record cut short by a crash is skipped. A path
 * that is not a regular file (a FIFO, `/dev/null`, `/dev/zero`, a socket) is refused
 * with a `HistoryFileTypeError`, a directory with EISDIR, and a symbolic link is not
 * followed unless `followSymlinks: true` (it is opened with `O_NOFOLLOW`).
 *
 * @example
 * ```ts
 * import { ChatOpenAI } from '@langchain/openai';
 * import { ChatSession } from 'rxjs-langchain';
 * import { FileChatMessageHistory } from 'rxjs-langchain/node';
 *
 * const history = new FileChatMessageHistory('.chat/history.jsonl');
 * await history.ensureWritable(); // fails now, not after the first reply
 * const session = new ChatSession({ model: new ChatOpenAI({ model: 'gpt-4o-mini' }), history });
 * await session.ask('介绍Python'); // after a restart, the next session remembers it
 * ```
 *
 * @see `chatTurns` and `ChatSession` (`rxjs-langchain`), which read and write it.
 * @see {@link HistoryFileCorruptError}
 *
 * @param filePath The JSON Lines file; created (with its directory) on the first append.
 */
export class FileChatMessageHistory extends BaseListChatMessageHistory {
  lc_namespace = ['rxjs_langchain', 'stores', 'message', 'file'];
  /** The JSON Lines file. */
  readonly filePath: string;
  private queue: Promise<unknown> = Promise.resolve();
  private state: FileState | undefined;

  private readonly followSymlinks: boolean;

  /**
   * @param filePath The JSON Lines file; it and its directories are created on the first append.
   * @param options `followSymlinks`: use the file a symbolic link points to (default false: a link is refused).
   */
  constructor(filePath: string, options: FileChatMessageHistoryOptions = {}) {
    super();
    if (typeof filePath !== 'string' || filePath.length === 0) {
      throw new TypeError(`FileChatMessageHistory: filePath must be a non-empty string, got ${describe(filePath)}.`);
    }
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(`FileChatMessageHistory: options must be an object, got ${describe(options)}.`);
    }
    this.filePath = filePath;
    this.followSymlinks = options.followSymlinks === true;
  }

  /** Opens the file, refusing what is not a regular file (see {@link openHistoryFile}). */
  private open(mode: 'r' | 'r+' | 'a'): Promise<FileHandle> {
    return openHistoryFile(this.filePath, mode, this.followSymlinks);
  }

  /**
   * The stored messages, oldest first; [] when the file does not exist. Reads
   * only what was appended since the last call.
   *
   * @returns The messages (a new array each call). Rejects with `HistoryFileCorruptError`.
   */
  async getMessages(): Promise<BaseMessage[]> {
    return this.enqueue(async () => {
      const state = await this.sync();
      return state ? [...state.messages, ...state.tail] : [];
    });
  }

  async addMessage(message: BaseMessage): Promise<void> {
    return this.addMessages([message]);
  }

  /**
   * Appends `messages` as one record: one line, one `O_APPEND` write, so a turn
   * (question and reply) is never split, also with other processes appending.
   *
   * @param messages The messages to store, oldest first.
   * @returns Resolves once written. Rejects with `HistoryFileCorruptError`, before writing, for a foreign file.
   */
  override async addMessages(messages: BaseMessage[]): Promise<void> {
    if (!Array.isArray(messages)) {
      throw new TypeError(`FileChatMessageHistory.addMessages: messages must be an array, got ${describe(messages)}.`);
    }
    if (messages.length === 0) return;
    const stored = mapChatMessagesToStoredMessages(messages);
    const record = JSON.stringify(stored.length === 1 ? stored[0] : { messages: stored }) + '\n';
    return this.enqueue(async () => {
      const state = await this.sync(); // a foreign file throws here, before any byte is written
      if (!state) await ensureDirectory(dirname(this.filePath));
      // A last line without '\n' (an editor's, or a record cut by a crash) gets one first; a
      // concurrent append in progress can only make that an empty line, which reading skips.
      await appendOnce(await this.open('a'), (state && !state.endsWithNewline ? '\n' : '') + record);
    });
  }

  /** Empties the file (rejects with `HistoryFileCorruptError`, changing nothing, when it is not a history file). */
  override async clear(): Promise<void> {
    return this.enqueue(async () => {
      if (!(await this.sync())) return;
      const handle = await this.open('r+');
      try {
        await handle.truncate(0);
      } finally {
        await handle.close();
      }
      this.state = undefined;
    });
  }

  /**
   * Creates the file's directories and checks that the file can be read and
   * appended to, without changing its content. Call it at startup, so a bad path
   * (no permission, under `/proc`, a directory) fails at once with the file
   * system's error instead of after the first reply.
   */
  async ensureWritable(): Promise<void> {
    return this.enqueue(async () => {
      const state = await this.sync();
      if (!state) await ensureDirectory(dirname(this.filePath));
      await (await this.open('a')).close();
    });
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Brings `state` up to date, reading only the bytes appended since the last call. */
  private async sync(): Promise<FileState | undefined> {
    let handle: FileHandle;
    try {
      handle = await this.open('r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      this.state = undefined;
      return undefined;
    }
    try {
      const info = await handle.stat();
      const id = `${info.dev}:${info.ino}`;
      const known = this.state;
      if (known && known.id === id && info.size >= known.offset) {
        // Re-read the guard bytes before the offset: if they changed, the file was rewritten.
        const from = known.offset - known.guard.length;
        const data = await readRange(handle, from, info.size);
        if (data.subarray(0, known.guard.length).equals(known.guard)) {
          return (this.state = this.parseInto(known, data.subarray(known.guard.length)));
        }
      }
      return (this.state = this.parseInto(emptyState(id), await readRange(handle, 0, info.size)));
    } finally {
      await handle.close();
    }
  }

  /**
   * Parses `data` (the bytes after `state.offset`) into `state` (mutated only when
   * everything parsed, so a bad line leaves it as it was); throws HistoryFileCorruptError.
   */
  private parseInto(state: FileState, data: Buffer): FileState {
    const added: BaseMessage[] = [];
    let lines = state.lines;
    let start = 0;
    for (let end = data.indexOf(NEWLINE); end >= 0; end = data.indexOf(NEWLINE, start)) {
      lines++;
      const line = data.toString('utf8', start, end);
      const parsed = parseLine(line, this.filePath, lines);
      if (parsed) for (const message of parsed) added.push(message);
      start = end + 1;
    }
    const offset = state.offset + start;
    const rest = data.subarray(start);
    const tail = rest.length > 0 ? parseLine(rest.toString('utf8'), this.filePath, lines + 1) ?? [] : [];
    const consumed = start >= GUARD_BYTES ? data.subarray(start - GUARD_BYTES, start) : Buffer.concat([state.guard, data.subarray(0, start)]);
    for (const message of added) state.messages.push(message);
    state.offset = offset;
    state.lines = lines;
    state.guard = Buffer.from(consumed.subarray(Math.max(0, consumed.length - GUARD_BYTES)));
    state.tail = tail;
    state.endsWithNewline = rest.length === 0;
    return state;
  }
}

async function readRange(handle: FileHandle, from: number, to: number): Promise<Buffer> {
  const bytes = Buffer.alloc(Math.max(0, to - from));
  let read = 0;
  while (read < bytes.length) {
    const { bytesRead } = await handle.read(bytes, read, bytes.length - read, from + read);
    if (bytesRead === 0) break;
    read += bytesRead;
  }
  return bytes.subarray(0, read);
}

function emptyState(id: string): FileState {
  return { id, offset: 0, lines: 0, guard: Buffer.alloc(0), messages: [], tail: [], endsWithNewline: true };
}

/** The types LangChain's `mapStoredMessagesToChatMessages` reads. */
const MESSAGE_TYPES = ['human', 'ai', 'system', 'tool', 'function', 'generic'];

/** How every record we write starts. */
const RECORD_START = /^\{"(type|messages)":/;

/**
 * A record cut short by a crash (or one another process is writing right now):
 * it starts like one we write and JSON.parse ran out of input, at its very end.
 * A line broken anywhere else is not ours to skip.
 */
function isCutRecord(text: string, error: unknown): boolean {
  if (!RECORD_START.test(text)) return false;
  const message = error instanceof Error ? error.message : '';
  if (/Unexpected end of JSON input/.test(message)) return true;
  const at = /position (\d+)/.exec(message);
  return at !== null && Number(at[1]) >= text.length;
}

/**
 * The messages of one line: `null` for a blank line or a record cut short
 * (skipped); throws HistoryFileCorruptError for anything that is not a record.
 */
function parseLine(line: string, filePath: string, lineNumber: number): BaseMessage[] | null {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (text.trim() === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    if (isCutRecord(text, e)) return null;
    throw new HistoryFileCorruptError(filePath, lineNumber, e);
  }
  const stored = storedMessagesOf(parsed);
  if (!stored) {
    throw new HistoryFileCorruptError(
      filePath, lineNumber, new TypeError('expected a stored message {"type": …, "data": {…}} or {"messages": [stored messages]}'),
    );
  }
  const unknown = stored.find((m) => !MESSAGE_TYPES.includes(m.type));
  if (unknown) {
    throw new HistoryFileCorruptError(
      filePath, lineNumber, new TypeError(`unknown message type ${JSON.stringify(unknown.type)}; expected one of ${MESSAGE_TYPES.join(', ')}`),
    );
  }
  try {
    return mapStoredMessagesToChatMessages(stored);
  } catch (e) {
    throw new HistoryFileCorruptError(filePath, lineNumber, e); // e.g. a tool message without tool_call_id
  }
}

function isStoredMessage(value: unknown): value is StoredMessage {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) &&
    typeof (value as StoredMessage).type === 'string' &&
    typeof (value as StoredMessage).data === 'object' && (value as StoredMessage).data !== null
  );
}

function storedMessagesOf(value: unknown): StoredMessage[] | undefined {
  if (isStoredMessage(value)) return [value];
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1) {
    const list = (value as { messages?: unknown }).messages;
    if (Array.isArray(list) && list.length > 0 && list.every(isStoredMessage)) return list;
  }
  return undefined;
}

/** One `write` to a file opened with O_APPEND: the record lands whole, after every other append. */
async function appendOnce(handle: FileHandle, text: string): Promise<void> {
  const bytes = Buffer.from(text, 'utf8');
  try {
    let written = 0;
    // One call writes it all on a local file system; the loop only guards against a short write.
    while (written < bytes.length) {
      const { bytesWritten } = await handle.write(bytes, written, bytes.length - written);
      written += bytesWritten;
    }
  } finally {
    await handle.close();
  }
}

/**
 * `mkdir -p` that cannot spin: one level at a time, each error surfaced. Node's
 * `mkdir(recursive)` never settles for a path under /proc.
 */
async function ensureDirectory(dir: string, depth = 0): Promise<void> {
  try {
    await mkdir(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      if (!(await stat(dir)).isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${dir}'`), { code: 'ENOTDIR', path: dir });
      return;
    }
    const parent = dirname(dir);
    if (code !== 'ENOENT' || parent === dir || depth > 100) throw e;
    await ensureDirectory(parent, depth + 1);
    try {
      await mkdir(dir);
    } catch (again) {
      if ((again as NodeJS.ErrnoException).code !== 'EEXIST') throw again;
    }
  }
}
