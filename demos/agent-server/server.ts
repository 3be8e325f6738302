/**
 * The offline agent (an approval before `python_release`) over LangGraph's Agent Streaming
 * Protocol: what `@langchain/langgraph-sdk`'s client and `@langchain/react`'s `useStream` speak.
 *
 *   npm run agent-server -- [--port 2024] [--host 127.0.0.1] [--graph ./path/to/file.ts:export]
 *   REDIS_URL=redis://127.0.0.1:6379 DATABASE_URL=postgresql://127.0.0.1:5432/agents npm run agent-server -- --port 2025
 *
 * With REDIS_URL instances share the events and the lock; with DATABASE_URL the thread state
 * (LangGraph's PostgresSaver). Either one that cannot be reached fails at start, naming its URL.
 * `--graph FILE:EXPORT` serves a module's compiled graph or `createAgent` agent instead, under the
 * assistant id `agent` (like `langgraphjs dev`'s graph paths). See docs/agent-protocol.md.
 */
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { createAgentProtocolHandler, type AgentProtocolGraph, type AgentProtocolHandler } from '../../src';
import {
  connectPostgresCheckpointer,
  connectRedis,
  RedisConversationLock,
  RedisReplyLog,
  type ConversationLock,
  type PostgresCheckpointer,
  type ReplyLog,
} from '../../src/node';
import { offlineAgent } from '../lib/offlineAgent';

export { offlineAgent } from '../lib/offlineAgent';

/** Options of {@link startAgentServer}. */
export interface AgentServerOptions {
  port?: number;
  host?: string;
  /** `FILE:EXPORT` of a module exporting a graph or agent; default the offline agent. */
  graph?: string;
  /** Redis for the events and the lock (shared by instances); default in memory. */
  redisUrl?: string;
  /** Postgres for the thread state (LangGraph's PostgresSaver, shared by instances); default `checkpointer`. */
  databaseUrl?: string;
  /** Thread state (a LangGraph checkpointer) when there is no `databaseUrl`; default in memory. */
  checkpointer?: unknown;
  /** Offline model latency; default `REALISTIC_LATENCY`. */
  latency?: { firstChunkDelayMs: number; chunkDelayMs: number };
}

/** A running agent server. */
export interface AgentServer {
  readonly url: string;
  readonly handler: AgentProtocolHandler;
  close(): Promise<void>;
}

async function loadGraph(spec: string): Promise<AgentProtocolGraph> {
  const at = spec.lastIndexOf(':');
  const [file, name] = at > 1 ? [spec.slice(0, at), spec.slice(at + 1)] : [spec, 'default'];
  const module = (await import(resolve(file))) as Record<string, unknown>;
  const graph = module[name] ?? (module.default as Record<string, unknown> | undefined)?.[name];
  if (!graph) throw new Error(`--graph ${spec}: ${file} exports no ${JSON.stringify(name)}.`);
  return graph as AgentProtocolGraph;
}

interface SharedState {
  replyLog?: ReplyLog;
  lock?: ConversationLock;
  checkpointer?: unknown;
  close(): Promise<void>;
}

/**
 * Redis (events, lock) and Postgres (thread state) when their URLs are given; each fails fast with
 * one message naming its URL (RedisUnreachableError, PostgresUnreachableError).
 */
async function sharedState(redisUrl: string | undefined, databaseUrl: string | undefined): Promise<SharedState> {
  const log = (line: string): void => void process.stderr.write(`${line}\n`); // one line per outage
  const client = redisUrl ? await connectRedis(redisUrl, { connectTimeoutMs: 3000, log }) : undefined;
  const quit = async (): Promise<unknown> => client && (client as unknown as { quit(): Promise<unknown> }).quit().catch(() => undefined);
  let checkpointer: PostgresCheckpointer | undefined;
  try {
    checkpointer = databaseUrl ? await connectPostgresCheckpointer(databaseUrl, { connectTimeoutMs: 3000, log }) : undefined;
  } catch (error) {
    await quit();
    throw error;
  }
  const replyLog = client ? new RedisReplyLog({ client }) : undefined;
  return {
    replyLog,
    lock: client ? new RedisConversationLock({ client }) : undefined,
    checkpointer,
    async close() {
      await replyLog?.close();
      await quit();
      await checkpointer?.end();
    },
  };
}

/**
 * Starts the protocol server on `host:port` (default 127.0.0.1:2024; port 0 picks a free one).
 *
 * @param options Port, host, graph, Redis, Postgres.
 * @returns The server's URL, its handler and `close()`.
 */
export async function startAgentServer(options: AgentServerOptions = {}): Promise<AgentServer> {
  const graph = options.graph ? await loadGraph(options.graph) : offlineAgent({ latency: options.latency });
  const shared = await sharedState(options.redisUrl, options.databaseUrl);
  const checkpointer = shared.checkpointer ?? options.checkpointer;
  const handler = createAgentProtocolHandler({ graphs: { agent: graph }, checkpointer, replyLog: shared.replyLog, lock: shared.lock });
  const host = options.host ?? '127.0.0.1';
  const server = serve({ fetch: handler.fetch, port: options.port ?? 2024, hostname: host });
  await new Promise<void>((ready, fail) => {
    server.once('listening', () => ready());
    server.once('error', fail);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    handler,
    async close() {
      await handler.close();
      (server as unknown as { closeAllConnections(): void }).closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      await shared.close();
    },
  };
}

function argument(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const rawPort = argument(argv, 'port') ?? process.env.PORT ?? '2024';
  const port = Number(rawPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port must be an integer 0–65535, got "${rawPort}".\n`);
    process.exit(1);
  }
  const redisUrl = process.env.REDIS_URL || undefined;
  const databaseUrl = process.env.DATABASE_URL || undefined;
  startAgentServer({ port, host: argument(argv, 'host'), graph: argument(argv, 'graph'), redisUrl, databaseUrl }).then(
    (server) => {
      const where = `events ${redisUrl ? 'in Redis' : 'in memory'}, thread state ${databaseUrl ? 'in Postgres' : 'in memory'}`;
      process.stdout.write(`Agent protocol server on ${server.url} (assistant "agent"; ${where}). Ctrl+C to stop.\n`);
      const stop = (): void => void server.close();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
