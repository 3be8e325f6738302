/**
 * Redis faults (issue 22): a wrong URL, Redis down, Redis killed mid-turn, Redis stalled
 * longer than the lock's lease. No wall-clock bounds: "fails fast" is "fails without
 * waiting for Redis to come back" (it never comes back here: a hang is the jest timeout);
 * "within one heartbeat" is proved on a virtual clock.
 */
import { once } from 'node:events';
import { InMemoryChatMessageHistory } from '@langchain/core/chat_history';
import { AIMessageChunk } from '@langchain/core/messages';
import { defer, filter, lastValueFrom, map, Observable, of, Subject, tap, VirtualTimeScheduler } from 'rxjs';
import { chatTurns } from '../../../src';
import {
  connectRedis,
  RedisChatHistory,
  RedisConversationLock,
  RedisReplyLog,
  RedisTimeoutError,
  RedisUnavailableError,
  RedisUnreachableError,
  ReplyProducerGoneError,
  type RedisClient,
  type ReplyLogEntry,
} from '../../../src/node';
import type { NodeRedisClient } from '../../../src/node/redis/nodeRedis';
import { describeWithRedis, freePort, startRedisServer, type RedisServer } from '../../support/redis';
import { controlled, readAll } from '../replyLog/replyLog.contract';

const asNode = (client: RedisClient): NodeRedisClient => client as unknown as NodeRedisClient;

/** Advances a virtual clock by `ms`, running what falls due. */
function advance(scheduler: VirtualTimeScheduler, ms: number): void {
  scheduler.maxFrames = scheduler.frame + ms;
  scheduler.flush();
}

/** Reads `entries$`: `first` when the first entry came, `done` with everything at the end. */
function following(entries$: Observable<ReplyLogEntry>): { first: Promise<void>; done: Promise<{ entries: ReplyLogEntry[]; error?: unknown }> } {
  let seen!: () => void;
  const first = new Promise<void>((resolve) => (seen = resolve));
  const done = readAll(entries$.pipe(tap({ next: () => seen() })));
  return { first, done };
}

/** Kills the server and resolves once `client` noticed (its first error event): order, not time. */
async function killAndNotice(redis: RedisServer, client: RedisClient): Promise<void> {
  const noticed = once(asNode(client), 'error');
  await redis.kill();
  await noticed;
}

