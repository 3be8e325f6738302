import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import { conversationMessage, type WebSocketChat } from './webSocketConversations';
import { RunCaps } from '../web/chatHandler/runCaps';
import type { Duplex } from 'node:stream';
import { InMemoryChatMessageHistory, type BaseListChatMessageHistory } from '@langchain/core/chat_history';
import type { BaseMessage } from '@langchain/core/messages';
import { defer, finalize, from, Subject, Subscription, type TeardownLogic } from 'rxjs';
// Type-only: `ws` is an optional peer dependency, loaded when serveChatOverWebSocket is called.
// No exported declaration names a `ws` type, so consumers need neither ws nor @types/ws.
import type { WebSocket, WebSocketServer, RawData } from 'ws';
import { chatTurns } from '../history/chatTurns';
import type { IncompleteReplyPolicy, StreamTurn, TurnCompletionCheck } from '../history/types';
import { assertMaxMessages, windowHistory } from '../history/windowHistory';
import { assertKnownOptions, optionNames } from '../internal/knownOptions';
import { assertFunction, assertObject, assertPositiveInteger, assertNonNegative, describe } from '../internal/validate';
import { BadChatMessageError } from '../errors';
import { checkQuestion, DEFAULT_MAX_QUESTION_CHARS } from '../web/checkQuestion';
import { defaultServerSentErrorData } from '../web/toServerSentEvents';
import { wireRequest, type WireApprovalRequest } from '../web/approvalChunks';
import type { WireDecision } from '../web/chatHandler/decisionBody';
import { assertRequestCheckOptions, checkRequest, parseRequestTarget, type RequestCheckOptions, type RequestRefusal } from './checkRequest';

/**
 * Messages a client sends. With a `conversationId` (and the `chat` option) they are the chat
 * handler's: `ask`, `stop`, and `decide` with `decisions: [{ id, type, args?, message? }]`, the
 * answer to the requests the conversation waits for (docs/approvals.md).
 */
export type ChatClientMessage =
  | { type: 'ask'; question: string; conversationId?: string }
  | { type: 'stop'; conversationId?: string }
  | { type: 'decide'; conversationId: string; decisions: readonly WireDecision[] };

/** Messages the server sends. `turn` numbers the questions of one connection from 0 (as `chatTurns` does). */
export type ChatServerMessage =
  | { type: 'chunk'; turn: number; text: string }
  | { type: 'done'; turn: number; stopped: boolean }
  /** The turn's agent run stopped for a person's decision: saved awaiting, not done. */
  | { type: 'approval-request'; turn: number; requests: WireApprovalRequest[] }
  | { type: 'error'; turn?: number; code?: string; name?: string; message: string };

/**
 * One open connection, as {@link ChatOverWebSocketOptions.handleMessage} sees it: for
 * messages of a protocol of your own that the connection's session does not know.
 */
export interface ChatConnection {
  /** The upgrade request (its URL and headers). */
  readonly request: IncomingMessage;
  /**
   * Sends `message` as JSON on this connection, as the session sends its own: nothing once the
   * connection is closed, and a client that stopped reading is dropped past `maxBufferedBytes`.
   */
  send(message: object): void;
  /**
   * Runs `teardown` when the connection closes (at once if it is closed): unsubscribe there what
   * you started for it. A `Subscription` added here is removed again once it is closed.
   */
  add(teardown: TeardownLogic): void;
}

/**
 * Options of {@link serveChatOverWebSocket}. `allowedHosts` and `allowedOrigins`
 * are {@link checkRequest}'s: by default only the server's own address and
 * `localhost` (with its port) and the same origin are accepted; an upgrade
 * without `Origin` comes from a program, not a browser, and is accepted.
 */
