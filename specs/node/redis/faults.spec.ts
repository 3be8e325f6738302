/**
 * Redis faults (issue 22): a wrong URL, Redis down, Redis killed mid-turn, Redis stalled
 * longer than the lock's lease (redis-server frozen by SIGSTOP until the spec resumes it). No wall-clock bounds: "fails fast" is "fails without
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
import { sleep, until } from '../../support/http';
import { describeWithRedis, expireHeartbeatOf, freePort, startRedisServer, type RedisServer } from '../../support/redis';
import { controlled, readAll } from '../replyLog/replyLog.contract';
import { advance } from '../../support/virtualClock';
import { useCleanup } from '../../support/cleanup';

const cleanup = useCleanup();

const asNode = (client: RedisClient): NodeRedisClient => client as unknown as NodeRedisClient;


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
        cleanup(() => log.close());
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
      cleanup(() => redis.stop());
      const client = await connectRedis(redis.url, { log: () => undefined });
      cleanup(() => asNode(client).disconnect().catch(() => undefined));
      const scheduler = new VirtualTimeScheduler();
      const heartbeatMs = 1000;
      const log = new RedisReplyLog({ client, heartbeatMs, writers: 1, scheduler, flushMs: 0 }); // flushMs 0: each write at once, whatever the clock
      cleanup(() => log.close());
      const reader = new RedisReplyLog({ client: (await redis.client()) as unknown as RedisClient });
      cleanup(() => reader.close());
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
      // The producer writes on a connection of its own (decision 0350): whichever of it and the
      // heartbeat's connection saw the close first names the command; both say where and why.
      expect((error as Error).message).toMatch(
        new RegExp(`^Redis at redis://127\\.0\\.0\\.1:${redis.port} is not connected, so (XADD|the heartbeat) failed\\. Is redis-server running there, and is the URL \\(REDIS_URL\\) right\\?$`),
      );
      expect(tokens.observed).toBe(false); // the turn was torn down with its append
      expect(await history.getMessages()).toEqual([]); // nothing saved as complete
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

    /** Entries of a read as they come, and the read's end. */
    function collecting(entries$: Observable<ReplyLogEntry>): { seen: string[]; ended: () => boolean; done: Promise<{ entries: ReplyLogEntry[]; error?: unknown }> } {
      const seen: string[] = [];
      let ended = false;
      const done = readAll(entries$.pipe(tap({ next: (e) => seen.push(e.data), finalize: () => (ended = true) })));
      return { seen, ended: () => ended, done };
    }

    it('longer than the lease and the heartbeat timeout: the turn goes on, the lock is retaken, a reader missing one heartbeat waits for the next', async () => {
      const [clientA, clientB, admin] = await Promise.all([redis.client(), redis.client(), redis.client()]);
      // Heartbeats and readers' checks run only when the spec advances their clocks (one per instance);
      // no command times out here (a stall shorter than commandTimeoutMs is the case).
      const [producerClock, readerClock] = [new VirtualTimeScheduler(), new VirtualTimeScheduler()];
      const options = { heartbeatMs: 50, producerTimeoutMs: 600_000, commandTimeoutMs: 600_000 };
      const a = { client: clientA as unknown as RedisClient };
      const log = new RedisReplyLog({ ...a, ...options, scheduler: producerClock, flushMs: 0 }); // each write at once, whatever the clock
      cleanup(() => log.close());
      const other = new RedisReplyLog({ client: clientB as unknown as RedisClient, ...options, scheduler: readerClock });
      cleanup(() => other.close());
      const lock = new RedisConversationLock({ ...a, ttlMs: 150, commandTimeoutMs: 600_000 }); // renewed every 50 ms, real time
      const src = controlled();
      const turn = following(lock.run('c-stall', log.append('reply-s', src.source$, { conversationId: 'c-stall' })));
      await src.subscribed; // the lock is held
      src.next('data: 1\n\n');
      await turn.first;
      const reading = collecting(other.read('reply-s'));
      await until(() => reading.seen.length === 1, 'the reader on the live tail');
      const stalled = await redis.stall();
      src.next('data: 2\n\n'); // sent during the stall: it waits in the connection, and lands after
      await sleep(400); // at least 400 ms (load only makes it longer): over the lease (150 ms)
      stalled.resume();
      // What the stall did to a producer with producerTimeoutMs < 400 ms: its heartbeat key expired.
      const heartbeatKey = `rxlc:instance:${await admin.get('rxlc:reply:{reply-s}:producer')}:alive`;
      await expireHeartbeatOf(admin, 'reply-s');
      // The lease expired too; the renewal waiting in the connection retakes it (nobody else holds it).
      while ((await admin.exists('rxlc:conversation:{c-stall}:lock')) === 0) await sleep(5);
      await until(() => reading.seen.length === 2, 'the event sent during the stall');
      // The reader's check after the stall runs before the producer's delayed heartbeat: one miss...
      advance(readerClock, options.heartbeatMs);
      // (A reader that took that miss for a crash ends here, and the expectations below say so.)
      await until(() => readerClock.actions.length > 0 || reading.ended(), "the reader's check to end (it re-arms its timer)");
      advance(producerClock, options.heartbeatMs); // ...then the heartbeat lands...
      while ((await admin.exists(heartbeatKey)) === 0) await sleep(5);
      advance(readerClock, options.heartbeatMs); // ...and the next check finds it: no crash
      await until(() => readerClock.actions.length > 0 || reading.ended(), "the reader's second check to end");
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
      await Promise.all([clientA.disconnect(), clientB.disconnect(), admin.disconnect()]);
    });

    it('longer than commandTimeoutMs: the producer fails with RedisTimeoutError, and readers get what was stored, then that cause', async () => {
      const client = (await redis.client()) as unknown as RedisClient;
      const clock = new VirtualTimeScheduler(); // the heartbeat, which watches unanswered writes
      const commandTimeoutMs = 10_000;
      const log = new RedisReplyLog({ client, heartbeatMs: 50, producerTimeoutMs: 600_000, commandTimeoutMs, writers: 1, scheduler: clock, flushMs: 0 });
      cleanup(() => log.close());
      const src = controlled();
      let error: unknown;
      const first = new Promise<void>((resolve) => log.append('reply-t', src.source$).subscribe({ next: () => resolve(), error: (e: unknown) => (error = e) }));
      await src.subscribed;
      src.next('data: kept\n\n');
      await first;
      const stalled = await redis.stall(); // until resumed: as long as the spec needs
      src.next('data: during the stall\n\n');
      advance(clock, commandTimeoutMs - 50); // heartbeats every 50 ms see the XADD waiting...
      expect(error).toBeUndefined();
      advance(clock, 50); // ...and the one at commandTimeoutMs gives up on it
      expect(error).toBeDefined();
      expect(error).toBeInstanceOf(RedisTimeoutError);
      expect((error as Error).message).toMatch(/^Redis at redis:\/\/127\.0\.0\.1:\d+ did not answer XADD within 10000 ms/);
      stalled.resume();
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
