/** The web demo's replies: the tutorial's prompt over SSE and the WebSocket, an agent with the offline tools for `useChat`. */
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { ChatPromptTemplate, MessagesPlaceholder } from '@langchain/core/prompts';
import { SystemMessage, type BaseMessage } from '@langchain/core/messages';
import type { Observable } from 'rxjs';
import { fromAgent, fromRunnable, type ChatStream, type StreamableAgent, type UIMessageStreamInput } from '../../src';
import { createOfflineTools, ScriptedChatModel } from '../../src/offline';

/** The AI SDK mode's system prompt: the offline tools and when to call them (as demo 13's agent). */
export const AGENT_SYSTEM_PROMPT =
  '你是助手。需要 Python 版本的发布日期时调用 python_release 工具，需要计算时调用 add 工具（减法用负数），不要自己心算；回答简洁。';

/** The tutorial's prompt: a system message, the history window, the question. */
export function createChatChain(model: BaseChatModel) {
  return ChatPromptTemplate.fromMessages([['system', '你是助手'], new MessagesPlaceholder('history'), ['human', '{question}']]).pipe(model);
}

/** The replies: the tutorial's prompt over SSE and WebSocket; an agent with the offline tools for `useChat`. */
export function demoStream(model: BaseChatModel, custom?: (messages: BaseMessage[]) => Observable<UIMessageStreamInput>): ChatStream {
  let agent: StreamableAgent<{ messages: BaseMessage[] }> | undefined;
  return ({ messages, protocol }) => {
    if (protocol !== 'ui-message-stream') return fromRunnable(model, [new SystemMessage('你是助手'), ...messages]);
    if (custom) return custom(messages);
    if (typeof model.bindTools !== 'function') return fromRunnable(model, [new SystemMessage(AGENT_SYSTEM_PROMPT), ...messages]);
    // Loaded on the first AI SDK request: the other modes never pay for langchain. Offline, a tool
    // takes as long as the model's first token, so the steps are visible.
    const { createAgent } = require('langchain') as typeof import('langchain');
    const delayMs = model instanceof ScriptedChatModel ? model.firstChunkDelayMs : 0;
    agent ??= createAgent({ model, tools: createOfflineTools({ delayMs }), systemPrompt: AGENT_SYSTEM_PROMPT });
    return fromAgent(agent, { messages });
  };
}

