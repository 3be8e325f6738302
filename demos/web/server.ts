/**
 * Web demo (tutorial examples 9 and 10): a chat page that streams replies over
 * Server-Sent Events, a WebSocket, or the AI SDK's UI message stream (`POST /api/chat`, what
 * `useChat` calls), with a Stop button. The page's scripts are bundled from the package (./bundle.ts).
 *
 *   npm run web -- [--port 3000]   (or PORT=3000)
 *   REDIS_URL=redis://127.0.0.1:6379 npm run web -- --port 3001   (instances share Redis)
 *
 * Offline model by default; ChatOpenAI when OPENAI_API_KEY is set (demos/model.ts).
 * Routes are a table (below); Host / Origin checks and body caps live in ./http.ts.
 * A question with a `conversationId` is a turn of that conversation: its history,
 * its lock, its reply log (resume with Last-Event-ID on any instance) and its
 * stop (`POST /api/chat/:id/stop`) live in ./scaleOut.ts (Redis with REDIS_URL).
 * Over the WebSocket, an `ask` / `stop` with a `conversationId` is the same (decision 0140).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { ChatPromptTemplate, MessagesPlaceholder } from '@langchain/core/prompts';
import { AIMessage, SystemMessage, type BaseMessage } from '@langchain/core/messages';
import { concat, defer, from, ignoreElements, map, of, tap, throwError, type Observable, type Subscription } from 'rxjs';
import {
  BadUIMessagesError,
  chatTurns,
  checkQuestion,
  fromAgent,
  fromRunnable,
  fromUIMessages,
  textContent,
  toUIMessageStream,
  type StreamableAgent,
  type UIMessageChunk,
  type UIMessageStreamInput,
} from '../../src';
import { createParser } from 'eventsource-parser';
import {
  BadChatMessageError,
  ConversationBusyError,
  ReplyNotFoundError,
  ReplyProducerGoneError,
  sendReplyLog,
  sendServerSentEvents,
  sendUIMessageStream,
  serveChatOverWebSocket,
  toTurnServerSentEvents,
  type ChatConnection,
  type ChatWebSocketServer,
  type ReplyLogEntry,
  type SendReplyLogOptions,
} from '../../src/node';
import { createOfflineTools, ScriptedChatModel } from '../../src/offline';
import { describeChatError } from '../../src/cli/describeError';
import { BROWSER_SCRIPTS, browserScript } from './bundle';
import { createDemoModel } from '../model';
import { HttpError, readJsonBody, routeRequests, sendJson, type RequestPolicy, type Route } from './http';
import { createScaleOut, type ScaleOut, type ScaleOutOptions } from './scaleOut';
import { webArgsOrExit } from './args';

/** Options of {@link startWebDemo}. */
export interface WebDemoOptions extends RequestPolicy {
  /** Port; 0 picks a free one. Default 3000. */
  port?: number;
  /** Interface. Default 127.0.0.1. */
  host?: string;
  /** Chat model. Default: `createDemoModel()` (offline unless OPENAI_API_KEY is set). */
  model?: BaseChatModel;
  /** Where the model lives, for error messages (`describeChatError`). Default: `createDemoModel()`'s. */
  baseURL?: string;
  /** Request body cap for POST /api/chat/stream, bytes. Default 16 KiB. */
  maxBodyBytes?: number;
  /** SSE heartbeat, ms. Default 15000. */
  heartbeatMs?: number;
  /** A client that has not sent its request headers after this many ms gets 408 and is closed. Default 10000. */
  headersTimeoutMs?: number;
  /** A client that has not sent its whole request (headers and body) after this many ms gets 408. Default 30000. */
  requestTimeoutMs?: number;
  /** Request body cap for POST /api/chat (the AI SDK client sends the whole conversation), bytes. Default 1 MiB. */
  maxChatBodyBytes?: number;
  /** What POST /api/chat streams for a conversation (parts or message chunks). Default: an agent with the offline tools on `model`. */
  agent?: (messages: BaseMessage[]) => Observable<UIMessageStreamInput>;
  /**
   * Where conversations live: with `redisUrl`, history, locks, reply logs and stops are in Redis and
   * shared by every instance; without, in this process. Plus the reply log's timings.
   */
  scaleOut?: ScaleOutOptions;
  /**
   * Conversations' state already opened with `createScaleOut`, shared with other demos of this
   * process (two instances over one in-memory log); the caller closes it. Overrides `scaleOut`.
   */
  conversations?: ScaleOut;
}

