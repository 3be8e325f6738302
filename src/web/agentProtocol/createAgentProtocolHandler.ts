import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { SchedulerLike } from 'rxjs';
import { StoreUnavailableError } from '../../node/replyLog/errors';
import { InMemoryConversationLock } from '../../replyLog/InMemoryConversationLock';
import { InMemoryReplyLog } from '../../replyLog/InMemoryReplyLog';
import type { ConversationLock, ReplyLog } from '../../replyLog/types';
import { InMemoryConversationOwners, type ConversationOwners } from '../chatHandler/owners';
import { RunCaps } from '../chatHandler/runCaps';
import type { Authorize, ChatAllowedHosts, ChatAllowedOrigins } from '../chatHandler/types';
import { commandAction, threadAccess, type ThreadAccess } from './access';
import { requestPolicy } from '../requestPolicyMiddleware';
import { parseCommand, parseStreamFilter, runCommand } from './commands';
import { AgentProtocolRequestError } from './errors';
import { eventStreamResponse } from './eventStream';
import { compiledGraph, type AgentProtocolGraph, type CompiledGraphLike } from './graphs';
import { loadLangGraph } from './langgraph';
import { checkAgentProtocolOptions } from './options';
import { AgentProtocolService } from './service';
import { ThreadLog } from './threadLog';
import { encodeWireJson } from './wireEvents';

/** Options of {@link createAgentProtocolHandler}. */
export interface AgentProtocolHandlerOptions {
  /** Assistant ids → compiled graphs or `createAgent` agents (what `run.start`'s `assistant_id` names). */
  graphs: Record<string, AgentProtocolGraph>;
  /**
   * Given to every graph that has none (on a copy: your graph object is not changed). Default:
   * one `MemorySaver`. Share one (e.g. Postgres) between instances.
   */
  checkpointer?: unknown;
  /** Where each thread's events are kept. Default `InMemoryReplyLog`; a `RedisReplyLog` shares them between instances. */
  replyLog?: ReplyLog;
  /** One run at a time per thread. Default `InMemoryConversationLock`; a `RedisConversationLock` across instances. */
  lock?: ConversationLock;
  /**
   * Who asks, as in the chat handler: `({ request, conversationId, action })` → the principal's id,
   * or `null` to refuse with 401; `conversationId` is the thread id, `action` is `'send'`
   * (`POST /threads`, `run.start`, `input.respond`), `'resume'` (the event stream), `'stop'`
   * (cancel) or `'history'` (state, history, `state.get`). A thread belongs to the first principal
   * who sends to it or opens its stream; every other principal gets 404. Without it, thread ids are
   * capabilities: at least 16 characters of `[A-Za-z0-9_-]` (the SDK's UUIDs are).
   */
  authorize?: Authorize;
  /** Who owns each thread. Default: in memory (this instance); `RedisConversationOwners` across instances. */
  owners?: ConversationOwners;
  /** The `Host` allow-list (DNS rebinding), as the chat handler's. Default: `localhost`, `127.0.0.1`, `[::1]` on any port. */
  allowedHosts?: ChatAllowedHosts;
  /**
   * Other origins whose pages may call the handler (CORS, preflight included); a request from any
   * other site's page is a 403. Requests without `Origin` (the SDK in Node) pass. Default: the same origin only.
   */
  allowedOrigins?: ChatAllowedOrigins;
  /** Runs this instance produces at once (also those queued behind a thread's run); more get 429. Default 32. */
  maxConcurrentRuns?: number;
  /** Runs at once per principal (with `authorize`); more get 429. Default 4. */
  maxConcurrentRunsPerPrincipal?: number;
  /** `Retry-After` of a 429, whole seconds ≥ 1. Default 5. */
  retryAfterSeconds?: number;
  /** Request body cap, bytes (413 past it). Default 1 MiB. */
  maxBodyBytes?: number;
  /** Runs of a thread whose events stay replayable (with the log's `graceMs` after each run). Default 20. */
  maxRunsKept?: number;
  /** Heartbeat comment interval on event streams, ms (0: none). Default 15000. */
  heartbeatMs?: number;
  /** Frames an event stream may queue for a slow reader, bytes. Default 16 MiB (a replay of a long thread). */
  maxBufferedBytes?: number;
  /** Key prefix of the threads in the reply log. Default `agent-thread:`. */
  keyPrefix?: string;
  /** Hears errors of runs nobody waits for (a queued run that never got the lock). Default `console.error`. */
  onError?: (error: unknown) => void;
  /** Clock of run numbering, ms. Default `Date.now`. */
  now?: () => number;
  /** Scheduler of the heartbeats. Default `asyncScheduler`. */
  scheduler?: SchedulerLike;
}

