import { InMemoryChatMessageHistory, type BaseListChatMessageHistory } from '@langchain/core/chat_history';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { InMemoryConversationLock } from '../../replyLog/InMemoryConversationLock';
import { InMemoryReplyLog } from '../../replyLog/InMemoryReplyLog';
import { DEFAULT_MAX_QUESTION_CHARS } from '../checkQuestion';
import { Conversations } from './conversations';
import { StoreUnavailableError } from '../../node/replyLog/errors';
import { ChatRequestError } from './errors';
import { checkChatHandlerOptions, decisionRefusal, streamOf } from './options';
import { threadStateOf } from './agentStream';
import { InMemoryConversationOwners } from './owners';
import { requestPolicy } from '../requestPolicyMiddleware';
import type { RouteContext } from './routeContext';
import { RunCaps } from './runCaps';
import { sseRoutes } from './sseRoutes';
import type { ChatHandler, ChatHandlerOptions } from './types';
import { uiRoutes } from './uiRoutes';
import { askOverWire, decideOverWire, stopOverWire } from './wireTurns';

/**
 * A chat back end as one Web-standard handler, `{ fetch(request) }`: mount it in a Next.js
 * route handler, Hono, Deno, Bun, a worker, or Node (`toNodeHandler`, `rxjs-langchain/node`).
 * Routes under `basePath` (default `/api/chat`, what `useChat` calls):
 *
 * - `POST {base}`: the AI SDK body `{ id, messages, trigger }` → the UI message stream, a turn of
 *   conversation `id` (its lock, its history, its reply log); without `id` a one-off reply.
 *   Of `messages` only the new user message is read: the server's history is the conversation.
 * - `GET {base}/:id/stream`: `DefaultChatTransport.reconnectToStream` (replay, then the live tail; 204 when nothing runs).
 * - `POST {base}/:id/stop`: stops that conversation's reply on whichever instance runs it.
 * - `GET {base}/:id/history`: the conversation as `UIMessage`s.
 * - `POST {base}/stream` `{ question, conversationId? }` and `GET {base}/stream?conversationId=…`
 *   (resume with `Last-Event-ID`): the library's SSE framing (`fromServerSentEvents`).
 *
 * A turn runs on whether or not its client stays (a stop ends it), so it counts against
 * `maxConcurrentRuns` until it ends; past a cap the answer is 429 with `Retry-After` and nothing
 * runs. With `authorize`, a conversation belongs to the principal that started it and is a
 * 404 for everyone else; without it, ids are capabilities (≥ 16 characters). Anything else under
 * `basePath` is a 404; bad bodies 400, 413 or 415 with one message (docs/deploy.md).
 *
 * @example
 * ```ts
 * // app/api/chat/[[...route]]/route.ts (Next.js)
 * import { ChatOpenAI } from '@langchain/openai';
 * import { createChatHandler } from 'rxjs-langchain';
 *
 * declare function sessionOf(request: Request): Promise<{ userId: string } | null>; // your session store
 *
 * const chat = createChatHandler({
 *   model: new ChatOpenAI({ model: 'gpt-4o-mini' }),
 *   system: 'You are a helpful assistant.',
 *   allowedHosts: ['chat.example.com'],
 *   authorize: async ({ request }) => (await sessionOf(request))?.userId ?? null,
 * });
 * export const GET = chat.fetch;
 * export const POST = chat.fetch;
 * ```
 *
 * @param options The reply (`model`, `agent` or `stream`), where conversations live (`history`,
 *   `replyLog`, `lock`, `owners`), who may touch them (`authorize`), caps, limits, the request policy.
 * @returns The handler: `fetch`, `runs` (now), `close()`.
 * @see toNodeHandler
 * @see InMemoryReplyLog
 */