describeWithRedis('Redis faults', () => {
  describe('a Redis that cannot be reached', () => {
    it('connectRedis rejects with RedisUnreachableError naming the URL, password redacted, with a hint; no line per attempt', async () => {
      const port = await freePort(); // nothing listens there
      const lines: string[] = [];
      const error = await connectRedis(`redis://:hunter2@127.0.0.1:${port}/0`, { connectTimeoutMs: 300, log: (line) => lines.push(line) }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(RedisUnreachableError);
      const { message, url, code } = error as RedisUnreachableError;
      expect(code).toBe('REDIS_UNREACHABLE');
      expect(url).toBe(`redis://:***@127.0.0.1:${port}/0`);
      expect(message).toContain(`redis://:***@127.0.0.1:${port}/0 within 300 ms (connect ECONNREFUSED`);
      expect(message).toMatch(/Is redis-server running there, and is the URL \(REDIS_URL\) right\?/);
      expect(message).not.toContain('hunter2');
      expect(lines).toEqual([]);
    });

    it('connectRedis refuses what is not a Redis URL, without echoing a password', async () => {
      await expect(connectRedis('http://user:hunter2@example.com')).rejects.toThrow('connectRedis: url must be a redis:// or rediss:// URL, got "http://user:***@example.com".');
      await expect(connectRedis(42 as never)).rejects.toThrow(TypeError);
    });
  });

  describe('Redis down', () => {
    let redis: RedisServer;
    let client: RedisClient;
    let plain: RedisClient;
    beforeAll(async () => {
      redis = await startRedisServer();
      client = await connectRedis(redis.url, { log: () => undefined });
      plain = (await redis.client()) as unknown as RedisClient; // createClient's defaults: an offline queue
      await Promise.all([killAndNotice(redis, client), once(asNode(plain), 'error')]);
    });
    afterAll(async () => {
      await asNode(client).disconnect().catch(() => undefined);
      await redis.stop();
    });

    it.each([['connectRedis', () => client], ['a plain createClient (offline queue on)', () => plain]])(
      'every store fails a new turn at once with RedisUnavailableError, over %s',
      async (_name, clientOf) => {
        const c = clientOf();
        const log = new RedisReplyLog({ client: c });
        const lock = new RedisConversationLock({ client: c });
        const history = new RedisChatHistory({ client: c, sessionId: 'rxlc:conversation:{c-1}:history' });
        const port = `127.0.0.1:${redis.port}`;
        await expect(lastValueFrom(log.append('reply-down', of('data: x\n\n')))).rejects.toThrow(RedisUnavailableError);
        await expect(lastValueFrom(log.read('reply-down'))).rejects.toThrow(`Redis at redis://${port} is not connected, so XRANGE failed.`);
        await expect(log.stop('reply-down')).rejects.toThrow(RedisUnavailableError);
        await expect(log.latestReply('c-1')).rejects.toThrow(RedisUnavailableError);
        await expect(lastValueFrom(lock.run('c-1', of(1)))).rejects.toThrow(`so the conversation lock SET failed`);
        await expect(history.getMessages()).rejects.toThrow(RedisUnavailableError);
        await expect(history.addMessages([])).resolves.toBeUndefined(); // nothing to write: no command
        await log.close();
      },
    );
  });

  describe('Redis killed mid-turn', () => {
    it('the producer errors at the next heartbeat (virtual clock: one heartbeatMs), readers error at once, nothing is saved as complete', async () => {
      const redis = await startRedisServer();
      const client = await connectRedis(redis.url, { log: () => undefined });
      const scheduler = new VirtualTimeScheduler();
      const heartbeatMs = 1000;
      const log = new RedisReplyLog({ client, heartbeatMs, writers: 1, scheduler });
      const reader = new RedisReplyLog({ client: (await redis.client()) as unknown as RedisClient });
      const history = new InMemoryChatMessageHistory();
      const tokens = new Subject<AIMessageChunk>();
      let modelCalled!: () => void;
      const called = new Promise<void>((resolve) => (modelCalled = resolve));
      const model = (): Observable<AIMessageChunk> => defer(() => (modelCalled(), tokens));
      // A turn whose model sent one chunk, then thinks: the producer has nothing to write meanwhile.
      const frames$ = of('你好').pipe(
        chatTurns(model, { history }),
        filter((e) => e.type === 'chunk'),
        map((e) => `data: ${JSON.stringify(e.type === 'chunk' && e.text)}\n\n`),
      );
      let error: unknown;
      const stored = new Promise<void>((resolve) => log.append('reply-k', frames$).subscribe({ next: () => resolve(), error: (e: unknown) => (error = e) }));
      await called;
      tokens.next(new AIMessageChunk({ content: '🐍 Python' }));
      await stored;
      const read = following(reader.read('reply-k'));
      await read.first; // the reader is on the live tail
      await killAndNotice(redis, client);
      const { entries, error: readError } = await read.done;
      expect(entries.map((e) => e.data)).toEqual(['data: "🐍 Python"\n\n']);
      expect(readError).toBeInstanceOf(RedisUnavailableError); // its XREAD's connection closed: no timer involved

      expect(error).toBeUndefined(); // the producer has nothing to write: only its heartbeat can tell
      expect(tokens.observed).toBe(true);
      advance(scheduler, heartbeatMs);
      expect(error).toBeInstanceOf(RedisUnavailableError);
      expect((error as Error).message).toBe(
        `Redis at redis://127.0.0.1:${redis.port} is not connected, so XADD failed. Is redis-server running there, and is the URL (REDIS_URL) right?`,
      );
      expect(tokens.observed).toBe(false); // the turn was torn down with its append
      expect(await history.getMessages()).toEqual([]); // nothing saved as complete
      await reader.close();
      await log.close();
      await asNode(client).disconnect().catch(() => undefined);
      await redis.stop();
    });
  });

  describe('Redis stalled', () => {
    let redis: RedisServer;
    beforeAll(async () => {
      redis = await startRedisServer();
    });
    afterAll(async () => {
      await redis.stop();
    });

    /** `DEBUG SLEEP seconds` on a connection of its own: Redis answers nobody meanwhile. */
    const stall = async (seconds: number): Promise<void> => {
      const admin = await redis.client();
      await admin.sendCommand(['DEBUG', 'SLEEP', String(seconds)]);
      await admin.disconnect();
    };

    it('longer than the lease and the heartbeat timeout: the turn goes on, the lock is retaken, readers get the whole reply', async () => {
      const [clientA, clientB] = await Promise.all([redis.client(), redis.client()]);
      const a = { client: clientA as unknown as RedisClient };
      const log = new RedisReplyLog({ ...a, heartbeatMs: 50, producerTimeoutMs: 200 });
      const other = new RedisReplyLog({ client: clientB as unknown as RedisClient, heartbeatMs: 50, producerTimeoutMs: 200 });
      const lock = new RedisConversationLock({ ...a, ttlMs: 150 });
      const src = controlled();
      const turn = following(lock.run('c-stall', log.append('reply-s', src.source$, { conversationId: 'c-stall' })));
      await src.subscribed; // the lock is held
      src.next('data: 1\n\n');
      await turn.first;
      const reading = following(other.read('reply-s'));
      await reading.first;
      const stalled = stall(1); // 1 s: over the lease (150 ms) and producerTimeoutMs (200 ms)
      src.next('data: 2\n\n'); // sent during the stall: it waits in the connection, and lands after
      await stalled;
      src.next('data: 3\n\n');
      src.complete();
      const all = ['data: 1\n\n', 'data: 2\n\n', 'data: 3\n\n'];
      const produced = await turn.done;
      expect(produced.error).toBeUndefined(); // not ConversationLockLostError, not "abandoned"
      expect(produced.entries.map((e) => e.data)).toEqual(all);
      const read = await reading.done;
      expect(read.error).toBeUndefined(); // not ReplyProducerGoneError('no-heartbeat')
      expect(read.entries.map((e) => e.data)).toEqual(all);
      await Promise.all([log.close(), other.close()]);
      await Promise.all([clientA.disconnect(), clientB.disconnect()]);
    });

    it('longer than commandTimeoutMs: the producer fails with RedisTimeoutError, and readers get what was stored, then that cause', async () => {
      const client = (await redis.client()) as unknown as RedisClient;
      const log = new RedisReplyLog({ client, heartbeatMs: 50, producerTimeoutMs: 200, commandTimeoutMs: 300 });
      const src = controlled();
      let error: unknown;
      const first = new Promise<void>((resolve) => log.append('reply-t', src.source$).subscribe({ next: () => resolve(), error: (e: unknown) => (error = e) }));
      await src.subscribed;
      src.next('data: kept\n\n');
      await first;
      const stalled = stall(1);
      src.next('data: during the stall\n\n');
      await stalled;
      expect(error).toBeInstanceOf(RedisTimeoutError);
      expect((error as Error).message).toMatch(/^Redis at redis:\/\/127\.0\.0\.1:\d+ did not answer (XADD|the heartbeat|opening a connection) within 300 ms/);
      const { entries, error: readError } = await readAll(log.read('reply-t'));
      // What was stored stays readable (the XADD sent during the stall ran after it); the end says why.
      expect(entries.map((e) => e.data)).toEqual(['data: kept\n\n', 'data: during the stall\n\n']);
      expect(readError).toBeInstanceOf(ReplyProducerGoneError);
      expect(readError).toMatchObject({ reason: 'failed' });
      expect((readError as Error).message).toMatch(/its producer failed: Redis at .* did not answer/);
      await log.close();
    });
  });
});
