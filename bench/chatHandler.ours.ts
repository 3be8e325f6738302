/**
 * Our side of the chat-handler bench (issue 22): `createChatHandler` mounted with `toNodeHandler`
 * in `node:http`, scaled out the documented way (docs/deploy.md) on the same redis-server as the
 * peer: `RedisReplyLog`, `RedisConversationLock`, `RedisChatHistory` (a turn in one command),
 * `RedisConversationOwners`. The model streams the same tokens with the same pacing as the peer's
 * mock; `runs` counts runs started and run to their end (a stopped run is unsubscribed before it).
 */
import { createServer, type Server } from 'node:http';
import { AIMessageChunk } from '@langchain/core/messages';
import { defer, interval, map, type Observable, take, tap } from 'rxjs';
import { createChatHandler, type ChatHandler } from '../src';
import { connectRedis, RedisChatHistory, RedisConversationLock, RedisConversationOwners, RedisReplyLog, toNodeHandler, type RedisClient } from '../src/node';
import type { ModelRuns, Script } from './chatHandler.peer';
import { LISTEN_BACKLOG } from './chatHandler.wire';

/** An instance either side: where it listens; `stop` when the side has a stop route. */
export interface ChatInstance {
  readonly url: string;
  /** Stops conversation `id`'s running reply (on this instance, whichever runs it): whether a run was stopped; undefined: the side has no stop. */
  stop?(id: string): Promise<boolean>;
  close(): Promise<void>;
}

/** POSTs `{base}/:id/stop` to the instance at `url`: whether it says a run was stopped. */
export async function stopOn(url: string, id: string, fetch: (url: string, init?: RequestInit) => Promise<Response>): Promise<boolean> {
  const response = await fetch(`${url}/api/chat/${id}/stop`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  return ((await response.json()) as { stopped?: boolean }).stopped === true;
}

/** The script's tokens as chunks, `tokenDelayMs` apart (the last with `finish_reason`), counted in `runs`. */
function scriptedStream(script: Script, runs: ModelRuns): (input: { conversationId?: string }) => Observable<AIMessageChunk> {
  const last = script.tokens.length - 1;
  return ({ conversationId }) =>
    defer(() => {
      runs.started++;
      return interval(script.tokenDelayMs).pipe(
        take(script.tokens.length),
        map((i) => new AIMessageChunk({ content: script.tokens[i], ...(i === last && { response_metadata: { finish_reason: 'stop' } }) })),
        tap({
          complete: () => {
            runs.finished++; // ran to its end: not stopped
            if (conversationId !== undefined) runs.endedAt?.set(conversationId, performance.now());
          },
        }),
      );
    });
}

/**
 * One instance of ours on a free port: the handler under `/api/chat`, and `GET /api/info` beside it
 * (a cheap route of the same server, for the "other routes while SSE clients come and go" figure).
 *
 * @param options `graceMs`: how long a finished reply stays in Redis (the bench waits it out to measure
 * memory after expiry); `maxConcurrentRuns`: this instance's cap (the bench's streams must all be
 * accepted; the default 64 would 429 most; omitted: the default, for scenario 2's second row of ours); `fetch`: the clients' HTTP, for the stop request.
 */
export async function startOurs(
  redisUrl: string,
  script: Script,
  runs: ModelRuns,
  { graceMs, maxConcurrentRuns, fetch }: { graceMs: number; maxConcurrentRuns?: number; fetch: (url: string, init?: RequestInit) => Promise<Response> },
): Promise<ChatInstance & { handler: ChatHandler }> {
  const client: RedisClient = await connectRedis(redisUrl, { log: () => undefined });
  const replyLog = new RedisReplyLog({ client, graceMs });
  const handler = createChatHandler({
    stream: scriptedStream(script, runs),
    replyLog,
    lock: new RedisConversationLock({ client }),
    owners: new RedisConversationOwners({ client }),
    history: (id) => new RedisChatHistory({ sessionId: `rxlc:conversation:{${id}}:history`, client }),
    ...(maxConcurrentRuns !== undefined && { maxConcurrentRuns }),
  });
  const chat = toNodeHandler(handler);
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/api/info') return void res.setHeader('x-handled-at', String(performance.timeOrigin + performance.now())).end('{"ok":true}');
    chat(req, res);
  });
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: LISTEN_BACKLOG }, resolve));
  const { port } = server.address() as { port: number };
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    handler,
    stop: (id) => stopOn(url, id, fetch),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await handler.close();
      await replyLog.close();
      await (client as unknown as { quit(): Promise<unknown> }).quit().catch(() => undefined);
    },
  };
}
