/**
 * Issue 24's bench: N concurrent runs of the same agent (bench/agentProtocol.graph.ts: the offline
 * agent, one tool call, the answer streamed token by token with the same pacing) driven by
 * `@langchain/langgraph-sdk`'s own protocol client (`ThreadStream`), against
 *
 * - ours: two `createAgentProtocolHandler` instances (RedisReplyLog + RedisConversationLock, thread
 *   state in Postgres through `connectPostgresCheckpointer`) over one redis-server and one Postgres
 *   cluster the bench starts the way specs do; the clients alternate instances, and a dropper
 *   reconnects to the OTHER instance;
 * - the peer: `@langchain/langgraph-api` 1.5.1's own server in memory, one instance (its queue
 *   workers = N, so no run waits for a worker; ours gets `maxConcurrentRuns` = N per instance).
 *
 * Fairness: each side's servers run in a child process of their own (same loader, tsx, same
 * --expose-gc), one side after the other, the peer first; the clients run in this process for both.
 * Each side first runs an unmeasured warm-up. Memory is the server process's (RSS from /proc, heap
 * after a full GC in the child) plus, for ours, what Redis and Postgres hold (`used_memory`,
 * `pg_database_size`): all deltas over the measured runs, divided by N.
 *
 * N=200 is the issue's size (`N=200 npm run bench -- agentProtocol`); the default is 20 for a quick
 * run. DROP_EVERY (default 5): every 5th client drops mid-run. Needs redis-server and Postgres; says
 * so in one line and skips without them.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { POSTGRES_SKIP_MESSAGE, startPostgresServer, type PostgresServer } from '../specs/support/postgres';
import { REDIS_SKIP_MESSAGE, redisServerPath, startRedisServer, type RedisServer } from '../specs/support/redis';
import { treeCpuMsOf } from './agentProtocol.cpu';
import { closeClientConnections } from './agentProtocol.link';
import { printFigures } from './agentProtocol.print';
import { startServerProcess } from './agentProtocol.process';
import { measureSide, type ServiceBytes, type SideFigures } from './agentProtocol.side';

const SIZE = Number(process.env.N ?? 20);
const DROP_EVERY = Number(process.env.DROP_EVERY ?? 5);
const WARMUP = Math.min(20, SIZE);
const PACING = { BENCH_FIRST_CHUNK_MS: process.env.BENCH_FIRST_CHUNK_MS ?? '20', BENCH_CHUNK_MS: process.env.BENCH_CHUNK_MS ?? '8' };

async function peerSide(): Promise<SideFigures> {
  const cwd = mkdtempSync(join(tmpdir(), 'rxlc-bench-langgraph-api-'));
  const server = await startServerProcess(join(__dirname, 'agentProtocol.peer.server.mts'), [cwd, String(SIZE + WARMUP)], { ...PACING, LOG_LEVEL: 'error' });
  try {
    return await measureSide({ name: 'peer', server }, SIZE, WARMUP, DROP_EVERY);
  } finally {
    await server.stop();
    rmSync(cwd, { recursive: true, force: true });
  }
}

async function ourSide(redis: RedisServer, pg: PostgresServer): Promise<SideFigures> {
  const databaseUrl = await pg.createDatabase('bench');
  const admin = await redis.client();
  const db = pg.pool(databaseUrl);
  const services = async (): Promise<ServiceBytes> => ({
    redis: Number(/used_memory:(\d+)/.exec(await admin.info('memory'))![1]),
    postgres: Number((await db.query('SELECT pg_database_size(current_database())::bigint AS n')).rows[0].n),
  });
  const postmaster = Number(readFileSync(join(pg.socketDir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const servicesCpuMs = async (): Promise<number> => {
    const cpu = await admin.info('cpu');
    const seconds = (name: string): number => Number(new RegExp(`${name}:([\\d.]+)`).exec(cpu)![1]);
    return (seconds('used_cpu_sys') + seconds('used_cpu_user')) * 1000 + treeCpuMsOf(postmaster);
  };
  const server = await startServerProcess(join(__dirname, 'agentProtocol.ours.server.ts'), [redis.url, databaseUrl, String(SIZE + WARMUP)], PACING);
  try {
    return await measureSide({ name: 'ours', server, services, servicesCpuMs }, SIZE, WARMUP, DROP_EVERY);
  } finally {
    await server.stop();
  }
}

export async function run(): Promise<void> {
  if (!redisServerPath) return void console.log(REDIS_SKIP_MESSAGE);
  if (POSTGRES_SKIP_MESSAGE) return void console.log(POSTGRES_SKIP_MESSAGE);
  const [redis, pg] = await Promise.all([startRedisServer(), startPostgresServer()]);
  const load = loadavg()[0];
  try {
    console.log(`N=${SIZE} concurrent runs (the issue's size is 200: N=200), warm-up ${WARMUP} runs per side, 1 client in ${DROP_EVERY} drops mid-run and reconnects; ` +
      `pacing ${PACING.BENCH_FIRST_CHUNK_MS} ms to a model call's first chunk, ${PACING.BENCH_CHUNK_MS} ms between chunks; load average ${load.toFixed(2)} at the start.\n`);
    const peer = await peerSide();
    console.log(`peer measured (${(peer.wallMs / 1000).toFixed(1)} s for the N runs, load ${loadavg()[0].toFixed(2)})`);
    const ours = await ourSide(redis, pg);
    console.log(`ours measured (${(ours.wallMs / 1000).toFixed(1)} s for the N runs, load ${loadavg()[0].toFixed(2)})\n`);
    printFigures(SIZE, ours, peer);
    console.log(`\nLoad average ${load.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end (1 min).`);
  } finally {
    await closeClientConnections();
    await Promise.all([redis.stop(), pg.stop()]);
  }
}
