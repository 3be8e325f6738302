import { createScaleOut } from '../../demos/web/scaleOut';
import { RedisUnreachableError } from '../../src/node';
import { describeWithRedis, freePort, startRedisServer } from '../support/redis';
import { useCleanup } from '../support/cleanup';

const cleanup = useCleanup();

describeWithRedis('web demo: conversations in Redis (createScaleOut)', () => {
  it('a wrong REDIS_URL fails the start with RedisUnreachableError naming the URL (password redacted), one line, no retry log', async () => {
    const port = await freePort(); // nothing listens there
    const written: string[] = [];
    const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    try {
      const error = await createScaleOut({ redisUrl: `redis://demo:s3cret@127.0.0.1:${port}`, connectTimeoutMs: 300 }).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(RedisUnreachableError);
      expect((error as Error).message).toMatch(new RegExp(`^Cannot reach Redis at redis://demo:\\*\\*\\*@127\\.0\\.0\\.1:${port} within 300 ms \\(`));
      expect((error as Error).message).not.toContain('s3cret');
      expect(written).toEqual([]);
    } finally {
      write.mockRestore();
    }
  });

  it('with a reachable Redis, histories are RedisChatHistory (a turn in one write) and the state closes', async () => {
    const redis = await startRedisServer();
    cleanup(() => redis.stop());
    const scale = await createScaleOut({ redisUrl: redis.url });
    cleanup(() => scale.close());
    expect(scale.kind).toBe('redis');
    expect(scale.history('c-1').constructor.name).toBe('RedisChatHistory');
    await scale.close();
  });
});
