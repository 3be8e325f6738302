/**
 * Web demo (tutorial examples 9 and 10): a chat page that streams replies over
 * Server-Sent Events, a WebSocket, or the AI SDK's UI message stream (`POST /api/chat`, what
 * `useChat` calls), with a Stop button. The page's scripts are bundled from the package (./bundle.ts).
 *
 *   npx ts-node --transpile-only demos/web/server.ts [--port 3000]   (or PORT=3000)
 *
 * Offline model by default; ChatOpenAI when OPENAI_API_KEY is set (demos/model.ts).
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { ChatPromptTemplate, MessagesPlaceholder } from '@langchain/core/prompts';
import { SystemMessage, type BaseMessage } from '@langchain/core/messages';
import type { Observable } from 'rxjs';
import { BadUIMessagesError, fromRunnable, fromUIMessages, textContent, type UIMessageStreamInput } from '../../src';
import { sendServerSentEvents, sendUIMessageStream, serveChatOverWebSocket, type ChatWebSocketServer } from '../../src/node';
import { BROWSER_SCRIPTS, browserScript } from './bundle';
import { createDemoModel } from '../model';
import { readBodyText, sendJson } from '../../src/internal/http';

/** Options of {@link startWebDemo}. */
export interface WebDemoOptions {
  /** Port; 0 picks a free one. Default 3000. */
  port?: number;
  /** Interface. Default 127.0.0.1. */
  host?: string;
  /** Chat model. Default: `createDemoModel()` (offline unless OPENAI_API_KEY is set). */
  model?: BaseChatModel;
  /** Request body cap for POST /api/chat/stream, bytes. Default 16 KiB. */
  maxBodyBytes?: number;
  /** SSE heartbeat, ms. Default 15000. */
  heartbeatMs?: number;
  /** Request body cap for POST /api/chat (the AI SDK client sends the whole conversation), bytes. Default 1 MiB. */
  maxChatBodyBytes?: number;
  /**
   * What POST /api/chat streams for the conversation (parts of an agent run, message chunks).
   * Default: the chat model with the demo's system prompt.
   */
  agent?: (messages: BaseMessage[]) => Observable<UIMessageStreamInput>;
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

const STATIC: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
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
 * Starts the web demo server.
 *
 * @example
 * ```ts
 * const demo = await startWebDemo({ port: 0, model: new ScriptedChatModel() });
 * console.log(demo.url);
 * await demo.close();
 * ```
 */
export async function startWebDemo(options: WebDemoOptions = {}): Promise<WebDemo> {
  const host = options.host ?? '127.0.0.1';
  const maxBodyBytes = options.maxBodyBytes ?? 16 * 1024;
  const maxChatBodyBytes = options.maxChatBodyBytes ?? 1024 * 1024;
  const described = options.model ? { model: options.model, description: options.model.getName() } : createDemoModel();
  const chain = createChatChain(described.model);
  const files = new Map(Object.entries(STATIC).map(([route, { file, type }]) => [route, { body: readFileSync(join(__dirname, 'public', file)), type }]));

  const streamReply = (question: string, history: BaseMessage[] = []) =>
    fromRunnable(chain, { question, history }).pipe(textContent());

  // Same-origin only: browsers send Origin on WebSocket upgrades and cross-site POSTs, so another
  // site the user visits (or a DNS-rebinding host name) cannot drive the model. No Origin = not a browser.
  let port = 0;
  const sameOrigin = (origin: string | undefined): boolean =>
    origin === undefined || [`http://${host}:${port}`, `http://localhost:${port}`, `http://127.0.0.1:${port}`].includes(origin);

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname.startsWith('/api/') && !sameOrigin(req.headers.origin)) {
      return sendJson(res, 403, { error: 'Cross-origin requests are not allowed.' });
    }
    if (BROWSER_SCRIPTS.includes(url.pathname)) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'Use GET.' }, { allow: 'GET, HEAD' });
      return void browserScript(url.pathname).then(
        (body) => {
          res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'content-length': body.length, 'cache-control': 'no-cache' });
          res.end(req.method === 'HEAD' ? undefined : body);
        },
        (err: Error) => sendJson(res, 500, { error: `Could not bundle ${url.pathname}: ${err.message}` }),
      );
    }
    const page = files.get(url.pathname);
    if (page) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'Use GET.' }, { allow: 'GET, HEAD' });
      res.writeHead(200, { 'content-type': page.type, 'content-length': page.body.length, 'cache-control': 'no-cache' });
      return void res.end(req.method === 'HEAD' ? undefined : page.body);
    }
    if (url.pathname === '/api/info' && req.method === 'GET') {
      return sendJson(res, 200, { model: described.description });
    }
    if (url.pathname === '/api/chat/stream') {
      if (req.method === 'GET') return streamAnswer(url.searchParams.get('question'), res);
      if (req.method === 'POST') {
        return void readJsonBody(req, maxBodyBytes).then(
          (body) => streamAnswer((body as { question?: unknown } | null)?.question, res),
          (err: Error & { status?: number }) => {
            sendJson(res, err.status ?? 400, { error: err.message }, { connection: 'close' });
          },
        );
      }
      return sendJson(res, 405, { error: 'Use POST with {"question": "…"} or GET ?question=…' }, { allow: 'GET, POST' });
    }
    if (url.pathname === '/api/chat') {
      if (req.method !== 'POST') return sendJson(res, 405, { error: 'Use POST with the AI SDK chat request {"id", "messages"}.' }, { allow: 'POST' });
      return void readJsonBody(req, maxChatBodyBytes).then(
        (body) => streamChat((body as { messages?: unknown } | null)?.messages, res),
        (err: Error & { status?: number }) => sendJson(res, err.status ?? 400, { error: err.message }, { connection: 'close' }),
      );
    }
    sendJson(res, 404, { error: `Not found: ${req.method} ${url.pathname}` });
  });

  // The AI SDK endpoint: the client's UIMessages → LangChain messages → the UI message stream.
  const streamChat = (body: unknown, res: ServerResponse): void => {
    let messages: BaseMessage[];
    try {
      messages = fromUIMessages(body);
    } catch (err) {
      if (err instanceof BadUIMessagesError) return sendJson(res, err.status, { error: err.message });
      throw err;
    }
    const run$ = options.agent ? options.agent(messages) : fromRunnable(described.model, [new SystemMessage('你是助手'), ...messages]);
    sendUIMessageStream(run$, res, { heartbeatMs: options.heartbeatMs });
  };

  const streamAnswer = (question: unknown, res: ServerResponse): void => {
    if (typeof question !== 'string' || question.trim() === '') return sendJson(res, 400, { error: 'question must be a non-empty string.' });
    if (question.length > MAX_QUESTION_CHARS) return sendJson(res, 413, { error: `question is over ${MAX_QUESTION_CHARS} characters.` });
    sendServerSentEvents(streamReply(question), res, { heartbeatMs: options.heartbeatMs });
  };

  const chat = serveChatOverWebSocket(server, {
    path: '/ws',
    allowedOrigins: (origin) => sameOrigin(origin),
    streamTurn: ({ question, history }) => fromRunnable(chain, { question, history }),
    onInterrupt: 'keep-partial', // the model should know what the user already saw
    maxQuestionChars: MAX_QUESTION_CHARS,
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 3000, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
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

/** Reads a JSON body of at most `max` bytes: 413 past it (without reading the rest), 400 for bad JSON. */
async function readJsonBody(req: IncomingMessage, max: number): Promise<unknown> {
  const text = await readBodyText(req, max);
  try {
    return JSON.parse(text);
  } catch {
    throw Object.assign(new Error('Request body must be JSON like {"question": "…"}.'), { status: 400 });
  }
}

function portFromArgs(argv: string[], env: NodeJS.ProcessEnv): number {
  const i = argv.indexOf('--port');
  const raw = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith('--port='))?.slice(7) ?? env.PORT;
  if (raw === undefined) return 3000;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`--port / PORT must be an integer 0–65535, got "${raw}".`);
  return port;
}

if (require.main === module) {
  const { model, description } = createDemoModel();
  startWebDemo({ port: portFromArgs(process.argv.slice(2), process.env), model }).then(
    (demo) => {
      process.stdout.write(`Web demo on ${demo.url} (model: ${description}). Ctrl+C to stop.\n`);
      const stop = (): void => void demo.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    },
    (err: unknown) => {
      process.stderr.write(`Error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
