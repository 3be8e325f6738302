/**
 * A store that cannot take the turn answers 503 with Retry-After, not 500 (issue 22, "sane fault
 * behaviour"): Redis full (`maxmemory` with `noeviction`) refuses the turn's lock script, and the
 * client reads one clear sentence, not Redis's reply with its script's SHA; nothing is saved, and
 * the next turn, once Redis has room again, works.
 */
import { createChatHandler, StoreUnavailableError, type ChatHandler } from '../../../src';
import { RedisChatHistory, RedisConversationLock, RedisConversationOwners, RedisRefusedError, RedisReplyLog, type RedisClient } from '../../../src/node';
import { gatedStream, newChatId, NOT_CROSS_SITE, type Runs } from '../../support/chatHandler';
import { describeWithRedis, startRedisServer, type RedisServer } from '../../support/redis';

const BASE = 'http://localhost/api/chat';

describeWithRedis('createChatHandler over a full Redis', () => {
  let redis: RedisServer;
  let client: RedisClient;
  let handler: ChatHandler;
  let replyLog: RedisReplyLog;
  let runs: Runs;
  beforeAll(async () => {
    redis = await startRedisServer();
    client = (await redis.client()) as unknown as RedisClient;
    const gated = gatedStream();
    runs = gated.runs;
    runs.open();
    replyLog = new RedisReplyLog({ client });
    handler = createChatHandler({
      stream: gated.stream,
      replyLog,
      lock: new RedisConversationLock({ client }),
      owners: new RedisConversationOwners({ client }),
      history: (id) => new RedisChatHistory({ sessionId: `rxlc:conversation:{${id}}:history`, client }),
      authorize: () => 'alice',
    });
  });
  afterAll(async () => {
    await handler?.close();
    await replyLog?.close();
    await redis?.stop();
  });

  const ask = (conversationId: string): Promise<Response> =>
    handler.fetch(
      new Request(`${BASE}/stream`, { method: 'POST', headers: { 'content-type': 'application/json', ...NOT_CROSS_SITE }, body: JSON.stringify({ question: '你好 🐍', conversationId }) }),
    );

  it('503 with Retry-After and one clear sentence; nothing saved; the next turn works once Redis has room', async () => {
    const sendCommand = (args: string[]) => (client as unknown as { sendCommand(a: string[]): Promise<unknown> }).sendCommand(args);
    await sendCommand(['CONFIG', 'SET', 'maxmemory-policy', 'noeviction']);
    await sendCommand(['CONFIG', 'SET', 'maxmemory', '1']);
    const id = newChatId();
    const refused = await ask(id);
    await sendCommand(['CONFIG', 'SET', 'maxmemory', '0']);

    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    const { error } = (await refused.json()) as { error: string };
    expect(error).toMatch(/^Redis at redis:\/\/127\.0\.0\.1:\d+ refused .+: it is full \(maxmemory reached with the noeviction policy\); free memory or raise maxmemory\.$/);
    expect(error).not.toMatch(/script|OOM command/);
    expect(runs.started).toBe(0);
    expect(await new RedisChatHistory({ sessionId: `rxlc:conversation:{${id}}:history`, client }).getMessages()).toEqual([]);

    const answered = await ask(id);
    expect(answered.status).toBe(200);
    await answered.text();
    expect(runs.completed).toBe(1);
  });

  it('RedisRefusedError is a StoreUnavailableError: the handler needs no Redis import to tell it apart', () => {
    const error = new RedisRefusedError('XADD', 'redis://:***@h:1', new Error("OOM command not allowed when used memory > 'maxmemory'. script: 1774abc, on @user_script:1."));
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect([error.code, error.reason]).toEqual(['REDIS_REFUSED', 'OOM']);
    expect(error.message).toBe('Redis at redis://:***@h:1 refused XADD: it is full (maxmemory reached with the noeviction policy); free memory or raise maxmemory.');
    const readonly = new RedisRefusedError('XADD', undefined, new Error("READONLY You can't write against a read only replica."));
    expect(readonly.message).toBe("Redis refused XADD: it cannot take commands now (READONLY You can't write against a read only replica.).");
  });
});
