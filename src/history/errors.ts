import { RxLangChainError } from '../RxLangChainError';

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
