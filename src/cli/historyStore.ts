import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { BaseListChatMessageHistory } from '@langchain/core/chat_history';
import { mapChatMessagesToStoredMessages, mapStoredMessagesToChatMessages, type BaseMessage } from '@langchain/core/messages';
import { InMemoryChatMessageHistory } from '@langchain/core/chat_history';

/**
 * TEMPORARY until src/history's FileChatMessageHistory lands: the store the CLI
 * keeps its conversation in, read once and rewritten (atomically) after every change.
 */
export async function openHistory(file: string): Promise<BaseListChatMessageHistory> {
  let initial: BaseMessage[] = [];
  try {
    const raw = JSON.parse(await readFile(file, 'utf8')) as unknown;
    initial = mapStoredMessagesToChatMessages((raw as { messages?: never[] }).messages ?? (raw as never[]));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const store = new InMemoryChatMessageHistory(initial);
  const save = async (): Promise<void> => {
    await mkdir(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify({ messages: mapChatMessagesToStoredMessages(await store.getMessages()) }, null, 2));
    await rename(tmp, file);
  };
  const addMessage = store.addMessage.bind(store);
  const clear = store.clear.bind(store);
  store.addMessages = async (messages) => {
    for (const m of messages) await addMessage(m);
    await save();
  };
  store.clear = async () => {
    await clear();
    await save();
  };
  return store;
}
