import type { IncomingMessage } from 'node:http';
import type { Observable } from 'rxjs';
import { BadChatMessageError } from '../errors';
import type { ChatHandler, ChatTurnMessage } from '../web/chatHandler/types';
import { ChatRequestError } from '../web/chatHandler/errors';

/** What a WebSocket connection needs of a chat handler: its conversation turns, stops and decisions. */
export type WebSocketChat = Pick<ChatHandler, 'ask' | 'stop'> & Partial<Pick<ChatHandler, 'decide'>>;

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
 * An `ask` / `stop` / `decide` with a `conversationId` over a WebSocket, run by a chat handler: the same turn
 * as `POST {base}/stream` (a `decide` answers what the conversation waits for, once) (its lock, history, reply log, ownership and caps: a new connection is
 * no way around them), its messages sent tagged with the conversation. True when it handled the message.
 */
export function conversationMessage(
  chat: WebSocketChat,
  message: Record<string, unknown>,
  connection: { request: IncomingMessage; send(message: object): void; add(teardown: () => void): void },
  errorData: (error: unknown) => object,
): boolean {
  const { conversationId, type } = message;
  if (conversationId === undefined || (type !== 'ask' && type !== 'stop' && type !== 'decide')) return false;
  const request = webRequestOf(connection.request);
  if (type === 'decide') {
    if (chat.decide === undefined) throw new BadChatMessageError('This server takes no decisions (its chat has no decide()).');
    relay(chat.decide({ request, conversationId, decisions: message.decisions }), conversationId, connection, errorData);
    return true;
  }
  if (type === 'stop') {
    chat.stop({ request, conversationId }).then(
      (stop) => connection.send({ type: 'stop', conversationId, ...stop }),
      (error: unknown) => connection.send(refusal(conversationId, error, errorData)),
    );
    return true;
  }
  relay(chat.ask({ request, conversationId, question: message.question }), conversationId, connection, errorData);
  return true;
}

/** Sends a started turn's messages tagged with the conversation, or the refusal that kept it from starting. */
function relay(
  started: Promise<Observable<ChatTurnMessage>>,
  conversationId: unknown,
  connection: { send(message: object): void; add(teardown: () => void): void },
  errorData: (error: unknown) => object,
): void {
  started.then(
    (messages$) => {
      const subscription = messages$.subscribe({
        next: (m) => connection.send({ ...m, conversationId }),
        error: (error: unknown) => connection.send(refusal(conversationId, error, errorData)),
      });
      connection.add(() => subscription.unsubscribe()); // the reader only: the turn runs on
    },
    (error: unknown) => connection.send(refusal(conversationId, error, errorData)),
  );
}
