import { appendFile, mkdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { BaseListChatMessageHistory } from '@langchain/core/chat_history';
import {
  mapChatMessagesToStoredMessages, mapStoredMessagesToChatMessages, type BaseMessage, type StoredMessage,
} from '@langchain/core/messages';
import { describe } from '../internal/validate';
import { HistoryFileCorruptError } from '../errors';

/**
 * A chat history in an append-only JSON Lines file (one LangChain
 * `StoredMessage` per line), so a conversation survives a restart. Appends are
 * one write per `addMessages` call and are serialized within the instance; a
 * torn last line left by a crash mid-write is ignored when reading and cut off
 * before the next append, so a half-written answer is never read back. Use one
 * instance per file (no cross-process locking).
 *
 * @example
 * ```ts
 * import { ChatOpenAI } from '@langchain/openai';
 * import { ChatSession } from 'rxjs-langchain';
 * import { FileChatMessageHistory } from 'rxjs-langchain/node';
 *
 * const history = new FileChatMessageHistory('.chat/history.jsonl');
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

  constructor(filePath: string) {
    super();
    if (typeof filePath !== 'string' || filePath.length === 0) {
      throw new TypeError(`FileChatMessageHistory: filePath must be a non-empty string, got ${describe(filePath)}.`);
    }
    this.filePath = filePath;
  }

  /** The stored messages, oldest first; [] when the file does not exist. */
  async getMessages(): Promise<BaseMessage[]> {
    return this.enqueue(async () => {
      const { lines } = parse(await this.readText(), this.filePath);
      return mapStoredMessagesToChatMessages(lines);
    });
  }

  async addMessage(message: BaseMessage): Promise<void> {
    return this.addMessages([message]);
  }

  override async addMessages(messages: BaseMessage[]): Promise<void> {
    if (!Array.isArray(messages)) {
      throw new TypeError(`FileChatMessageHistory.addMessages: messages must be an array, got ${describe(messages)}.`);
    }
    if (messages.length === 0) return;
    const text = mapChatMessagesToStoredMessages(messages).map((m) => JSON.stringify(m) + '\n').join('');
    return this.enqueue(async () => {
      const existing = await this.readText();
      if (existing === undefined) await mkdir(dirname(this.filePath), { recursive: true });
      else {
        const end = existing.lastIndexOf('\n') + 1;
        if (end < existing.length) await truncate(this.filePath, Buffer.byteLength(existing.slice(0, end)));
      }
      await appendFile(this.filePath, text, 'utf8');
    });
  }

  /** Empties the file. */
  override async clear(): Promise<void> {
    return this.enqueue(async () => {
      if ((await this.readText()) !== undefined) await writeFile(this.filePath, '', 'utf8');
    });
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async readText(): Promise<string | undefined> {
    try {
      return await readFile(this.filePath, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }
}

/** Complete lines only: text after the last '\n' is a torn write and is skipped. */
function parse(text: string | undefined, filePath: string): { lines: StoredMessage[] } {
  if (!text) return { lines: [] };
  const complete = text.slice(0, text.lastIndexOf('\n') + 1).split('\n');
  complete.pop(); // the '' after the final '\n'
  const lines: StoredMessage[] = [];
  complete.forEach((line, i) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (e) {
      throw new HistoryFileCorruptError(filePath, i + 1, e);
    }
    if (typeof parsed !== 'object' || parsed === null || typeof (parsed as StoredMessage).type !== 'string' || typeof (parsed as StoredMessage).data !== 'object') {
      throw new HistoryFileCorruptError(filePath, i + 1, new TypeError('expected {"type": ..., "data": {...}}'));
    }
    lines.push(parsed as StoredMessage);
  });
  return { lines };
}