/** What {@link createAgentProtocolHandler} returns: a Web-standard handler and its teardown. */
export interface AgentProtocolHandler {
  /** Answers one request (mount it anywhere: `Bun.serve`, Deno, Hono, Next.js, `@hono/node-server`). */
  fetch(request: Request): Promise<Response>;
  /** Stops this instance's runs and event streams (not the log or the lock, which you passed). */
  close(): Promise<void>;
}

/**
 * Serves LangGraph's Agent Streaming Protocol (what `@langchain/langgraph-sdk`'s `ThreadStream`
 * and `@langchain/react`'s `useStream` speak) over `graphs`, durably: each thread's events go to a
 * reply log with ids that are the same on every instance, so a client that reconnects to another
 * instance gets them again and the SDK drops what it saw; one run at a time per thread (a lock);
 * cancel and `input.respond` work from any instance. Routes (at the root of where it is mounted):
 * `POST /threads`, `POST /threads/:id/commands` (`run.start`, `input.respond`, `state.get`),
 * `POST /threads/:id/stream/events`, `GET /threads/:id/state`, `POST /threads/:id/history`,
 * `POST /threads/:id/runs/:run_id/cancel`. See docs/agent-protocol.md.
 *
 * @example
 * ```ts
 * import { createAgent } from 'langchain';
 * import { createAgentProtocolHandler } from 'rxjs-langchain';
 * import { ScriptedChatModel, createOfflineTools } from 'rxjs-langchain/offline';
 *
 * const agent = createAgent({ model: new ScriptedChatModel(), tools: createOfflineTools() });
 * const handler = createAgentProtocolHandler({ graphs: { agent } });
 * // Bun.serve({ fetch: handler.fetch }) or serve({ fetch: handler.fetch }) from @hono/node-server;
 * // then new Client({ apiUrl }).threads.stream({ assistantId: 'agent' }) from @langchain/langgraph-sdk.
 * ```
 *
 * @param options Graphs, checkpointer, reply log, lock, authorize and caps.
 * @returns `{ fetch, close }`.
 * @see fromAgentServer, the client side.
 */
export function createAgentProtocolHandler(options: AgentProtocolHandlerOptions): AgentProtocolHandler {
  checkAgentProtocolOptions(options);
  const langgraph = loadLangGraph('createAgentProtocolHandler');
  const checkpointer = options.checkpointer ?? new langgraph.web.MemorySaver();
  const graphs = new Map<string, CompiledGraphLike>(Object.entries(options.graphs).map(([id, g]) => [id, compiledGraph(id, g, checkpointer)]));
  const threadLog = new ThreadLog(options.replyLog ?? new InMemoryReplyLog(), options.keyPrefix ?? 'agent-thread:', options.maxRunsKept ?? 20, options.now ?? Date.now);
  const service = new AgentProtocolService({
    graphs,
    threadLog,
    lock: options.lock ?? new InMemoryConversationLock(),
    langgraph,
    caps: new RunCaps(options.maxConcurrentRuns ?? 32, options.maxConcurrentRunsPerPrincipal ?? 4),
    retryAfterSeconds: options.retryAfterSeconds ?? 5,
    onError: options.onError ?? ((error) => console.error(error)),
  });
  const delivery = { heartbeatMs: options.heartbeatMs ?? 15_000, maxBufferedBytes: options.maxBufferedBytes ?? 16 * 1024 * 1024, scheduler: options.scheduler };
  const access: ThreadAccess = { authorize: options.authorize, owners: options.owners ?? new InMemoryConversationOwners() };
  const app = routes(service, threadLog, langgraph, delivery, access, options);
  return {
    fetch: (request) => Promise.resolve(app.fetch(request)),
    close: async () => service.close(),
  };
}

