import type { IncomingMessage } from 'node:http';
import type { ChatHandler } from '../web/chatHandler/types';
import { ChatRequestError } from '../web/chatHandler/errors';

/** What a WebSocket connection needs of a chat handler: its conversation turns and stops. */
export type WebSocketChat = Pick<ChatHandler, 'ask' | 'stop'>;

/** The upgrade request as a Web `Request` (URL and headers, cookies included), for `authorize`. */
function webRequestOf(request: IncomingMessage): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
  }
  return new Request(`http://${request.headers.host ?? 'localhost'}${request.url?.startsWith('/') ? request.url : '/'}`, { headers });
}

/** An `error` message of a refused turn: its status as the code (`HTTP_429`), and the handler's message. */
function refusal(conversationId: unknown, error: unknown, errorData: (error: unknown) => object): object {
  if (error instanceof ChatRequestError) return { type: 'error', conversationId, name: error.name, code: `HTTP_${error.status}`, status: error.status, message: error.message };
  return { type: 'error', conversationId, ...errorData(error) };
}

/**
 * An `ask` / `stop` with a `conversationId` over a WebSocket, run by a chat handler: the same turn
 * as `POST {base}/stream` (its lock, history, reply log, ownership and caps: a new connection is
 * no way around them), its messages sent tagged with the conversation. True when it handled the message.
 */
export function conversationMessage(
  chat: WebSocketChat,
  message: Record<string, unknown>,
  connection: { request: IncomingMessage; send(message: object): void; add(teardown: () => void): void },
  errorData: (error: unknown) => object,
): boolean {
  const { conversationId, type } = message;
  if (conversationId === undefined || (type !== 'ask' && type !== 'stop')) return false;
  const request = webRequestOf(connection.request);
  if (type === 'stop') {
    chat.stop({ request, conversationId }).then(
      (stop) => connection.send({ type: 'stop', conversationId, ...stop }),
      (error: unknown) => connection.send(refusal(conversationId, error, errorData)),
    );
    return true;
  }
  chat.ask({ request, conversationId, question: message.question }).then(
    (messages$) => {
      const subscription = messages$.subscribe({
        next: (m) => connection.send({ ...m, conversationId }),
        error: (error: unknown) => connection.send(refusal(conversationId, error, errorData)),
      });
      connection.add(() => subscription.unsubscribe()); // the reader only: the turn runs on
    },
    (error: unknown) => connection.send(refusal(conversationId, error, errorData)),
  );
  return true;
}
