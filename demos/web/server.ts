/**
 * Web demo (tutorial examples 9 and 10), an app of `createChatHandler`: a chat page that streams
 * replies over Server-Sent Events, a WebSocket, or the AI SDK's UI message stream (`useChat`),
 * with a Stop button. Every chat route is the handler's (docs/deploy.md); this file adds the
 * page (./routes.ts), the WebSocket and the model.
 *
 *   npm run web -- [--port 3000]   (or PORT=3000)
 *   npm run web -- --agent         (every mode chats with an agent whose tools wait for 批准 / 拒绝)
 *   REDIS_URL=redis://127.0.0.1:6379 npm run web -- --port 3001   (instances share Redis)
 *   REDIS_URL=… DATABASE_URL=postgresql://127.0.0.1:5432/app npm run web -- --agent   (and the agents' threads)
 *
 * Offline model by default; ChatOpenAI when OPENAI_API_KEY is set (demos/model.ts).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createChatHandler, fromRunnable } from '../../src';
import { serveChatOverWebSocket, toNodeHandler } from '../../src/node';
import { describeChatError } from '../../src/cli/describeError';
import { createDemoModel } from '../model';
import { createGuardedAgent } from './agent';
import { createDemoAgentProtocol, mountAgentProtocol } from './agentProtocol';
import { webArgsOrExit } from './args';
import { createChatChain, demoStream } from './replies';
import { demoRoutes, type RequestPolicy } from './routes';
import { createScaleOut, scaleOutFromEnv } from './scaleOut';
import type { WebDemo, WebDemoOptions } from './types';

export { AGENT_SYSTEM_PROMPT, createChatChain } from './replies';
export type { WebDemo, WebDemoOptions } from './types';

/**
 * Starts the web demo: the page, `GET /api/info`, the chat handler's routes under `/api/chat`
 * (SSE, the AI SDK's, resume, stop) and the WebSocket chat on `/ws` (an `ask` / `stop` with a
 * `conversationId` is the handler's turn). Binds 127.0.0.1; answers only to its own address and
 * `localhost` (421) and same-origin or non-browser requests (403); a busy port rejects with a hint.
 *
 * @example
 * ```ts
 * const demo = await startWebDemo({ port: 0, model: new ScriptedChatModel() });
 * console.log(demo.url);
 * await demo.close();
 * ```
 *
 * @param options Port, host, model, caps and timeouts, where conversations live, the Host / Origin policy.
 * @returns The running demo: its URL, the server, the WebSocket endpoint and `close()`.
 */
export async function startWebDemo(options: WebDemoOptions = {}): Promise<WebDemo> {
  const { host = '127.0.0.1', port = 3000 } = options;
  const described = options.model ? { model: options.model, description: options.model.getName(), baseURL: options.baseURL } : createDemoModel();
  const errorText = (error: unknown): string => describeChatError(error, { baseURL: options.baseURL ?? described.baseURL });
  const policy: RequestPolicy = { allowedHosts: options.allowedHosts, allowedOrigins: options.allowedOrigins };
  const scale = options.conversations ?? (await createScaleOut(options.scaleOut));
  const handler = createChatHandler({
    // --agent: the handler runs the guarded agent on the conversation's thread and takes the decisions.
    ...(options.approvals ? createGuardedAgent(described.model, scale.threads?.chat) : { stream: demoStream(described.model, options.agent) }),
    ...scale.stores,
    allowedHosts: 'any', // the app checks every request's Host (./routes.ts)
    allowedOrigins: Array.isArray(options.allowedOrigins) ? options.allowedOrigins : undefined,
    maxBodyBytes: options.maxChatBodyBytes,
    maxQuestionBodyBytes: options.maxBodyBytes,
    heartbeatMs: options.heartbeatMs,
    errorText,
  });
  const { headersTimeoutMs = 10_000, requestTimeoutMs = 30_000 } = options;
  // How often Node looks for connections past those timeouts (its default, 30 s, would dwarf them).
  const timeouts = { headersTimeout: headersTimeoutMs, requestTimeout: requestTimeoutMs, connectionsCheckingInterval: Math.min(1000, headersTimeoutMs, requestTimeoutMs) };
  const agentProtocol = createDemoAgentProtocol(options, scale, described.model);
  const app = demoRoutes(handler, described.description, policy);
  mountAgentProtocol(app, agentProtocol, policy); // the 智能体协议 mode's useStream, under /api/agent
  const server = createServer(timeouts, toNodeHandler(app));
  const chat = serveChatOverWebSocket(server, {
    path: '/ws',
    ...policy,
    streamTurn: ({ question, history }) => fromRunnable(createChatChain(described.model), { question, history }),
    onIncomplete: 'keep-partial', // the model should know what the user already saw
    errorData: (error) => ({ name: error instanceof Error ? error.name : 'Error', message: errorText(error), ...codeOf(error) }),
    chat: handler, // an ask / stop with a conversationId: the handler's turn (decision 0176)
  });
  const closeAll = async (): Promise<void> => {
    await handler.close(); // aborts the models; readers are told the reply was abandoned
    await agentProtocol.close();
    await chat.close();
    if (!options.conversations) await scale.close();
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => void closeAll().then(() => reject(error.code === 'EADDRINUSE' ? portInUse(port, host, error) : error)));
    server.listen({ port, host, backlog: 4096 }, () => resolve()); // a burst of clients waits, not SYNs lost (docs/deploy.md)
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    server,
    chat,
    state: scale.kind,
    threads: scale.threads?.kind ?? 'memory',
    async close() {
      server.closeAllConnections();
      await Promise.all([new Promise<void>((resolve) => server.close(() => resolve())), closeAll()]);
    },
  };
}

const codeOf = (error: unknown): { code?: string } => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? { code } : {};
};

function portInUse(port: number, host: string, cause: Error): Error {
  return new Error(`Port ${port} on ${host} is already in use (another server is running there). Pick another with --port <n> or PORT=<n> (0 picks a free one).`, { cause });
}

/** The port from `--port <n>`, `--port=<n>` or `PORT`; default 3000. */
export function portFromArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): number {
  const i = argv.indexOf('--port');
  const raw = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith('--port='))?.slice(7) ?? env.PORT;
  if (raw === undefined) return 3000;
  const port = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`--port / PORT must be an integer 0–65535, got "${raw}".`);
  return port;
}

if (require.main === module) {
  const { port, agent } = webArgsOrExit(process.argv.slice(2)); // bad flags: one line, the usage, exit 2 (./args.ts)
  const model = createDemoModel();
  Promise.resolve()
    .then(() => startWebDemo({ port, model: model.model, baseURL: model.baseURL, scaleOut: scaleOutFromEnv(process.env), approvals: agent }))
    .then(
      (demo) => {
        process.stdout.write(`Web demo on ${demo.url} (model: ${model.description}${agent ? ', an agent whose tools ask first' : ''}; conversations in ${demo.state === 'redis' ? 'Redis' : 'memory'}, threads in ${demo.threads === 'postgres' ? 'Postgres' : 'memory'}). Ctrl+C to stop.\n`);
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