function routes(
  service: AgentProtocolService,
  threadLog: ThreadLog,
  langgraph: ReturnType<typeof loadLangGraph>,
  delivery: Parameters<typeof eventStreamResponse>[4],
  access: ThreadAccess,
  options: AgentProtocolHandlerOptions,
): Hono {
  const app = new Hono();
  // The chat handler's request policy: Host allow-list, CORS for allowedOrigins, cross-site refusal.
  const refuse = (status: number, message: string): Response => Response.json({ error: status === 403 ? 'forbidden' : 'bad_host', message }, { status });
  const policy = requestPolicy(options, refuse, {
    allowMethods: ['GET', 'POST'],
    allowHeaders: ['content-type', 'accept', 'authorization', 'x-api-key', 'last-event-id'],
    exposeHeaders: ['retry-after', 'content-location'],
  }, 'allow');
  app.use('*', policy.host, policy.cors, policy.origin);
  const maxSize = options.maxBodyBytes ?? 1024 * 1024;
  app.use('*', bodyLimit({ maxSize, onError: (c) => c.json({ error: 'payload_too_large', message: `The body is over ${maxSize} bytes.` }, 413) }));
  const may = (c: Context, action: Parameters<typeof threadAccess>[3]): Promise<string | undefined> => threadAccess(access, c.req.raw, c.req.param('thread_id') as string, action);
  app.post('/threads', async (c) => {
    const body = await jsonBody(c);
    const threadId = body.thread_id !== undefined && body.thread_id !== '' ? (body.thread_id as string) : crypto.randomUUID();
    await threadAccess(access, c.req.raw, threadId, 'send');
    const graphId = (body.metadata as { graph_id?: unknown } | undefined)?.graph_id;
    try {
      await service.createThread(threadId, typeof graphId === 'string' ? graphId : undefined);
    } catch (error) {
      if (!(error instanceof AgentProtocolRequestError && error.status === 409 && body.if_exists === 'do_nothing')) throw error;
    }
    const now = new Date().toISOString();
    return c.json({ thread_id: threadId, created_at: now, updated_at: now, metadata: body.metadata ?? {}, status: 'idle', values: {} });
  });
  app.post('/threads/:thread_id/commands', async (c) => {
    const body = await jsonBody(c);
    const command = parseCommand(body);
    const threadId = c.req.param('thread_id');
    try {
      const principal = await may(c, commandAction(command.method));
      // Read before the command: a run it starts numbers its events above this.
      const appliedThrough = command.method === 'run.start' || command.method === 'input.respond' ? await threadLog.appliedThroughSeq(threadId) : undefined;
      const result = await runCommand(service, threadId, command.method, command.params, principal);
      const meta = appliedThrough === undefined ? {} : { meta: { thread_id: threadId, applied_through_seq: appliedThrough } };
      return c.json({ type: 'success', id: command.id, result, ...meta });
    } catch (error) {
      if (!(error instanceof AgentProtocolRequestError)) throw error;
      return c.json({ type: 'error', id: command.id, error: error.protocolCode, message: error.message }, error.status as 200, error.headers);
    }
  });
  const stream = async (c: Context): Promise<Response> => {
    await may(c, 'resume');
    return eventStreamResponse(threadLog, c.req.param('thread_id') as string, parseStreamFilter(await jsonBody(c)), langgraph, delivery);
  };
  app.post('/threads/:thread_id/stream/events', stream);
  app.post('/threads/:thread_id/stream', stream);
  app.get('/threads/:thread_id/state', async (c) => {
    await may(c, 'history');
    const state = await service.state(c.req.param('thread_id'));
    return state ? jsonResponse(state.json) : c.json({ error: 'not_found', message: `Thread ${c.req.param('thread_id')} not found.` }, 404);
  });
  app.post('/threads/:thread_id/history', async (c) => {
    await may(c, 'history');
    const history = await service.history(c.req.param('thread_id'), await jsonBody(c));
    return history ? jsonResponse(history) : c.json({ error: 'not_found', message: `Thread ${c.req.param('thread_id')} not found.` }, 404);
  });
  app.post('/threads/:thread_id/runs/:run_id/cancel', async (c) => {
    await may(c, 'stop');
    await service.cancel(c.req.param('thread_id'), c.req.param('run_id'));
    return c.body(null, 204);
  });
  app.onError((error, c) => {
    if (error instanceof AgentProtocolRequestError) return c.json({ type: 'error', id: null, error: error.protocolCode, message: error.message }, error.status as 400, error.headers);
    (options.onError ?? console.error)(error);
    // A store down, full or too slow: 503 with Retry-After, so a client tries again instead of giving up.
    if (error instanceof StoreUnavailableError) return c.json({ error: 'unavailable', message: 'A backing store is not available; try again shortly.' }, 503, { 'retry-after': String(options.retryAfterSeconds ?? 5) });
    return c.json({ error: 'internal_error', message: 'The server failed to answer this request.' }, 500);
  });
  return app;
}

/** The request's JSON object body; 400 for anything else (an empty body is `{}`). */
async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new AgentProtocolRequestError(400, 'invalid_argument', 'The body is not valid JSON.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AgentProtocolRequestError(400, 'invalid_argument', 'The body must be a JSON object.');
  return body as Record<string, unknown>;
}

/** JSON with LangChain messages encoded as dicts. */
function jsonResponse(value: unknown): Response {
  return new Response(encodeWireJson(value), { headers: { 'content-type': 'application/json' } });
}
