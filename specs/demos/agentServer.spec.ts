// `npm run agent-server`: the offline agent over the protocol, read with fromAgentServer; with
// REDIS_URL and DATABASE_URL two instances share the events and the thread state (the approval is
// answered on the other one); either URL unreachable fails at start with one message naming it.
import { lastValueFrom, toArray } from 'rxjs';
import { fromAgentServer, type StreamPart } from '../../src';
import { PostgresUnreachableError, RedisUnreachableError } from '../../src/node';
import { startAgentServer, type AgentServer } from '../../demos/agent-server/server';
import { describeWithPostgres, startPostgresServer, type PostgresServer } from '../support/postgres';
import { describeWithRedis, freePort, startRedisServer, type RedisServer } from '../support/redis';
import { useCleanup, useCleanupAfterAll } from '../support/cleanup';
import { startServices } from '../support/services';

const QUESTION = { messages: [{ role: 'user', content: 'Python 3.12 是哪天发布的？' }] };
const latency = { firstChunkDelayMs: 0, chunkDelayMs: 0 };
const text = (parts: StreamPart[]) => parts.filter((p) => p.type === 'text').map((p) => (p as { text: string }).text).join('');

async function askAndApprove(first: AgentServer, second: AgentServer): Promise<StreamPart[]> {
  const threadId = crypto.randomUUID();
  const asked = await lastValueFrom(fromAgentServer({ apiUrl: first.url, assistantId: 'agent', threadId, input: QUESTION }).pipe(toArray()));
  const request = asked.find((p) => p.type === 'approval-request') as { interruptId: string };
  expect(asked.at(-1)).toMatchObject({ type: 'finish', finishReason: 'awaiting-decision' });
  return lastValueFrom(
    fromAgentServer({ apiUrl: second.url, assistantId: 'agent', threadId, respond: { interruptId: request.interruptId, response: { decisions: [{ type: 'approve' }] } } }).pipe(toArray()),
  );
}

const cleanup = useCleanup();

describe('npm run agent-server', () => {
  it('serves the offline agent: it asks before python_release, and answers once approved', async () => {
    const server = await startAgentServer({ port: 0, latency });
    cleanup(() => server.close());
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(text(await askAndApprove(server, server))).toBe('Python 3.12 于 2023 年 10 月 2 日发布。 🐍');
  });

  it('fails fast with one message naming REDIS_URL when Redis is unreachable', async () => {
    const port = await freePort(); // nothing listens there
    const error = await startAgentServer({ port: 0, latency, redisUrl: `redis://127.0.0.1:${port}` }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisUnreachableError);
    expect((error as Error).message).toMatch(new RegExp(`^Cannot reach Redis at redis://127\\.0\\.0\\.1:${port} within 3000 ms .*\\(REDIS_URL\\)`));
  });

  it('fails fast with one message naming DATABASE_URL when Postgres is unreachable', async () => {
    const port = await freePort(); // nothing listens there
    const error = await startAgentServer({ port: 0, latency, databaseUrl: `postgresql://agents:hunter2@127.0.0.1:${port}/agents` }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PostgresUnreachableError);
    expect((error as Error).message).toMatch(new RegExp(`^Cannot use Postgres at postgresql://agents:\\*\\*\\*@127\\.0\\.0\\.1:${port}/agents within 3000 ms .*\\(DATABASE_URL\\)`));
  });
});

describeWithRedis('npm run agent-server with REDIS_URL', () => {
  describeWithPostgres('and DATABASE_URL', () => {
    let redis: RedisServer;
    let pg: PostgresServer;
    const cleanupAll = useCleanupAfterAll();
    beforeAll(async () => {
      [redis, pg] = await startServices(cleanupAll, startRedisServer, startPostgresServer);
    });

    it('two instances share the events and the thread state: the run asked on one is approved on the other', async () => {
      const databaseUrl = await pg.createDatabase();
      const a = await startAgentServer({ port: 0, latency, redisUrl: redis.url, databaseUrl });
      cleanup(() => a.close());
      const b = await startAgentServer({ port: 0, latency, redisUrl: redis.url, databaseUrl });
      cleanup(() => b.close());
      expect(text(await askAndApprove(a, b))).toBe('Python 3.12 于 2023 年 10 月 2 日发布。 🐍');
    });
  });
});