export function createChatHandler(options: ChatHandlerOptions): ChatHandler {
  checkChatHandlerOptions(options);
  const histories = new Map<string, BaseListChatMessageHistory>();
  const ownLog = options.replyLog === undefined ? new InMemoryReplyLog() : undefined;
  const conversations = new Conversations({
    stream: streamOf(options),
    system: options.system,
    history:
      options.history ??
      ((id) => {
        let history = histories.get(id);
        if (!history) {
          histories.set(id, (history = new InMemoryChatMessageHistory()));
          if (histories.size > 10_000) histories.delete(histories.keys().next().value as string); // the oldest goes
        }
        return history;
      }),
    log: options.replyLog ?? (ownLog as InMemoryReplyLog),
    lock: options.lock ?? new InMemoryConversationLock({ waitMs: 10_000 }),
    owners: options.owners ?? new InMemoryConversationOwners(),
    caps: new RunCaps(options.maxConcurrentRuns ?? 64, options.maxConcurrentRunsPerPrincipal ?? 4),
    retryAfterSeconds: options.retryAfterSeconds ?? 5,
    maxMessages: options.maxMessages ?? 10,
    errorText: options.errorText ?? ((error) => (error instanceof Error ? error.message : String(error))),
    onFinish: options.onFinish,
    toolApprovalSecret: options.toolApprovalSecret,
    decisionRefusal: decisionRefusal(options),
    threadState: threadStateOf(options.agent),
  });
  const ctx: RouteContext = {
    conversations,
    authorize: options.authorize,
    heartbeatMs: options.heartbeatMs ?? 15_000,
    maxQuestionChars: options.maxQuestionChars ?? DEFAULT_MAX_QUESTION_CHARS,
  };
  const app = routes(options, ctx);
  return {
    fetch: async (request) => app.fetch(request),
    ask: (input) => askOverWire(conversations, options.authorize, ctx.maxQuestionChars, input),
    decide: (input) => decideOverWire(conversations, options.authorize, input),
    stop: (input) => stopOverWire(conversations, options.authorize, input),
    get runs() {
      return conversations.config.caps.runs;
    },
    async close() {
      conversations.close();
      await ownLog?.close();
    },
  };
}

/** The Hono app: the request policy first, then the routes, then one JSON shape for every refusal. */
function routes(options: ChatHandlerOptions, ctx: RouteContext): Hono {
  const basePath = options.basePath ?? '/api/chat';
  const app = new Hono({ strict: false }).basePath(basePath);
  const refuse = (status: number, message: string, headers: Record<string, string> = {}): Response =>
    Response.json({ error: message }, { status, headers: { 'cache-control': 'no-store', ...headers } });
  const policy = requestPolicy(options, refuse, {
    allowMethods: ['GET', 'POST'],
    allowHeaders: ['content-type', 'last-event-id', 'x-requested-with', 'authorization'],
    exposeHeaders: ['retry-after', 'x-vercel-ai-ui-message-stream'],
  });
  app.use('*', policy.host);
  app.use('*', policy.cors);
  // A wrong method is a 405 before any other check (registered first, these answer first).
  for (const [path, allow] of [['/', 'POST'], ['/stream', 'GET, HEAD, POST'], ['/:id/stream', 'GET, HEAD'], ['/:id/stop', 'POST'], ['/:id/history', 'GET, HEAD']]) {
    const other = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH'].filter((method) => !allow.split(', ').includes(method));
    app.on(other, path, () => refuse(405, `Use ${allow}.`, { allow }));
  }
  app.use('*', policy.origin);
  const tooLarge = (limit: number) => (): never => {
    throw new ChatRequestError(413, `The request body is over ${limit} bytes.`, { connection: 'close' });
  };
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  const maxQuestionBody = options.maxQuestionBodyBytes ?? 16 * 1024;
  sseRoutes(app, ctx, maxQuestionBody, tooLarge(maxQuestionBody));
  uiRoutes(app, ctx, maxBody, tooLarge(maxBody));
  app.notFound((c) => refuse(404, `Not found: ${c.req.method} ${new URL(c.req.url).pathname}`));
  app.onError((error) => {
    if (error instanceof ChatRequestError) return refuse(error.status, error.message, { ...error.headers });
    if (error instanceof HTTPException) return refuse(error.status, error.message || 'Bad request.');
    // A store down, full or too slow is not the server's bug: 503, try again later (nothing was saved as complete).
    const retryAfter = String(ctx.conversations.config.retryAfterSeconds);
    if (error instanceof StoreUnavailableError) return refuse(503, ctx.conversations.config.errorText(error), { 'retry-after': retryAfter });
    return refuse(500, ctx.conversations.config.errorText(error));
  });
  return app;
}
