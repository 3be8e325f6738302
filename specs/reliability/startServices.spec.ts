// startServices (specs/support/services.ts): the services a describe starts side by side in its
// beforeAll are all stopped when one of them fails to start, and stopped by the describe's afterAll
// when all started. The started services are real redis-servers; "stopped" means their process is
// gone (`kill -0` on the pid redis-server reports), not that a mock was called.
import { createWriteStream, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useCleanup, useCleanupAfterAll, type Cleanup } from '../support/cleanup';
import { closeServer } from '../support/http';
import { describeWithRedis, startRedisServer, type RedisServer } from '../support/redis';
import { startServices } from '../support/services';

/** Whether a process with this pid is still there. */
const running = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
};

/** The process id redis-server reports for itself. */
async function pidOf(redis: RedisServer): Promise<number> {
  const info = await (await redis.client()).info('server');
  return Number(/process_id:(\d+)/.exec(info)?.[1]);
}

/** A start of a real redis-server that tells the spec its pid and, should the helper under test fail to, is stopped by `fallback`. */
function redisStart(pids: number[], fallback: Cleanup): () => Promise<RedisServer> {
  return async () => {
    const redis = await startRedisServer();
    fallback(() => redis.stop());
    pids.push(await pidOf(redis));
    return redis;
  };
}

describeWithRedis('startServices', () => {
  const fallback = useCleanup();
  const helperCleanup: Cleanup = () => undefined; // these tests check the stops the helper makes itself

  it('a start that fails after the other one started: the started redis-server is stopped, then the start’s own error is thrown', async () => {
    const pids: number[] = [];
    const start = redisStart(pids, fallback);
    let started!: Promise<RedisServer>;
    const failure = new Error('postgres exited with 1 before it was ready');
    const starting = startServices(helperCleanup, () => (started = start()), async () => {
      await started;
      throw failure;
    });
    await expect(starting).rejects.toBe(failure);
    expect(pids).toHaveLength(1);
    expect(running(pids[0])).toBe(false);
  });

  it('a start that fails before the other one is up: the helper waits for it, then stops it', async () => {
    const pids: number[] = [];
    const failure = new Error('initdb failed');
    await expect(startServices(helperCleanup, redisStart(pids, fallback), () => Promise.reject(failure))).rejects.toBe(failure);
    expect(pids).toHaveLength(1);
    expect(running(pids[0])).toBe(false);
  });

  it('two failed starts: one AggregateError with both errors; the one that started is stopped', async () => {
    const pids: number[] = [];
    const errors = [new Error('first'), new Error('second')];
    const thrown = await startServices(helperCleanup, () => Promise.reject(errors[0]), redisStart(pids, fallback), () => Promise.reject(errors[1])).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(AggregateError);
    expect((thrown as AggregateError).errors).toEqual(errors);
    expect((thrown as Error).message).toBe('2 of 3 services failed to start');
    expect(running(pids[0])).toBe(false);
  });

  it('a service without stop() is closed with its close(), or else its end()', async () => {
    const server = createServer();
    fallback(() => closeServer(server));
    const path = join(tmpdir(), `rxlc-start-services-${process.pid}.txt`);
    const file = createWriteStream(path);
    fallback(() => rmSync(path, { force: true }));
    fallback(() => file.destroy());
    const failure = new Error('the third did not start');
    const starts = startServices(
      helperCleanup,
      async () => {
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        return { close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
      },
      async () => ({ end: () => new Promise<void>((resolve) => file.end(resolve)) }),
      () => Promise.reject(failure),
    );
    await expect(starts).rejects.toBe(failure);
    expect({ listening: server.listening, ended: file.writableFinished }).toEqual({ listening: false, ended: true });
  });

  describe('when every start succeeds', () => {
    const fallbackAll = useCleanupAfterAll(); // runs after the inner describe's afterAll and the check below
    const first: number[] = [];
    const second: number[] = [];
    describe('(a describe whose beforeAll starts two redis-servers)', () => {
      const cleanupAll = useCleanupAfterAll();
      let servers: readonly [RedisServer, RedisServer];
      beforeAll(async () => {
        servers = await startServices(cleanupAll, redisStart(first, fallbackAll), redisStart(second, fallbackAll));
      });

      it('resolves with both, in the order of the starts, both running', async () => {
        expect([await pidOf(servers[0]), await pidOf(servers[1])]).toEqual([first[0], second[0]]);
        expect([running(first[0]), running(second[0])]).toEqual([true, true]);
      });
    });

    it('the afterAll of that describe stopped both', () => {
      expect([first, second].map((pids) => pids.length)).toEqual([1, 1]);
      expect([running(first[0]), running(second[0])]).toEqual([false, false]);
    });
  });
});

describe('useCleanupAfterAll', () => {
  let late: Cleanup;
  describe('(a describe whose afterAll already ran)', () => {
    late = useCleanupAfterAll();
    it('(nothing to do)', () => expect(late).toBeInstanceOf(Function));
  });

  it('runs a closer registered after its afterAll at once (a start that outlived its beforeAll)', async () => {
    await new Promise<void>((resolve) => late(resolve));
  });
});
