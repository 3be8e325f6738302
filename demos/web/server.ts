/**
 * Web demo (tutorial examples 9 and 10): a chat page that streams replies over
 * Server-Sent Events or a WebSocket, with a Stop button.
 *
 *   npx ts-node --transpile-only demos/web/server.ts [--port 3000]   (or PORT=3000)
 *
 * Offline model by default; ChatOpenAI when OPENAI_API_KEY is set (demos/model.ts).
 * Routes are a table (below); Host / Origin checks and body caps live in ./http.ts.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { ChatPromptTemplate, MessagesPlaceholder } from '@langchain/core/prompts';
import { checkQuestion, fromRunnable, textContent } from '../../src';
import { sendServerSentEvents, serveChatOverWebSocket, type ChatWebSocketServer } from '../../src/node';
import { describeChatError } from '../../src/cli/describeError';
import { createDemoModel } from '../model';
import { readJsonBody, routeRequests, sendJson, type RequestPolicy, type Route } from './http';

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
}

/** A running web demo. */
export interface WebDemo {
  /** e.g. `http://127.0.0.1:3000` */
  readonly url: string;
  readonly server: Server;
  readonly chat: ChatWebSocketServer;
  /** Stops listening, aborts every running reply, closes every connection. */
  close(): Promise<void>;
}

const PAGES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
};
const MAX_QUESTION_CHARS = 4000;

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
 * Starts the web demo server: the page, `GET /api/info`, `POST /api/chat/stream`
 * (and `GET ?question=`, for programs that send `X-Requested-With`) over SSE, and the
 * WebSocket chat on `/ws`. Binds 127.0.0.1; answers only to its own address and
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

  const streamAnswer = (question: unknown, res: ServerResponse): void => {
    const problem = checkQuestion(question, MAX_QUESTION_CHARS);
    if (problem) return sendJson(res, problem.reason === 'too-long' ? 413 : 400, { error: problem.message });
    const reply$ = fromRunnable(chain, { question: question as string, history: [] }).pipe(textContent());
    sendServerSentEvents(reply$, res, { heartbeatMs: options.heartbeatMs, errorData, ...policy });
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
  const routes: Route[] = [
    ...pages,
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
          return streamAnswer((body as { question?: unknown } | null)?.question, res);
        }
        streamAnswer(url.searchParams.get('question'), res);
      },
    },
  ];

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
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      void chat.close();
      reject(error.code === 'EADDRINUSE' ? portInUse(port, host, error) : error);
    });
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    server,
    chat,
    async close() {
      await chat.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
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
  const model = createDemoModel();
  Promise.resolve()
    .then(() => startWebDemo({ port: portFromArgs(process.argv.slice(2)), model: model.model, baseURL: model.baseURL }))
    .then(
      (demo) => {
        process.stdout.write(`Web demo on ${demo.url} (model: ${model.description}). Ctrl+C to stop.\n`);
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
