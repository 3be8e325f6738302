/**
 * Our side of the agent-protocol bench, in its own process: two instances of
 * `createAgentProtocolHandler` on two ports, each with what a separate process would have — its own
 * Redis client (RedisReplyLog + RedisConversationLock), its own `PostgresSaver` pool
 * (`connectPostgresCheckpointer`) and its own agent object — over one redis-server and one Postgres
 * database. argv: <redisUrl> <databaseUrl> <maxConcurrentRuns>. Started by bench/agentProtocol.process.ts.
 */
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createAgentProtocolHandler } from '../src';
import { connectPostgresCheckpointer, connectRedis, RedisConversationLock, RedisReplyLog } from '../src/node';
import { createBenchAgent } from './agentProtocol.graph';
import { serveBenchRequests } from './agentProtocol.child';

/** One instance on a free port; resolves to its URL and its teardown. */
async function instance(redisUrl: string, databaseUrl: string, maxConcurrentRuns: number): Promise<{ url: string; close(): Promise<void> }> {
  const client = await connectRedis(redisUrl, { log: () => undefined });
  const replyLog = new RedisReplyLog({ client });
  // Sized for the bench's burst (decision 0295): with the defaults (10 connections, 5 s) a run that waits
  // over 5 s for a pooled connection fails ("timeout exceeded when trying to connect").
  const checkpointer = await connectPostgresCheckpointer(databaseUrl, {
    maxConnections: Number(process.env.BENCH_PG_CONNECTIONS ?? 20),
    connectTimeoutMs: Number(process.env.BENCH_PG_CONNECT_TIMEOUT_MS ?? 60_000),
  });
  const handler = createAgentProtocolHandler({
    graphs: { agent: createBenchAgent() },
    replyLog,
    lock: new RedisConversationLock({ client }),
    checkpointer,
    maxConcurrentRuns, // the default 32 would refuse most of the bench's runs with 429
  });
  const server: ServerType = serve({ fetch: handler.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      await handler.close();
      (server as unknown as { closeAllConnections(): void }).closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await replyLog.close();
      await checkpointer.end();
      await (client as unknown as { quit(): Promise<unknown> }).quit().catch(() => undefined);
    },
  };
}

async function main(): Promise<void> {
  const [redisUrl, databaseUrl, cap] = process.argv.slice(2);
  const a = await instance(redisUrl, databaseUrl, Number(cap));
  const b = await instance(redisUrl, databaseUrl, Number(cap));
  serveBenchRequests([a.url, b.url], () => Promise.all([a.close(), b.close()]));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