export interface ChatOverWebSocketOptions extends Omit<RequestCheckOptions, 'runsModel'> {
  /**
   * Streams the reply to one question, given the connection's history window
   * (`chatTurns`' `StreamTurn`): `({ history, question }) => fromRunnable(chain, { history, question })`.
   * Unsubscribing must abort the request (every `fromRunnable` source does).
   */
  streamTurn: StreamTurn;
  /** The history of a new connection. Default: a fresh in-memory history per connection. */
  createHistory?: (request: IncomingMessage) => BaseListChatMessageHistory;
  /** What a stopped or failed turn leaves in the history (see `chatTurns`). Default `'discard'`. */
  onIncomplete?: IncompleteReplyPolicy;
  /**
   * A reply without a finish reason is a cut: the client gets an `error` message
   * (`STREAM_INTERRUPTED`) and nothing is saved as complete (see `chatTurns`).
   * Default `true`; `false` for models that never report a finish reason.
   */
  requireCompletion?: TurnCompletionCheck;
  /** URL path to accept upgrades on, when attached to an http.Server. Default '/ws'. */
  path?: string;
  /** Largest incoming message, bytes; bigger ones close the connection with 1009. Default 16 KiB. */
  maxPayload?: number;
  /** Longest question, characters (code points, see `checkQuestion`); longer ones get an error message. Default 4000. */
  maxQuestionChars?: number;
  /** Messages of history given to `streamTurn` (`chatTurns`' `maxMessages`). Default 10 (the tutorial's `history[-10:]`). */
  maxMessages?: number;
  /**
   * Messages the default in-memory history of a connection keeps; older turns
   * are dropped, so a connection's memory stays flat however long it chats.
   * Default `maxMessages` (nothing the model would see is lost); an integer >= 0
   * or Infinity. Ignored with `createHistory` (your store keeps what it keeps).
   */
  maxSavedMessages?: number;
  /**
   * An upgrade request this server does not answer (another path, while
   * another `'upgrade'` listener is attached) is destroyed when nothing was
   * written to it for this many ms, so half-open upgrades cannot pile up. 0 = off. Default 10000.
   */
  upgradeTimeoutMs?: number;
  /** Questions that may wait behind the running turn; more get a `WS_BUSY` error. Default 4. */
  maxQueuedQuestions?: number;
  /**
   * Connections whose session (an `ask` without a `conversationId`) runs a reply at once, across
   * every connection; an `ask` past it gets a `WS_BUSY` error and starts nothing (opening more
   * connections buys no more runs). Turns with a `conversationId` count against the `chat`
   * handler's `maxConcurrentRuns` instead (decision 0380). Default 64.
   */
  maxConcurrentTurns?: number;
  /** Ping every this many ms and drop a connection that did not answer the previous ping. 0 = off. Default 30000. */
  heartbeatMs?: number;
  /** Close a connection whose unsent data exceeds this many bytes (a client that stopped reading). Default 1 MiB. */
  maxBufferedBytes?: number;
  /** Payload of error messages. Default `{ name, message, code? }`; override to redact provider messages. */
  errorData?: (error: unknown) => { message: string; code?: string; name?: string };
  /**
   * Sees each client message (a parsed JSON object) before the connection's session does: return
   * true when you handled it (the session then ignores it), false to leave it to the session. For
   * messages of your own on the same socket, e.g. an `ask` with a `conversationId` that your
   * server runs as a shared conversation instead of in the connection's session. A throw is
   * answered like a bad message (an `error` message through `errorData`; the connection stays
   * open). Default: every message goes to the session.
   */
  handleMessage?: (message: Record<string, unknown>, connection: ChatConnection) => boolean;
  /**
   * A chat handler (`createChatHandler(…)`) that runs every `ask` / `stop` carrying a
   * `conversationId`: the same turn as its `POST {base}/stream`, with the same authorize, caps,
   * lock, history and reply log (decision 0176). Messages without one go to the connection's session.
   */
  chat?: WebSocketChat;
}

/**
 * The part of a `ws` `WebSocketServer` this adapter and its callers use, described here so the
 * declarations need neither `ws` nor `@types/ws` (`ws` is an optional peer dependency). A
 * `new WebSocketServer(...)` from `ws` is one.
 */
