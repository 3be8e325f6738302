import { InMemoryChatMessageHistory } from '@langchain/core/chat_history';
import type { BaseMessage } from '@langchain/core/messages';

/**
 * A history that can also be read and written synchronously. `chatTurns`
 * detects it (duck typing) and skips the Promise round trip, so a session over
 * it runs entirely inside `TestScheduler.run` (decision 0020).
 */
export interface SyncMessageStore {
  /** A snapshot (copy) of the stored messages, oldest first. */
  getMessagesSync(): BaseMessage[];
  /** Appends messages, all or nothing. */
  addMessagesSync(messages: BaseMessage[]): void;
}

/** True when `value` implements {@link SyncMessageStore}. */
export function isSyncMessageStore(value: unknown): value is SyncMessageStore {
  return (
    typeof value === 'object' && value !== null &&
    typeof (value as SyncMessageStore).getMessagesSync === 'function' &&
    typeof (value as SyncMessageStore).addMessagesSync === 'function'
  );
}

/**
 * LangChain's `InMemoryChatMessageHistory` (it is an instance of it) plus the
 * synchronous {@link SyncMessageStore} methods. The default history of
 * `chatTurns` and `ChatSession`. `getMessages()` returns a copy, so a snapshot
 * taken before a turn does not change when the turn is saved.
 *
 * @example
 * ```ts
 * import { from } from 'rxjs';
 * import { chatTurns, fromRunnable } from 'rxjs-langchain';
 * import { ScriptedChatModel } from 'rxjs-langchain/offline';
 * import { SyncInMemoryChatMessageHistory } from 'rxjs-langchain/testing';
 *
 * const model = new ScriptedChatModel();
 * const history = new SyncInMemoryChatMessageHistory();
 * from(['介绍Python']).pipe(chatTurns(({ history, question }) => fromRunnable(model, [...history, ['human', question]]), { history })).subscribe({
 *   complete: () => console.log(history.getMessagesSync()), // [HumanMessage, AIMessage]
 * });
 * ```
 *
 * @see {@link chatTurns}
 * @see `FileChatMessageHistory` (`rxjs-langchain/node`) for a history that survives a restart.
 *
 * @param messages The conversation to start from (copied).
 */
export class SyncInMemoryChatMessageHistory extends InMemoryChatMessageHistory implements SyncMessageStore {
  private stored: BaseMessage[];

  constructor(messages?: BaseMessage[]) {
    super();
    this.stored = messages ? [...messages] : [];
  }

  getMessagesSync(): BaseMessage[] {
    return [...this.stored];
  }

  addMessagesSync(messages: BaseMessage[]): void {
    this.stored.push(...messages);
  }

  override async getMessages(): Promise<BaseMessage[]> {
    return this.getMessagesSync();
  }

  override async addMessage(message: BaseMessage): Promise<void> {
    this.stored.push(message);
  }

  override async addMessages(messages: BaseMessage[]): Promise<void> {
    this.addMessagesSync(messages);
  }

  override async clear(): Promise<void> {
    this.stored = [];
  }
}
