// `npm run agent-server`: the offline agent over the protocol, read with fromAgentServer; with
// REDIS_URL two instances share the events (the approval is answered on the other one).
import { MemorySaver } from '@langchain/langgraph';
import { lastValueFrom, toArray } from 'rxjs';
import { fromAgentServer, type StreamPart } from '../../src';
import { startAgentServer, type AgentServer } from '../../demos/agent-server/server';
import { describeWithRedis, startRedisServer, type RedisServer } from '../support/redis';

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

describe('npm run agent-server', () => {
  it('serves the offline agent: it asks before python_release, and answers once approved', async () => {
    const server = await startAgentServer({ port: 0, latency });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(text(await askAndApprove(server, server))).toBe('Python 3.12 于 2023 年 10 月 2 日发布。 🐍');
    } finally {
      await server.close();
    }
  });

  it('fails fast with a clear message when REDIS_URL is unreachable', async () => {
    await expect(startAgentServer({ port: 0, latency, redisUrl: 'redis://127.0.0.1:1' })).rejects.toThrow(/REDIS_URL=redis:\/\/127\.0\.0\.1:1: cannot connect to Redis/);
  });
});

describeWithRedis('npm run agent-server with REDIS_URL', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(() => redis.stop());

  it('two instances share the events: the run asked on one is approved on the other (thread state shared in process)', async () => {
    const checkpointer = new MemorySaver();
    const a = await startAgentServer({ port: 0, latency, redisUrl: redis.url, checkpointer });
    const b = await startAgentServer({ port: 0, latency, redisUrl: redis.url, checkpointer });
    try {
      expect(text(await askAndApprove(a, b))).toBe('Python 3.12 于 2023 年 10 月 2 日发布。 🐍');
    } finally {
      await a.close();
      await b.close();
    }
  });
});