export interface WebSocketServerLike {
  /** The open connections (`ws` `WebSocket`s). */
  readonly clients: ReadonlySet<unknown>;
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, callback: (client: unknown, request: IncomingMessage) => void): void;
  on(event: string, listener: (...args: any[]) => void): unknown; // eslint-disable-line @typescript-eslint/no-explicit-any -- ws's own listener type
  address(): { address: string; family: string; port: number } | string | null;
  close(callback?: (error?: Error) => void): void;
}

/** Loads the optional peer dependency `ws`, or says how to install it. */
function loadWs(): typeof import('ws') {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: the rest of rxjs-langchain/node works without ws
    return require('ws') as typeof import('ws');
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code !== 'MODULE_NOT_FOUND') throw error;
    throw new Error('serveChatOverWebSocket needs the optional peer dependency "ws" (>= 8.18): run `npm install ws`.', { cause: error });
  }
}

/** A running WebSocket chat endpoint. */
export interface ChatWebSocketServer {
  /** The `ws` `WebSocketServer` that holds the connections (the one you passed, or one made for your `http.Server`). */
  readonly wss: WebSocketServerLike;
  /** Open connections. */
  readonly connections: number;
  /** Replies being streamed right now. */
  readonly activeTurns: number;
  /** Stops accepting connections and closes every open one (aborting running replies). */
  close(): Promise<void>;
}


/**
 * Serves a streaming chat over WebSocket: clients send `{"type":"ask","question":"…"}` and `{"type":"stop"}`, and get
 * `{"type":"chunk","turn","text"}` … `{"type":"done","turn","stopped"}` or
 * `{"type":"error",…}` back. Each connection is one chat session with its own
 * history, run by one `chatTurns` pipeline: questions are answered one at a
 * time in order, `stop` ends the running reply (`onIncomplete` decides whether
 * its partial text stays in the history). A disconnect aborts the running
 * request. Malformed JSON, an unknown type or a question over
 * `maxQuestionChars` (code points, `checkQuestion`) gets an error message and
 * the connection stays open. The default history of a connection keeps
 * `maxSavedMessages`, so a long chat does not grow the server's memory.
 *
 * Attached to an `http.Server`, it answers upgrades on `path` after
 * `checkRequest` (a foreign `Host` gets 421, another site's `Origin` 403, a
 * malformed request target 400; the server goes on). Upgrades to other paths
 * are answered with 404 when it is the server's only `'upgrade'` listener;
 * next to other listeners they are left to them and destroyed if nothing was
 * written to them within `upgradeTimeoutMs`. On your own `WebSocketServer`
 * a refused connection is closed with 1008 right after it opened.
 *
 * Needs the optional peer dependency `ws` (loaded on the first call; a clear
 * error says how to install it when it is missing).
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { ChatPromptTemplate, MessagesPlaceholder } from '@langchain/core/prompts';
 * import { ChatOpenAI } from '@langchain/openai';
 * import { fromRunnable } from 'rxjs-langchain';
 * import { serveChatOverWebSocket } from 'rxjs-langchain/node';
 *
 * const prompt = ChatPromptTemplate.fromMessages([
 *   ['system', '你是专业的Python助手'], new MessagesPlaceholder('history'), ['human', '{question}'],
 * ]);
 * const chain = prompt.pipe(new ChatOpenAI({ model: 'gpt-4o-mini' }));
 * const server = createServer();
 * serveChatOverWebSocket(server, {
 *   streamTurn: ({ question, history }) => fromRunnable(chain, { question, history }),
 * });
 * server.listen(3000, '127.0.0.1');
 * ```
 *
 * @see `chatTurns` (`rxjs-langchain`), one pipeline per connection.
 * @see {@link sendServerSentEvents} for one-way delivery over HTTP.
 *
 * @param target An `http.Server` to share its port (upgrades on `path`), or your own `ws` `WebSocketServer`.
 * @param options `streamTurn` (required), and `createHistory`, `onIncomplete`, `path`, `maxPayload`, `maxQuestionChars`, `allowedOrigins`, `allowedHosts`, `maxMessages`, `maxSavedMessages`, `requireCompletion`, `maxQueuedQuestions`, `maxConcurrentTurns`, `heartbeatMs`, `maxBufferedBytes`, `errorData`, `handleMessage` (messages of your own protocol, before the session).
 * @returns The running endpoint: `connections`, `activeTurns`, the `wss` and `close()`.
 * @see checkRequest
 * @see checkQuestion
 */
