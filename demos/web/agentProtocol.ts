/**
 * The web demo's 智能体协议 mode, server side: `createAgentProtocolHandler` serving the offline
 * agent (an approval before `python_release`) under `/api/agent`, where the page's `useStream`
 * (`@langchain/react`) points its `apiUrl`. The SDK keeps the path of `apiUrl` and puts the
 * protocol's routes (`/threads/…`) after it; Hono's `mount` takes the prefix off again, so the
 * handler sees its routes at the root, as it expects (docs/web.md).
 */
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { IncomingMessage } from 'node:http';
import type { Hono } from 'hono';
import { mount } from 'hono/mount';
import { createAgentProtocolHandler, type AgentProtocolHandler } from '../../src';
import { checkRequest } from '../../src/node';
import { offlineAgent } from '../lib/offlineAgent';
import { AGENT_PROTOCOL_PATH } from './paths';
import type { RequestPolicy } from './routes';
import type { ScaleOut } from './scaleOut';
import type { WebDemoOptions } from './types';

export { AGENT_PROTOCOL_PATH };

/**
 * The protocol handler of one web demo instance. Its events, and the one-run-per-thread lock, go
 * to the demo's reply log and lock (Redis with `REDIS_URL`: instances share them, under their own
 * key prefix); thread state to `options.agentProtocol.checkpointer`, else the demo's Postgres
 * (`DATABASE_URL`, ./threadState.ts), else this process.
 * The agent runs on the demo's model (offline unless OPENAI_API_KEY is set) unless a graph is given.
 */
export function createDemoAgentProtocol(options: WebDemoOptions, scale: Pick<ScaleOut, 'log' | 'lock' | 'threads'>, model: BaseChatModel): AgentProtocolHandler {
  const graph = options.agentProtocol?.graph ?? offlineAgent({ model });
  return createAgentProtocolHandler({
    graphs: { agent: graph },
    checkpointer: options.agentProtocol?.checkpointer ?? scale.threads?.agentProtocol,
    replyLog: scale.log,
    lock: scale.lock,
    heartbeatMs: options.heartbeatMs,
  });
}

/**
 * Mounts `handler` on `app` under {@link AGENT_PROTOCOL_PATH}, behind the demo's request policy:
 * the Host (every route already checks it) and, for what starts or answers a run, the Origin, as
 * the chat routes do (a page of another site gets 403). Reading state (`GET`) runs no model.
 */
export function mountAgentProtocol(app: Hono<{ Bindings: { incoming: IncomingMessage } }>, handler: AgentProtocolHandler, policy: RequestPolicy): void {
  app.use(`${AGENT_PROTOCOL_PATH}/*`, async (c, next) => {
    const refusal = checkRequest(c.env.incoming, { ...policy, runsModel: c.req.method !== 'GET' });
    if (refusal) return c.json({ error: refusal.message }, refusal.status as 403);
    await next();
  });
  app.all(`${AGENT_PROTOCOL_PATH}/*`, mount((request) => handler.fetch(request)));
}