/** A running web demo. */
export interface WebDemo {
  /** e.g. `http://127.0.0.1:3000` */
  readonly url: string;
  readonly server: Server;
  readonly chat: ChatWebSocketServer;
  /** Conversations' state: `'redis'` or `'memory'`. */
  readonly state: ScaleOut['kind'];
  /** Stops listening, aborts every running reply, closes every connection. */
  close(): Promise<void>;
}

const PAGES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
};
const MAX_QUESTION_CHARS = 4000;
/** Conversation turns one WebSocket connection may run at once (as serveChatOverWebSocket's queue, 4 + the running one). */
const MAX_WS_CONVERSATION_TURNS = 5;
/** Conversation and reply ids: what a client may send (URL-safe, no separators of Redis keys). */
const ID = /^[A-Za-z0-9_-]{1,100}$/;

/** The UI message stream's headers besides the SSE ones (as sendUIMessageStream sends them). */
const UI_MESSAGE_STREAM_HEADERS = { 'x-vercel-ai-ui-message-stream': 'v1', 'x-accel-buffering': 'no' };
/** A UI message stream frame as the reply log stores it (the AI SDK's wire: one JSON chunk per `data:` line). */
const uiFrame = (chunk: UIMessageChunk): string => `data: ${JSON.stringify(chunk)}\n\n`;
const UI_DONE = 'data: [DONE]\n\n';

/** A non-empty `Last-Event-ID` header, or undefined. */
function lastEventIdOf(req: IncomingMessage): string | undefined {
  const id = req.headers['last-event-id'];
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** The AI SDK mode's system prompt: the offline tools and when to call them (as demo 13's agent). */
export const AGENT_SYSTEM_PROMPT =
  '你是助手。需要 Python 版本的发布日期时调用 python_release 工具，需要计算时调用 add 工具（减法用负数），不要自己心算；回答简洁。';

/** The tutorial's prompt: a system message, the history window, the question. */
export function createChatChain(model: BaseChatModel) {
  const prompt = ChatPromptTemplate.fromMessages([
    ['system', '你是助手'],
    new MessagesPlaceholder('history'),
    ['human', '{question}'],
  ]);
  return prompt.pipe(model);
}

/**
 * Starts the web demo server: the page and its bundled scripts, `GET /api/info`,
 * `POST /api/chat/stream` (and `GET ?question=`, for programs that send
 * `X-Requested-With`) over SSE, the WebSocket chat on `/ws`, and the AI SDK's
 * `POST /api/chat` (an agent with the offline tools `add` and `python_release`, streamed as
 * the UI message stream; a model without tool support answers without them). With a
 * `conversationId` a question is a turn of that conversation (history, one turn at a time,
 * resumable with `Last-Event-ID` on any instance, `POST /api/chat/:id/stop` from any
 * instance; over `/ws`, an `ask` / `stop` with a `conversationId`). Binds 127.0.0.1; answers only to its own address and
 * `localhost` (421 otherwise) and runs the model only for same-origin or
 * non-browser requests (403 otherwise); a busy port rejects with a hint.
 *
 * @example
 * ```ts
 * const demo = await startWebDemo({ port: 0, model: new ScriptedChatModel() });
 * console.log(demo.url);
 * await demo.close();
 * ```
 *
 * @param options Port, host, model, caps and timeouts, and the Host / Origin policy.
 * @returns The running demo: its URL, the server, the WebSocket endpoint and `close()`.
 */
