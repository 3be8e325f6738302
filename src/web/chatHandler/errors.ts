import { RxLangChainError } from '../../errors';

/**
 * A chat handler request refused with an HTTP status and one clear message (401, 404, 409,
 * 429…). The handler answers it as `{ error: message }`; `headers` adds e.g. `Retry-After`.
 *
 * @example
 * ```ts
 * import { ChatRequestError } from 'rxjs-langchain';
 *
 * const error = new ChatRequestError(429, 'Too many replies run at once; retry in 5 s.', { 'retry-after': '5' });
 * error.status; // 429
 * ```
 *
 * @see {@link createChatHandler}, which answers it.
 *
 * @param status The HTTP status.
 * @param message What is wrong and what to do.
 * @param headers Extra response headers.
 */
export class ChatRequestError extends RxLangChainError {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, message: string, headers: Record<string, string> = {}) {
    super('CHAT_REQUEST_REFUSED', message);
    this.status = status;
    this.headers = headers;
  }
}

/** The 404 of a conversation the principal may not see: the same answer as a conversation that does not exist (no enumeration). */
export function conversationNotFound(): ChatRequestError {
  return new ChatRequestError(404, 'No such conversation.');
}