export function serveChatOverWebSocket(target: Server | WebSocketServerLike, options: ChatOverWebSocketOptions): ChatWebSocketServer {
  const { WebSocket, WebSocketServer } = loadWs();
  const isServer = (value: unknown): value is Server =>
    typeof value === 'object' && value !== null && typeof (value as Server).listen === 'function' && !(value instanceof WebSocketServer);
  if (!isServer(target) && !(target instanceof WebSocketServer)) {
    throw new TypeError(`serveChatOverWebSocket: target must be an http.Server or a ws WebSocketServer, got ${describe(target)}.`);
  }
  checkServeOptions(options);
  const checks: RequestCheckOptions = { allowedHosts: options.allowedHosts, allowedOrigins: options.allowedOrigins, runsModel: true };
  const maxTurns = options.maxConcurrentTurns ?? 64;
  const count = { activeTurns: 0, cap: new RunCaps(maxTurns, maxTurns) }; // no principals: one cap across connections (decision 0380)
  const sessions = new Set<Session>();
  const wss = target instanceof WebSocketServer ? target : new WebSocketServer({ noServer: true, maxPayload: options.maxPayload ?? 16 * 1024 });

  const onUpgrade = upgradeHandler(target as Server, wss, options.path ?? '/ws', checks, options.upgradeTimeoutMs ?? 10_000);
  if (isServer(target)) target.on('upgrade', onUpgrade);
  const onConnection = (ws: WebSocket, request: IncomingMessage): void => {
    if (!isServer(target) && checkRequest(request, checks)) return ws.close(1008, 'origin or host not allowed');
    const session = startSession(ws, request, options, count, WebSocket.OPEN);
    sessions.add(session);
    ws.once('close', () => {
      session.end();
      sessions.delete(session);
    });
  };
  wss.on('connection', onConnection);

  return {
    wss,
    get connections() {
      return sessions.size;
    },
    get activeTurns() {
      return count.activeTurns;
    },
    close() {
      if (isServer(target)) target.off('upgrade', onUpgrade);
      wss.off('connection', onConnection);
      for (const session of sessions) {
        session.end();
        session.ws.terminate();
      }
      sessions.clear();
      if (target instanceof WebSocketServer) return Promise.resolve();
      return new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** Every option of `serveChatOverWebSocket` (a misspelt one is refused, not ignored: decision 0401). */
const OPTION_NAMES = optionNames<ChatOverWebSocketOptions>({
  allowedHosts: true, allowedOrigins: true, streamTurn: true, createHistory: true, onIncomplete: true, requireCompletion: true,
  path: true, maxPayload: true, maxQuestionChars: true, maxMessages: true, maxSavedMessages: true, upgradeTimeoutMs: true,
  maxQueuedQuestions: true, maxConcurrentTurns: true, heartbeatMs: true, maxBufferedBytes: true, errorData: true,
  handleMessage: true, chat: true,
});

/** Call-time checks of `serveChatOverWebSocket`'s options (TypeErrors and RangeErrors). */
function checkServeOptions(options: ChatOverWebSocketOptions): void {
  assertObject('serveChatOverWebSocket: options', options, false);
  assertKnownOptions('serveChatOverWebSocket', options, OPTION_NAMES);
  assertFunction('serveChatOverWebSocket: streamTurn', options.streamTurn);
  assertPositiveInteger('serveChatOverWebSocket: maxPayload', options.maxPayload);
  assertPositiveInteger('serveChatOverWebSocket: maxQuestionChars', options.maxQuestionChars);
  assertFunction('serveChatOverWebSocket: createHistory', options.createHistory, true);
  assertNonNegative('serveChatOverWebSocket: maxQueuedQuestions', options.maxQueuedQuestions);
  assertPositiveInteger('serveChatOverWebSocket: maxConcurrentTurns', options.maxConcurrentTurns);
  assertNonNegative('serveChatOverWebSocket: heartbeatMs', options.heartbeatMs);
  assertPositiveInteger('serveChatOverWebSocket: maxBufferedBytes', options.maxBufferedBytes);
  assertFunction('serveChatOverWebSocket: errorData', options.errorData, true);
  assertFunction('serveChatOverWebSocket: handleMessage', options.handleMessage, true);
  if (options.chat !== undefined && (typeof options.chat?.ask !== 'function' || typeof options.chat.stop !== 'function')) {
    throw new TypeError(`serveChatOverWebSocket: chat must be a chat handler (createChatHandler(…)), got ${describe(options.chat)}.`);
  }
  assertNonNegative('serveChatOverWebSocket: upgradeTimeoutMs', options.upgradeTimeoutMs);
  if (options.maxSavedMessages !== undefined) assertMaxMessages('serveChatOverWebSocket: maxSavedMessages', options.maxSavedMessages);
  if (options.path !== undefined && (typeof options.path !== 'string' || !options.path.startsWith('/'))) {
    throw new TypeError(`serveChatOverWebSocket: path must start with "/", got ${describe(options.path)}.`);
  }
  assertRequestCheckOptions('serveChatOverWebSocket', options);
  // Validates maxMessages / onIncomplete once, at call time, with chatTurns' own messages.
  chatTurns(options.streamTurn, { maxMessages: options.maxMessages, onIncomplete: options.onIncomplete, requireCompletion: options.requireCompletion });
}

/** The server's `'upgrade'` listener: upgrades on `path` after `checkRequest`; other paths refused or left to other listeners. */
function upgradeHandler(
  server: Server,
  wss: WebSocketServer,
  path: string,
  checks: RequestCheckOptions,
  upgradeTimeoutMs: number,
): (request: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (request, socket, head) => {
    const url = parseRequestTarget(request);
    if (url?.pathname !== path) {
      // Someone else's upgrade. Alone on the server we answer it (nobody else will); otherwise a
      // deadline keeps an upgrade nobody answers from staying open for ever.
      if (server.listenerCount('upgrade') === 1) {
        return refuseUpgrade(socket, url ? { status: 404, message: `No WebSocket endpoint at ${url.pathname}.` } : { status: 400, message: 'Bad request target.' });
      }
      if (upgradeTimeoutMs > 0) {
        const timer = setTimeout(() => {
          if (!socket.destroyed && (socket as { bytesWritten?: number }).bytesWritten === 0) socket.destroy();
        }, upgradeTimeoutMs);
        timer.unref?.();
        socket.once('close', () => clearTimeout(timer));
      }
      return;
    }
    const refusal = checkRequest(request, checks);
    if (refusal) return refuseUpgrade(socket, refusal);
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  };
}

/** The endpoint's counts: replies streaming now, and its cap on connections that run one. */
interface RunCount {
  activeTurns: number;
  readonly cap: RunCaps;
}

/**
 * The `error` of an `ask` past `maxConcurrentTurns`: a connection takes a place when it starts to
 * run and gives it back once it has nothing left to run or closes, so opening more connections buys
 * no more model calls (100 sockets were 100 runs; decision 0380).
 */
function turnsRefused(max: number): ChatServerMessage {
  const message = `This server runs ${max} replies at once, its limit (maxConcurrentTurns); nothing was started: ask again in a few seconds.`;
  return { type: 'error', code: 'WS_BUSY', name: 'Error', message };
}

/** A connection's questions asked and not finished (running + queued), and its place in the cap while it runs. */
interface Queue {
  pending: number;
  release?: () => void;
}

/** One open connection's chat session. */
interface Session {
  ws: WebSocket;
  end(): void;
}

/** What a session sends: messages (dropping a client that stopped reading) and error messages. */
interface Sender {
  send(message: ChatServerMessage): void;
  sendError(error: unknown, turn?: number): void;
}

function senderFor(ws: WebSocket, options: ChatOverWebSocketOptions, open: number): Sender {
  const maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
  const errorData = options.errorData ?? defaultServerSentErrorData;
  const send = (message: ChatServerMessage): void => {
    if (ws.readyState !== open) return;
    ws.send(JSON.stringify(message));
    if (ws.bufferedAmount > maxBuffered) ws.terminate(); // a client that stopped reading: drop it
  };
  const sendError = (error: unknown, turn?: number): void => {
    let data: { message: string; code?: string; name?: string };
    try {
      data = errorData(error);
    } catch {
      data = { message: 'The reply failed.' };
    }
    send({ type: 'error', ...(turn !== undefined && { turn }), ...data });
  };
  return { send, sendError };
}

/** Starts one connection's session: its chatTurns pipeline, its messages, its heartbeat. */
function startSession(ws: WebSocket, request: IncomingMessage, options: ChatOverWebSocketOptions, count: RunCount, open: number): Session {
  const questions = new Subject<string>();
  const stop$ = new Subject<void>();
  const sender = senderFor(ws, options, open);
  const resources = new Subscription(); // what handleMessage started for this connection
  const connection: ChatConnection = {
    request,
    send: (message) => sender.send(message as ChatServerMessage),
    add: (teardown) => resources.add(teardown),
  };
  const queue: Queue = { pending: 0 }; // questions asked and not finished yet (running + queued)
  const subscription = sessionTurns(questions, stop$, request, options, count, sender, queue);
  ws.on('message', (raw: RawData, isBinary: boolean) => {
    try {
      const message = parseClientMessage(raw, isBinary);
      if (options.handleMessage?.(message, connection)) return;
      if (options.chat && conversationMessage(options.chat, message, connection, options.errorData ?? defaultServerSentErrorData)) return;
      const question = sessionQuestion(message, stop$, options);
      if (question === undefined) return;
      if (queue.pending > (options.maxQueuedQuestions ?? 4)) {
        return sender.send({ type: 'error', code: 'WS_BUSY', name: 'Error', message: 'Too many questions waiting; wait for the running reply or send {"type":"stop"}.' });
      }
      if (queue.pending === 0) {
        const release = count.cap.acquire(undefined); // the connection starts to run: one place of the endpoint's cap
        if (release === null) return sender.send(turnsRefused(count.cap.maxRuns));
        queue.release = release;
      }
      queue.pending++;
      questions.next(question);
    } catch (error) {
      sender.sendError(error);
    }
  });
  ws.on('error', () => undefined); // 'close' follows; nothing to report to a gone client
  const stopHeartbeat = startHeartbeat(ws, options.heartbeatMs ?? 30_000);
  return {
    ws,
    end() {
      stopHeartbeat();
      subscription.unsubscribe(); // aborts the running request
      queue.release?.();
      resources.unsubscribe();
      questions.complete();
      stop$.complete();
    },
  };
}

/** One chatTurns pipeline per connection: serialized turns, windowed history, stop$; its events as messages. */
function sessionTurns(
  questions: Subject<string>,
  stop$: Subject<void>,
  request: IncomingMessage,
  options: ChatOverWebSocketOptions,
  count: RunCount,
  { send, sendError }: Sender,
  queue: Queue,
): Subscription {
  const countActive: StreamTurn = (input) =>
    defer(() => {
      count.activeTurns++;
      return from(options.streamTurn(input)).pipe(finalize(() => count.activeTurns--));
    });
  const history = options.createHistory
    ? options.createHistory(request)
    : new TrimmedChatMessageHistory(options.maxSavedMessages ?? options.maxMessages ?? 10);
  return questions
    .pipe(chatTurns(countActive, { stop$, maxMessages: options.maxMessages, onIncomplete: options.onIncomplete, requireCompletion: options.requireCompletion, history }))
    .subscribe((event) => {
      if (event.type === 'chunk') {
        if (event.text.length > 0) send({ type: 'chunk', turn: event.turn, text: event.text });
        return;
      }
      if (--queue.pending === 0) queue.release?.(); // nothing left to run: the place goes back
      if (event.type === 'error') sendError(event.error, event.turn);
      else if (event.type === 'awaiting') send({ type: 'approval-request', turn: event.turn, requests: event.requests.map(wireRequest) });
      else send({ type: 'done', turn: event.turn, stopped: event.type === 'stopped' });
    });
}

/** A client's frame as a JSON object, or the BadChatMessageError that answers it. */
function parseClientMessage(raw: RawData, isBinary: boolean): Record<string, unknown> {
  if (isBinary) throw new BadChatMessageError('Messages must be JSON text frames, got a binary frame.');
  let message: unknown;
  try {
    message = JSON.parse(raw.toString());
  } catch {
    throw new BadChatMessageError('Messages must be JSON like {"type":"ask","question":"…"} or {"type":"stop"}.');
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    throw new BadChatMessageError('Messages must be JSON objects with a "type": "ask" or "stop".');
  }
  return message as Record<string, unknown>;
}

/** A session's own message: `stop` (stops the running reply; undefined) or `ask` (its checked question). */
function sessionQuestion(message: Record<string, unknown>, stop$: Subject<void>, options: ChatOverWebSocketOptions): string | undefined {
  const { type } = message;
  if (type === 'stop') return void stop$.next();
  if (type === 'decide') throw new BadChatMessageError('A "decide" message answers a conversation of the chat handler: send its conversationId (serveChatOverWebSocket needs the chat option).');
  if (type !== 'ask') throw new BadChatMessageError(`Unknown message type ${JSON.stringify(type)}; use "ask" or "stop".`);
  const question = message.question;
  const problem = checkQuestion(question, options.maxQuestionChars ?? DEFAULT_MAX_QUESTION_CHARS);
  if (problem) throw new BadChatMessageError(problem.message);
  return question as string;
}

/** Pings every `pingMs` and drops a client that did not answer the last ping; returns how to stop. */
function startHeartbeat(ws: WebSocket, pingMs: number): () => void {
  if (pingMs <= 0) return () => undefined;
  let alive = true;
  ws.on('pong', () => (alive = true));
  const pinger = setInterval(() => {
    if (!alive) return ws.terminate();
    alive = false;
    ws.ping();
  }, pingMs);
  pinger.unref?.();
  return () => clearInterval(pinger);
}

/** Answers an upgrade request with a plain HTTP refusal and closes the socket. */
function refuseUpgrade(socket: Duplex, refusal: { status: RequestRefusal['status'] | 404; message: string }): void {
  socket.on('error', () => socket.destroy()); // Node removed its own handler when it emitted 'upgrade'
  const body = Buffer.from(refusal.message + '\n');
  socket.end(
    `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status]}\r\nconnection: close\r\n` +
      `content-type: text/plain; charset=utf-8\r\ncontent-length: ${body.length}\r\n\r\n${body.toString('utf8')}`,
  );
}

/**
 * The default history of a connection: in memory, keeping the last `max`
 * messages (whole turns: it starts at a question). Synchronous like
 * `SyncInMemoryChatMessageHistory`, so `chatTurns` skips the Promise round trip.
 */
class TrimmedChatMessageHistory extends InMemoryChatMessageHistory {
  private stored: BaseMessage[] = [];

  constructor(private readonly max: number) {
    super();
  }

  getMessagesSync(): BaseMessage[] {
    return [...this.stored];
  }

  addMessagesSync(messages: BaseMessage[]): void {
    this.stored.push(...messages);
    if (this.stored.length > this.max) this.stored = windowHistory(this.stored, this.max);
  }

  override async getMessages(): Promise<BaseMessage[]> {
    return this.getMessagesSync();
  }

  override async addMessage(message: BaseMessage): Promise<void> {
    this.addMessagesSync([message]);
  }

  override async addMessages(messages: BaseMessage[]): Promise<void> {
    this.addMessagesSync(messages);
  }

  override async clear(): Promise<void> {
    this.stored = [];
  }
}