export async function startWebDemo(options: WebDemoOptions = {}): Promise<WebDemo> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 3000;
  const maxBodyBytes = options.maxBodyBytes ?? 16 * 1024;
  const maxChatBodyBytes = options.maxChatBodyBytes ?? 1024 * 1024;
  const described = options.model ? { model: options.model, description: options.model.getName(), baseURL: options.baseURL } : createDemoModel();
  const baseURL = options.baseURL ?? described.baseURL;
  const chain = createChatChain(described.model);
  const policy: RequestPolicy = { allowedHosts: options.allowedHosts, allowedOrigins: options.allowedOrigins };
  // What the page shows when a reply fails: the CLI's one-line description (cause, endpoint, what to do).
  const errorData = (error: unknown): { name: string; message: string; code?: string } => {
    const code = (error as { code?: unknown } | null)?.code;
    return {
      name: error instanceof Error ? error.name : 'Error',
      message: describeChatError(error, { baseURL }),
      ...(typeof code === 'string' && { code }),
    };
  };

  // The AI SDK endpoint: the client's UIMessages → LangChain messages → an agent run with the
  // offline tools (on ChatOpenAI too, when OPENAI_* is set) → the UI message stream.
  let agent: StreamableAgent<{ messages: BaseMessage[] }> | undefined;
  const runAgent = (messages: BaseMessage[]): Observable<UIMessageStreamInput> => {
    if (options.agent) return options.agent(messages);
    if (typeof described.model.bindTools !== 'function') {
      // A chat model that cannot call tools answers without them.
      return fromRunnable(described.model, [new SystemMessage(AGENT_SYSTEM_PROMPT), ...messages]);
    }
    // Loaded on the first AI SDK request: the other modes never pay for langchain.
    const { createAgent } = require('langchain') as typeof import('langchain');
    // Offline, a tool takes as long as the model's first token, so the steps are visible.
    const delayMs = described.model instanceof ScriptedChatModel ? described.model.firstTokenMs : 0;
    agent ??= createAgent({ model: described.model, tools: createOfflineTools({ delayMs }), systemPrompt: AGENT_SYSTEM_PROMPT });
    return fromAgent(agent, { messages });
  };
  const chatErrorText = (error: unknown): string => describeChatError(error, { baseURL });
  /** `POST /api/chat`: with the chat's `id` (the AI SDK always sends one) a turn of that conversation; without, a one-off reply. */
  const streamChat = (body: unknown, res: ServerResponse): void => {
    const chatId = (body as { id?: unknown } | null)?.id;
    if (chatId !== undefined && (typeof chatId !== 'string' || !ID.test(chatId))) {
      throw new HttpError(400, 'id (the chat id) must be 1–100 letters, digits, "-" or "_".');
    }
    let messages: BaseMessage[];
    try {
      messages = fromUIMessages((body as { messages?: unknown } | null)?.messages);
    } catch (err) {
      if (err instanceof BadUIMessagesError) return sendJson(res, err.status, { error: err.message });
      throw err;
    }
    if (chatId !== undefined) return startChatTurn(chatId, messages, res);
    // No chat id: nothing to resume, so a disconnect aborts the model.
    sendUIMessageStream(runAgent(messages), res, { heartbeatMs: options.heartbeatMs, errorText: chatErrorText, ...policy });
  };

  const streamAnswer = (question: unknown, res: ServerResponse): void => {
    const problem = checkQuestion(question, MAX_QUESTION_CHARS);
    if (problem) return sendJson(res, problem.reason === 'too-long' ? 413 : 400, { error: problem.message });
    const reply$ = fromRunnable(chain, { question: question as string, history: [] }).pipe(textContent());
    sendServerSentEvents(reply$, res, { heartbeatMs: options.heartbeatMs, errorData, ...policy });
  };

  const scale = options.conversations ?? (await createScaleOut(options.scaleOut));
  const closeScale = (): Promise<void> => (options.conversations ? Promise.resolve() : scale.close());
  /** Running producers: they outlive their first client, so close() ends them. */
  const producers = new Set<Subscription>();
  const replyOptions = { heartbeatMs: options.heartbeatMs, retryMs: 1000 };

  /** A turn of a conversation: the lock, the shared history, the reply log; every client reads the log. */
  const startTurn = (conversationId: string, question: unknown, res: ServerResponse): void => {
    const problem = checkQuestion(question, MAX_QUESTION_CHARS);
    if (problem) return sendJson(res, problem.reason === 'too-long' ? 413 : 400, { error: problem.message });
    const replyId = randomUUID();
    produce(conversationId, replyId, conversationTurn(conversationId, replyId, question as string), responseReader(res, replyId, replyOptions));
  };

  /** A turn's SSE frames (without ids): `start` with the ids, then the turn over the conversation's history, stoppable from any instance. */
  const conversationTurn = (conversationId: string, replyId: string, question: string): Observable<string> => {
    const start = `event: start\ndata: ${JSON.stringify({ conversationId, replyId })}\n\n`;
    const turn$ = of(question).pipe(
      chatTurns(({ question: q, history }) => fromRunnable(chain, { question: q, history }), {
        history: scale.history(conversationId),
        stop$: scale.log.stops(replyId), // a stop sent to any instance
        onInterrupt: 'keep-partial', // the model should know what the user already saw
      }),
      toTurnServerSentEvents({ errorData }),
    );
    return concat(of(start), turn$);
  };

  /** Who reads a reply that `produce` starts: `read` once its first event is stored, or `refuse` if it never starts. */
  interface ReplyReader {
    read(): void;
    refuse(error: unknown): void;
  }
  /** An HTTP response as the reader: the log over SSE; a busy conversation is a 409. */
  const responseReader = (res: ServerResponse, replyId: string, reader: SendReplyLogOptions): ReplyReader => ({
    read: () => void sendReplyLog(scale.log.read(replyId), res, reader),
    refuse: (error) => sendJson(res, error instanceof ConversationBusyError ? 409 : 500, { error: error instanceof Error ? error.message : String(error) }),
  });

  /**
   * Runs a reply into the log (holding the conversation's lock) whether or not anyone reads it;
   * `reader` reads the log once the reply's first event is stored, like any other client.
   */
  const produce = (conversationId: string, replyId: string, events$: Observable<string>, reader: ReplyReader): void => {
    let reading = false;
    const producer = scale.lock.run(conversationId, scale.log.append(replyId, events$, { conversationId })).subscribe({
      next: () => {
        if (reading) return;
        reading = true; // the reply exists (its first event): this client reads it like any other
        reader.read();
      },
      error: (error: unknown) => {
        producers.delete(producer);
        if (!reading) reader.refuse(error);
      },
      complete: () => producers.delete(producer),
    });
    if (!producer.closed) producers.add(producer);
  };

  /** The AI SDK's client reads UI message stream frames; the log keeps them as they are. */
  const uiReplyOptions: SendReplyLogOptions = {
    heartbeatMs: options.heartbeatMs,
    headers: UI_MESSAGE_STREAM_HEADERS,
    errorFrame: (error) => uiFrame({ type: 'error', errorText: error instanceof Error ? error.message : String(error) }) + UI_DONE,
  };

  /**
   * A turn of an AI SDK chat: the model sees the messages the client sent (the client owns the
   * conversation it shows); the reply's UI message stream frames go into the log, so a dropped
   * client resumes (`GET /api/chat/:id/stream`) on any instance; a stop from any instance ends it
   * with `abort`. At the end the chat's stored history becomes the client's messages plus the
   * answer (marked partial after a stop; a failed or abandoned reply saves nothing).
   */
  const startChatTurn = (chatId: string, messages: BaseMessage[], res: ServerResponse): void => {
    const replyId = randomUUID();
    const events$ = defer(() => {
      let text = '';
      let end: 'finish' | 'abort' | 'error' | undefined;
      const reply$ = runAgent(messages).pipe(
        toUIMessageStream({ stop$: scale.log.stops(replyId), errorText: chatErrorText }),
        tap((chunk) => {
          if (chunk.type === 'text-delta') text += chunk.delta;
          else if (chunk.type === 'finish' || chunk.type === 'abort' || chunk.type === 'error') end ??= chunk.type;
        }),
        map(uiFrame),
      );
      const save$ = defer(async () => {
        if (end !== 'finish' && end !== 'abort') return; // nothing cut is saved as complete
        const history = scale.history(chatId);
        const answer = new AIMessage({ content: text, response_metadata: end === 'abort' ? { partial: true, partial_reason: 'stop' } : {} });
        await history.clear();
        await history.addMessages([...messages, answer]);
      }).pipe(ignoreElements());
      return concat(reply$, save$, of(UI_DONE));
    });
    produce(chatId, replyId, events$, responseReader(res, replyId, uiReplyOptions));
  };

  /**
   * `GET /api/chat/:id/stream`, DefaultChatTransport's reconnect: the chat's running reply from its
   * first frame (the SDK replays it into the message), then the live tail; a reply whose producer is
   * gone (a crash, a shutdown) all its stored frames, then an `error` chunk and `[DONE]`; 204 when the
   * chat has no reply or its latest one ended (its answer is in the history). With
   * `Last-Event-ID` (a client of our own that kept the ids) the latest reply after that id, also
   * once it has ended (while it is kept).
   */
  const resumeChat = async (chatId: string, req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!ID.test(chatId)) throw new HttpError(400, 'The chat id must be 1–100 letters, digits, "-" or "_".');
    const after = lastEventIdOf(req);
    const latest = await scale.log.latestReply(chatId);
    const none = (): void => void res.writeHead(204, { 'cache-control': 'no-store' }).end();
    if (!latest) return none();
    if (after !== undefined || latest.live) return void sendReplyLog(scale.log.read(latest.replyId, { after }), res, uiReplyOptions);
    // Not running: it ended (its answer is in the history: 204) or its producer is gone (a crash,
    // a shutdown): then the client gets everything stored and an error chunk, never a hang.
    const stored = await cutReply(latest.replyId);
    if (!stored) return none();
    sendReplyLog(concat(from(stored.entries), throwError(() => stored.error)), res, uiReplyOptions);
  };

  /** A reply that is not live, read to its end: its entries and the error of a producer that is gone; null when it ended normally or is not kept. */
  const cutReply = (replyId: string): Promise<{ entries: ReplyLogEntry[]; error: ReplyProducerGoneError } | null> =>
    new Promise((resolve, reject) => {
      const entries: ReplyLogEntry[] = []; // at most the log's maxEvents
      scale.log.read(replyId).subscribe({
        next: (entry) => void entries.push(entry),
        complete: () => resolve(null),
        error: (error: unknown) => {
          if (error instanceof ReplyProducerGoneError) resolve({ entries, error });
          else if (error instanceof ReplyNotFoundError) resolve(null); // expired in between
          else reject(error);
        },
      });
    });

  /** A client that reconnects with Last-Event-ID, on any instance: the missed events, then the live tail. */
  const resume = async (conversationId: string, replyId: string | undefined, after: string | undefined, res: ServerResponse): Promise<void> => {
    const target = replyId ?? (await scale.log.latestReply(conversationId))?.replyId;
    if (!target) return sendJson(res, 404, { error: `Conversation ${conversationId} has no stored reply to resume.` });
    sendReplyLog(scale.log.read(target, { after }), res, replyOptions);
  };

  /** `POST /api/chat/stream` and `GET ?question=`: a one-off answer, a turn of a conversation, or a resume. */
  const chatStream = async (req: IncomingMessage, res: ServerResponse, input: Record<string, unknown>): Promise<void> => {
    const { conversationId, replyId } = input;
    const after = lastEventIdOf(req);
    if (conversationId === undefined && replyId === undefined) return streamAnswer(input.question, res);
    for (const [name, value] of [['conversationId', conversationId], ['replyId', replyId]] as const) {
      if (value !== undefined && (typeof value !== 'string' || !ID.test(value))) {
        throw new HttpError(400, `${name} must be 1–100 letters, digits, "-" or "_".`);
      }
    }
    if (conversationId === undefined) throw new HttpError(400, 'replyId needs its conversationId.');
    if (after !== undefined || replyId !== undefined) return resume(conversationId as string, replyId as string | undefined, after, res);
    startTurn(conversationId as string, input.question, res);
  };

  const pages: Route[] = Object.entries(PAGES).map(([path, { file, type }]) => {
    const body = readFileSync(join(__dirname, 'public', file));
    return {
      path,
      methods: ['GET'],
      runsModel: false,
      handle: ({ req, res }) => {
        res.writeHead(200, { 'content-type': type, 'content-length': body.length, 'cache-control': 'no-cache' });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
    };
  });
  // The page's scripts, bundled from the package on their first request (./bundle.ts).
  const scripts: Route[] = BROWSER_SCRIPTS.map((path) => ({
    path,
    methods: ['GET'],
    runsModel: false,
    handle: async ({ req, res }) => {
      let body: Uint8Array;
      try {
        body = await browserScript(path);
      } catch (err) {
        throw new HttpError(500, `Could not bundle ${path}: ${(err as Error).message}`);
      }
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'content-length': body.length, 'cache-control': 'no-cache' });
      res.end(req.method === 'HEAD' ? undefined : body);
    },
  }));
  const routes: Route[] = [
    ...pages,
    ...scripts,
    // The page declares no icon (`<link rel="icon" href="data:,">`); browsers that ask anyway get no 404.
    { path: '/favicon.ico', methods: ['GET'], runsModel: false, handle: ({ res }) => void res.writeHead(204, { 'cache-control': 'max-age=86400' }).end() },
    { path: '/api/info', methods: ['GET'], runsModel: false, handle: ({ res }) => sendJson(res, 200, { model: described.description }) },
    {
      path: '/api/chat/stream',
      methods: ['POST', 'GET'],
      runsModel: true,
      handle: async ({ req, res, url }) => {
        if (req.method === 'POST') {
          const body = await readJsonBody(req, maxBodyBytes);
          return chatStream(req, res, typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {});
        }
        const query = (name: string): string | undefined => url.searchParams.get(name) ?? undefined;
        return chatStream(req, res, { question: query('question') ?? null, conversationId: query('conversationId'), replyId: query('replyId') });
      },
    },
    {
      path: '/api/chat/:id/stop',
      methods: ['POST'],
      runsModel: true, // no other site may stop the user's replies
      handle: async ({ res, params }) => {
        if (!ID.test(params.id)) throw new HttpError(400, 'The conversation id must be 1–100 letters, digits, "-" or "_".');
        const stop = await stopConversation(params.id);
        if (!stop.replyId) return sendJson(res, 404, { stopped: false, error: `Conversation ${params.id} has no running reply.` });
        sendJson(res, 200, stop);
      },
    },
    {
      // DefaultChatTransport's reconnectToStream (useChat({ resume: true }), resumeStream()).
      path: '/api/chat/:id/stream',
      methods: ['GET'],
      runsModel: true, // a user's reply: no other site may read it
      handle: ({ req, res, params }) => resumeChat(params.id, req, res),
    },
    {
      // The AI SDK's useChat / Chat default endpoint: { id, messages, trigger, messageId }.
      path: '/api/chat',
      methods: ['POST'],
      runsModel: true,
      handle: async ({ req, res }) => streamChat(await readJsonBody(req, maxChatBodyBytes, '{"id": "…", "messages": [UIMessage, …]}'), res),
    },
  ];

  /** Conversation turns each WebSocket connection runs at once (each holds a producer). */
  const wsTurns = new WeakMap<ChatConnection, number>();
  /**
   * The WebSocket protocol's conversations: `ask` / `stop` with a `conversationId` run through the
   * same machinery as `POST /api/chat/stream` (lock, shared history, reply log; the socket is a
   * reader of the log) and `POST /api/chat/:id/stop` (a stop reaches the instance that runs the
   * reply). Without a `conversationId` a message is the connection's session's, as before.
   */
  const conversationOverWebSocket = (message: Record<string, unknown>, connection: ChatConnection): boolean => {
    const { conversationId, type } = message;
    if (conversationId === undefined || (type !== 'ask' && type !== 'stop')) return false;
    if (typeof conversationId !== 'string' || !ID.test(conversationId)) throw new BadChatMessageError('conversationId must be 1–100 letters, digits, "-" or "_".');
    if (type === 'stop') {
      void stopConversation(conversationId).then(
        (stop) => connection.send({ type: 'stop', conversationId, ...stop }),
        (error: unknown) => connection.send({ type: 'error', conversationId, ...errorData(error) }),
      );
      return true;
    }
    const problem = checkQuestion(message.question, MAX_QUESTION_CHARS);
    if (problem) throw new BadChatMessageError(problem.message);
    const running = wsTurns.get(connection) ?? 0;
    if (running >= MAX_WS_CONVERSATION_TURNS) {
      connection.send({ type: 'error', conversationId, code: 'WS_BUSY', name: 'Error', message: `This connection already runs ${running} conversation turns; wait for one or stop it.` });
      return true;
    }
    wsTurns.set(connection, running + 1);
    const finished = (): void => void wsTurns.set(connection, (wsTurns.get(connection) ?? 1) - 1);
    const replyId = randomUUID();
    produce(conversationId, replyId, conversationTurn(conversationId, replyId, message.question as string), {
      read: () => {
        // The log's SSE frames back into this protocol's messages, tagged with their conversation.
        const parser = createParser({ onEvent: (event) => connection.send({ type: event.event ?? 'message', conversationId, ...(JSON.parse(event.data) as object) }) });
        connection.add(
          scale.log.read(replyId).subscribe({
            next: (entry) => parser.feed(entry.data),
            error: (error: unknown) => {
              finished();
              connection.send({ type: 'error', conversationId, ...errorData(error) });
            },
            complete: finished,
          }),
        );
      },
      refuse: (error) => {
        finished();
        connection.send({ type: 'error', conversationId, ...errorData(error) });
      },
    });
    return true;
  };

  /** Stops the conversation's running reply wherever it runs: `{ stopped, replyId? }` (`stopped: false` when none runs). */
  const stopConversation = async (conversationId: string): Promise<{ stopped: boolean; replyId?: string }> => {
    const latest = await scale.log.latestReply(conversationId);
    if (!latest?.live) return { stopped: false };
    return { stopped: await scale.log.stop(latest.replyId), replyId: latest.replyId };
  };

  const server = createServer(
    {
      headersTimeout: options.headersTimeoutMs ?? 10_000,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      // How often Node looks for connections past those timeouts (its default, 30 s, would dwarf them).
      connectionsCheckingInterval: Math.min(1000, options.headersTimeoutMs ?? 1000, options.requestTimeoutMs ?? 1000),
    },
    routeRequests(routes, policy),
  );

  const chat = serveChatOverWebSocket(server, {
    path: '/ws',
    ...policy,
    streamTurn: ({ question, history }) => fromRunnable(chain, { question, history }),
    onInterrupt: 'keep-partial', // the model should know what the user already saw
    maxQuestionChars: MAX_QUESTION_CHARS,
    errorData,
    handleMessage: (message, connection) => conversationOverWebSocket(message, connection),
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      void chat.close();
      void closeScale();
      reject(error.code === 'EADDRINUSE' ? portInUse(port, host, error) : error);
    });
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    server,
    chat,
    state: scale.kind,
    async close() {
      for (const producer of producers) producer.unsubscribe(); // aborts the models; readers are told the reply was abandoned
      producers.clear();
      await chat.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await closeScale();
    },
  };
}

function portInUse(port: number, host: string, cause: Error): Error {
  return new Error(
    `Port ${port} on ${host} is already in use (another server is running there). ` +
      `Pick another with --port <n> or PORT=<n> (0 picks a free one).`,
    { cause },
  );
}

/**
 * `REDIS_URL` (Redis for conversations), `REPLY_GRACE_MS` (how long finished replies stay
 * resumable) and `REPLY_PRODUCER_TIMEOUT_MS` (how soon a crashed instance's replies are cut).
 */
export function scaleOutFromEnv(env: NodeJS.ProcessEnv): ScaleOutOptions {
  const number = (name: string): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be an integer >= 1 (ms), got "${raw}".`);
    return value;
  };
  return { redisUrl: env.REDIS_URL || undefined, graceMs: number('REPLY_GRACE_MS'), producerTimeoutMs: number('REPLY_PRODUCER_TIMEOUT_MS') };
}

/** The port from `--port <n>`, `--port=<n>` or `PORT`; default 3000. */
export function portFromArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): number {
  const i = argv.indexOf('--port');
  const raw = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith('--port='))?.slice(7) ?? env.PORT;
  if (raw === undefined) return 3000;
  const port = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`--port / PORT must be an integer 0–65535, got "${raw}".`);
  }
  return port;
}

if (require.main === module) {
  const { port } = webArgsOrExit(process.argv.slice(2)); // bad flags: one line, the usage, exit 2 (./args.ts)
  const model = createDemoModel();
  Promise.resolve()
    .then(() =>
      startWebDemo({
        port,
        model: model.model,
        baseURL: model.baseURL,
        scaleOut: scaleOutFromEnv(process.env),
      }),
    )
    .then(
      (demo) => {
        const state = demo.state === 'redis' ? 'conversations in Redis' : 'conversations in memory';
        process.stdout.write(`Web demo on ${demo.url} (model: ${model.description}; ${state}). Ctrl+C to stop.\n`);
        const stop = (): void => void demo.close();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      },
      (err: unknown) => {
        process.stderr.write(`${describeChatError(err, { baseURL: model.baseURL })}\n`);
        process.exitCode = 1;
      },
    );
}
