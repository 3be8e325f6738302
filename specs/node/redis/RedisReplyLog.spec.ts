import type { NodeRedisClient as RedisClient } from '../../../src/node/redis/nodeRedis';
import { firstValueFrom, lastValueFrom, Observable, take, toArray, VirtualTimeScheduler } from 'rxjs';
import { RedisReplyLog, type ReplyLogEntry, type ReplyLogOptions } from '../../../src/node';
import { encodeFrame, KEYFRAME_EVERY, newCodec } from '../../../src/node/redis/frameCodec';
import { advance } from '../../support/virtualClock';
import { sleep, until } from '../../support/http';
import { describeWithRedis, expireHeartbeatOf, startRedisServer, type RedisServer } from '../../support/redis';
import { controlled, FRAMES, readAll, replyLogContract } from '../replyLog/replyLog.contract';
import { useCleanup } from '../../support/cleanup';

const cleanup = useCleanup();

/**
 * Readers check the heartbeat every 50 ms (a poll, not a bound). No live producer ever looks gone
 * in these specs, however loaded the machine: its heartbeat key lasts 10 minutes. A producer the
 * spec kills runs on a virtual clock nobody advances (it never beats) and its heartbeat key is
 * removed when it is killed, as the TTL would do in time: "gone" follows the kill, in order.
 */
const LIVE = { heartbeatMs: 50, producerTimeoutMs: 600_000 };

describeWithRedis('RedisReplyLog', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  replyLogContract(async (options?: ReplyLogOptions) => {
    // Two instances: two clients, two logs, one redis-server.
    const [clientA, clientB] = await Promise.all([redis.client(), redis.client()]);
    const a = new RedisReplyLog({ client: clientA, ...LIVE, ...options });
    const b = new RedisReplyLog({ client: clientB, ...LIVE, ...options });
    const crashed: RedisClient[] = [];
    return {
      a,
      b,
      crashable: async () => {
        const client = await redis.client();
        crashed.push(client);
        // flushMs 0: its events are stored at once, though its clock never moves.
        const log = new RedisReplyLog({ client, ...LIVE, scheduler: new VirtualTimeScheduler(), flushMs: 0, ...options });
        return {
          log,
          // The instance dies: all its connections drop at once, nothing more is written, its heartbeat stops.
          kill: async (_subscription, replyId) => {
            await log.close(); // every connection of the log, at once
            await client.disconnect();
            await expireHeartbeatOf(clientA, replyId);
          },
        };
      },
      crashReason: 'no-heartbeat',
      close: async () => {
        await Promise.all([a.close(), b.close()]);
        await Promise.all([clientA, clientB, ...crashed].map((c) => (c.isOpen ? c.disconnect() : undefined)));
      },
    };
  });

  describe('in Redis', () => {
    let client: RedisClient;
    let log: RedisReplyLog;
    beforeEach(async () => {
      client = await redis.client();
      log = new RedisReplyLog({ client, ...LIVE, graceMs: 60_000 }); // long: the spec reads TTLs after a wait of any length
    });
    afterEach(async () => {
      await log.close();
      await client.disconnect();
    });

    it('uses one Redis Stream per reply whose entry ids are the event ids, with a TTL while live and after the end', async () => {
      const src = controlled();
      const stored: { id: string }[] = [];
      log.append('r1', src.source$).subscribe((e) => stored.push(e));
      await src.subscribed;
      src.next(FRAMES[0]);
      await until(() => stored.length === 1, 'one stored event');
      expect(await client.type('rxlc:reply:{r1}')).toBe('stream');
      const [entry] = await client.xRange('rxlc:reply:{r1}', '-', '+');
      expect(entry).toEqual({ id: stored[0].id, message: { e: `${FRAMES[0].length}=${FRAMES[0]}` } }); // a keyframe (decisions 0280, 0320)
      expect(await client.pTTL('rxlc:reply:{r1}')).toBeGreaterThan(60_000); // longer than graceMs while live
      const owner = await client.get('rxlc:reply:{r1}:producer');
      expect(owner).toMatch(/^[0-9a-f-]{36}$/);
      expect(await client.pTTL(`rxlc:instance:${owner}:alive`)).toBeGreaterThan(0); // the instance heartbeat
      expect(await client.pTTL(`rxlc:instance:${owner}:alive`)).toBeLessThanOrEqual(LIVE.producerTimeoutMs);
      src.complete();
      await until(() => src.unsubscribed, 'the end');
      while ((await client.exists('rxlc:reply:{r1}:producer')) !== 0) await sleep(5); // the end removes it
      const ttl = await client.pTTL('rxlc:reply:{r1}');
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000); // graceMs after the end
    });

    it("readers share a few blocking connections; their teardown leaves no client blocked in XREAD", async () => {
      const blocked = async (): Promise<number> =>
        ((await client.sendCommand(['CLIENT', 'LIST'])) as string).split('\n').filter((line) => /\bflags=\S*b/.test(line)).length;
      const log = new RedisReplyLog({ client, ...LIVE, tailConnections: 4 });
      cleanup(() => log.close());
      // Readers on another instance: the producer's own instance reads its replies without XREAD (decision 0375).
      const follower = new RedisReplyLog({ client, ...LIVE, tailConnections: 4 });
      cleanup(() => follower.close());
      const sources = Array.from({ length: 12 }, () => controlled());
      sources.forEach((src, i) => log.append(`shared-${i}`, src.source$).subscribe());
      await Promise.all(sources.map((src) => src.subscribed));
      sources.forEach((src) => src.next(FRAMES[0]));
      const readers = sources.flatMap((_, i) => [follower.read(`shared-${i}`).subscribe(), follower.read(`shared-${i}`).subscribe()]);
      while ((await blocked()) < 4) await sleep(5); // no bound: the count, once reached, is what is checked
      expect(await blocked()).toBe(4); // 24 readers of 12 replies, tailConnections: 4
      for (const reader of readers) reader.unsubscribe();
      while ((await blocked()) > 0) await sleep(5);
      expect(await blocked()).toBe(0);
      sources.forEach((src) => src.complete());
      for (const [i] of sources.entries()) await readAll(log.read(`shared-${i}`)); // stored to the end
      await Promise.all([log.close(), follower.close()]);
    });

    it('by default an instance holds five connections however many replies it produces, follows and stops: its client, the heartbeat, pub/sub, one blocking read, one writer', async () => {
      const ids = async (): Promise<string[]> =>
        ((await client.sendCommand(['CLIENT', 'LIST'])) as string).split('\n').filter((line) => line.startsWith('id=')).map((line) => line.split(' ')[0]);
      // Another instance produces half the replies: the fresh one follows them over XREAD (its own replies
      // it reads on the local fast path, decision 0375). Its connections open before the count starts.
      const start = new Set(await ids());
      const elsewhere = new RedisReplyLog({ client, ...LIVE });
      cleanup(() => elsewhere.close());
      const sources = Array.from({ length: 12 }, () => controlled());
      sources.forEach((src, i) => i % 2 === 1 && elsewhere.append(`conn-${i}`, src.source$).subscribe());
      while ((await ids()).filter((id) => !start.has(id)).length < 2) await sleep(5); // its writer, its heartbeat
      const own = await redis.client(); // a fresh instance: its client, and what its log opens
      const before = new Set(await ids());
      const fresh = new RedisReplyLog({ client: own, ...LIVE });
      cleanup(() => fresh.close());
      const stops = sources.map((_, i) => fresh.stops(`conn-${i}`).subscribe());
      sources.forEach((src, i) => i % 2 === 0 && fresh.append(`conn-${i}`, src.source$).subscribe());
      await Promise.all(sources.map((src) => src.subscribed));
      sources.forEach((src) => src.next(FRAMES[0]));
      const readers = sources.flatMap((_, i) => [fresh.read(`conn-${i}`).subscribe(), fresh.read(`conn-${i}`).subscribe()]);
      const blockedReads = async (): Promise<number> =>
        ((await client.sendCommand(['CLIENT', 'LIST'])) as string).split('\n').filter((line) => /\bflags=\S*b/.test(line)).length;
      const opened = async (): Promise<number> => (await ids()).filter((id) => !before.has(id)).length;
      // No bound: every kind of connection opened once (the heartbeat's after its first beat)…
      while ((await blockedReads()) < 1 || (await opened()) < 4) await sleep(5);
      // …and no more however much more happens.
      await fresh.stop('conn-0');
      sources.forEach((src) => src.next(FRAMES[1]));
      sources.forEach((src) => src.complete());
      for (const [i] of sources.entries()) expect((await readAll(fresh.read(`conn-${i}`))).entries).toHaveLength(2);
      expect(await opened()).toBe(4); // heartbeat, pub/sub, the blocking read, the writer (its client was open before)
      readers.forEach((reader) => reader.unsubscribe());
      stops.forEach((stop) => stop.unsubscribe());
      await Promise.all([fresh.close(), elsewhere.close()]);
      await own.disconnect();
    });

    it("a reader on the producer's instance takes the events from the producer once Redis stored them: no XREAD, the same ids and bytes, and another instance resumes after any of them (decision 0375)", async () => {
      const blocked = async (): Promise<number> =>
        ((await client.sendCommand(['CLIENT', 'LIST'])) as string).split('\n').filter((line) => /\bflags=\S*b/.test(line)).length;
      const other = new RedisReplyLog({ client, ...LIVE });
      cleanup(() => other.close());
      const src = controlled();
      const stored: ReplyLogEntry[] = [];
      log.append('local', src.source$).subscribe((e) => stored.push(e));
      await src.subscribed;
      src.next(FRAMES[0]);
      await until(() => stored.length === 1, 'the first event stored');
      const got: ReplyLogEntry[] = [];
      let ended = false;
      log.read('local').subscribe({ next: (e) => got.push(e), complete: () => (ended = true) });
      await until(() => got.length === 1, 'the replay');
      for (const frame of FRAMES.slice(1)) src.next(frame);
      await until(() => got.length === FRAMES.length, 'the live tail');
      expect(await blocked()).toBe(0); // followed without a blocking read
      src.complete();
      await until(() => ended, 'the end');
      expect(got).toEqual(stored);
      expect(got.map((e) => e.data)).toEqual(FRAMES);
      for (const [i, e] of got.entries()) expect((await readAll(other.read('local', { after: e.id }))).entries).toEqual(stored.slice(i + 1));
      await other.close();
    });

    it('one wake-up of a shared XREAD brings the events of every reply that has some, each to its readers', async () => {
      const one = new RedisReplyLog({ client, ...LIVE, tailConnections: 1 });
      cleanup(() => one.close());
      const producer = new RedisReplyLog({ client, ...LIVE }); // another instance: its replies are tailed over XREAD (decision 0375)
      cleanup(() => producer.close());
      const sources = Array.from({ length: 5 }, () => controlled());
      sources.forEach((src, i) => producer.append(`wake-${i}`, src.source$).subscribe());
      await Promise.all(sources.map((src) => src.subscribed));
      const reads = sources.map((_, i) => readAll(one.read(`wake-${i}`)));
      await sleep(50);
      sources.forEach((src, i) => {
        src.next(`data: ${i} a\n\n`);
        src.next(`data: ${i} b\n\n`);
        src.complete();
      });
      const results = await Promise.all(reads);
      expect(results.map((r) => r.entries.map((e) => e.data))).toEqual(sources.map((_, i) => [`data: ${i} a\n\n`, `data: ${i} b\n\n`]));
      await Promise.all([one.close(), producer.close()]);
    });

    it('reads a reply longer than one page (512 entries) in order', async () => {
      const frames = Array.from({ length: 1300 }, (_, i) => `data: ${i} 中文\n\n`);
      const stored = await lastValueFrom(log.append('long', new Observable<string>((s) => {
        for (const f of frames) s.next(f);
        s.complete();
      })).pipe(toArray()));
      const all = await readAll(log.read('long'));
      expect(all).toEqual({ entries: stored });
      const resumed = await readAll(log.read('long', { after: stored[100].id }));
      expect(resumed).toEqual({ entries: stored.slice(101) });
      expect(await firstValueFrom(log.read('long').pipe(take(1)))).toEqual(stored[0]);
    });

    it('stores consecutive events as differences from a keyframe; a resume after any id, live or stored, gives the rest byte for byte', async () => {
      const deltas = ['你好', '🐍', '🐎', '👨‍👩‍👧', '🇨🇳', 'e\u0301', '', 'Python 是一种编程语言'];
      const frames = [
        'data: {"type":"start"}\n\n',
        ...Array.from({ length: 90 }, (_, i) => `data: ${JSON.stringify({ type: 'text-delta', id: 'text-1', delta: deltas[i % deltas.length] })}\n\n`),
        'data: [DONE]\n\n',
      ];
      const src = controlled();
      const stored: ReplyLogEntry[] = [];
      log.append('coded', src.source$).subscribe((e) => stored.push(e));
      await src.subscribed;
      for (const f of frames.slice(0, 50)) src.next(f);
      await until(() => stored.length === 50, 'half of the reply stored');
      // While live: resumes after every stored id (a keyframe or a difference) follow the tail to the end.
      const live = stored.map((entry) => readAll(log.read('coded', { after: entry.id })));
      for (const f of frames.slice(50)) src.next(f);
      src.complete();
      const whole = await readAll(log.read('coded'));
      expect(whole.entries.map((e) => e.data)).toEqual(frames);
      expect(whole.entries).toEqual(stored);
      const rest = await Promise.all(live);
      rest.forEach((r, i) => expect(r.entries.map((e) => e.data)).toEqual(frames.slice(i + 1)));
      for (const [i, entry] of stored.entries()) expect((await readAll(log.read('coded', { after: entry.id }))).entries).toEqual(stored.slice(i + 1));
      const values = (await client.xRange('rxlc:reply:{coded}', '-', '+')).map((e) => e.message.e).filter((e) => e !== undefined);
      // Pushed at once, the first event was stored alone, the next 49 together (one flush window, decision 0320).
      expect(values.length).toBeLessThanOrEqual(4);
      expect(values[1]).toContain('50.4.2:🐍2:🐎'); // a token: its own characters and its length
      expect(values.join('').match(/\d=data: /g)!.length).toBeLessThanOrEqual(1 + Math.ceil(frames.length / KEYFRAME_EVERY)); // keyframes
    });

    it("a reply's stream never keeps Redis' 4 KB preallocated node: compacted when a node begins and at the end", async () => {
      const frames = Array.from({ length: 250 }, (_, i) => `data: ${JSON.stringify({ type: 'text-delta', id: 'text-1', delta: `${i}你` })}\n\n`);
      await log.close();
      log = new RedisReplyLog({ client, ...LIVE, graceMs: 60_000, flushMs: 0 }); // an entry per event: nodes of 100 entries
      const src = controlled();
      const stored: ReplyLogEntry[] = [];
      log.append('compact', src.source$).subscribe((e) => stored.push(e));
      await src.subscribed;
      const usage = async (): Promise<number> => (await client.memoryUsage('rxlc:reply:{compact}', { SAMPLES: 0 })) ?? 0;
      const plain = async (n: number): Promise<number> => {
        // The log's first n entries written again by plain XADDs: what Redis holds for them uncompacted.
        await client.del('plain');
        for (const { message } of await client.xRange('rxlc:reply:{compact}', '-', '+', { COUNT: n })) await client.xAdd('plain', '*', message);
        return (await client.memoryUsage('plain', { SAMPLES: 0 })) ?? 0;
      };
      // The compaction after entry 1 (and 101) goes on the producer's connection before entry 2 (102): stored in order.
      src.next(frames[0]);
      src.next(frames[1]);
      await until(() => stored.length === 2, 'two events stored');
      expect(await usage()).toBeLessThan(1024);
      expect(await plain(2)).toBeGreaterThan(4096); // what it would hold
      for (const f of frames.slice(2, 102)) src.next(f);
      await until(() => stored.length === 102, 'a second node begun');
      expect(await usage()).toBeLessThan((await plain(102)) - 2048);
      for (const f of frames.slice(102)) src.next(f);
      src.complete();
      await until(() => src.unsubscribed, 'the end');
      expect((await readAll(log.read('compact'))).entries.map((e) => e.data)).toEqual(frames);
      expect(await usage()).toBeLessThan((await plain(251)) - 2048); // with the end marker
    });

    it('stores the events of one flush window in one entry: an event with no window open at once, the others when the window closes on the injected clock (decision 0320)', async () => {
      const clock = new VirtualTimeScheduler();
      const own = new RedisReplyLog({ client, ...LIVE, scheduler: clock, flushMs: 50 }); // one writer connection
      cleanup(() => own.close());
      const elsewhere = await redis.client();
      const other = new RedisReplyLog({ client: elsewhere, ...LIVE }); // another instance, on the real clock
      cleanup(() => other.close());
      // What was sent by now: a new reply's first event goes at once on the same writer connection, after
      // every XADD sent before it; once it is stored, so are they, and XLEN counts them.
      const syncs: Array<ReturnType<typeof controlled>> = [];
      const entries = async (): Promise<number> => {
        const sync = controlled();
        syncs.push(sync);
        let stored = false;
        own.append(`window-sync-${syncs.length}`, sync.source$).subscribe(() => (stored = true));
        await sync.subscribed;
        sync.next(FRAMES[0]);
        await until(() => stored, 'the sync write');
        return client.xLen('rxlc:reply:{window}');
      };
      const src = controlled();
      const stored: ReplyLogEntry[] = [];
      own.append('window', src.source$).subscribe((e) => stored.push(e));
      await src.subscribed;
      src.next(FRAMES[0]);
      expect(await entries()).toBe(1); // no window was open: sent at once (a slow model's token waits for nothing)
      await until(() => stored.length === 1, 'the first event stored');
      const live = readAll(other.read('window', { after: stored[0].id }));
      src.next(FRAMES[1]);
      src.next(FRAMES[2]);
      advance(clock, 49);
      expect(await entries()).toBe(1); // inside the window: waiting
      advance(clock, 1);
      expect(await entries()).toBe(2); // the window closed: both in one entry, at most flushMs late
      await until(() => stored.length === 3, 'the window stored');
      src.next(FRAMES[3]); // a window follows a flush: this one waits for its end
      expect(await entries()).toBe(2);
      advance(clock, 50);
      expect(await entries()).toBe(3);
      advance(clock, 50); // a window with nothing in it closes; the next event is sent at once
      src.next(FRAMES[4]);
      expect(await entries()).toBe(4);
      src.complete(); // nothing waits: the end follows
      const whole = await readAll(other.read('window'));
      expect(whole).toEqual({ entries: stored });
      expect(stored.map((e) => e.data)).toEqual(FRAMES.slice(0, 5));
      const [first, second] = stored.map((e) => e.id);
      expect(stored[2].id).toBe(second.replace(/-(\d+)$/, (_, seq: string) => `-${Number(seq) + 1}`)); // ids inside an entry follow its id
      expect((await live).entries).toEqual(stored.slice(1));
      expect(first).not.toBe(second);
      syncs.forEach((sync) => sync.complete());
      await Promise.all([own.close(), other.close()]);
      await elsewhere.disconnect();
    });

    it('resumes byte for byte after every id of a reply of 50 entries of three events, live and stored; a reader joining a reply others follow gets what came since its replay', async () => {
      const clock = new VirtualTimeScheduler();
      const own = new RedisReplyLog({ client, ...LIVE, scheduler: clock, flushMs: 50 });
      cleanup(() => own.close());
      const deltas = ['你好', '🐍', '🐎', '👨‍👩‍👧', '🇨🇳', 'e\u0301', '', '是一种'];
      const frames = ['data: {"type":"start"}\n\n', ...Array.from({ length: 150 }, (_, i) => `data: ${JSON.stringify({ type: 'text-delta', id: 'text-1', delta: deltas[i % deltas.length] })}\n\n`)];
      const src = controlled();
      const stored: ReplyLogEntry[] = [];
      const ended = new Promise<void>((resolve) => own.append('many', src.source$).subscribe({ next: (e) => stored.push(e), complete: resolve }));
      await src.subscribed;
      src.next(frames[0]); // alone: no window was open
      const live: Array<Promise<{ entries: ReplyLogEntry[] }>> = [];
      for (let i = 1; i < frames.length; i += 3) {
        frames.slice(i, i + 3).forEach((f) => src.next(f));
        advance(clock, 50); // the window closes: one entry of three
        await until(() => stored.length === Math.min(frames.length, i + 3), 'the window stored');
        if (i < 75) live.push(...stored.slice(live.length).map((e) => readAll(log.read('many', { after: e.id })))); // resumes while live
      }
      src.complete();
      await ended; // the end marker is stored (on the writer's connection, not the one xLen asks on)
      expect(await client.xLen('rxlc:reply:{many}')).toBe(1 + 50 + 1); // the first, 50 windows, the end
      expect((await readAll(log.read('many'))).entries).toEqual(stored);
      expect(stored.map((e) => e.data)).toEqual(frames);
      for (const [i, r] of (await Promise.all(live)).entries()) expect(r.entries).toEqual(stored.slice(i + 1));
      for (const [i, e] of stored.entries()) expect((await readAll(log.read('many', { after: e.id }))).entries).toEqual(stored.slice(i + 1));
      await own.close();
    });

    it("a model's error comes after the events waiting in the flush window are stored: readers get them all, then the failure", async () => {
      const clock = new VirtualTimeScheduler();
      const own = new RedisReplyLog({ client, ...LIVE, scheduler: clock, flushMs: 50 });
      cleanup(() => own.close());
      const src = controlled();
      let error: unknown;
      own.append('broke', src.source$).subscribe({ error: (e: unknown) => (error = e) });
      await src.subscribed;
      src.next(FRAMES[0]);
      src.next(FRAMES[1]); // waits for a window the clock never closes
      src.error(new Error('the model broke'));
      const { entries, error: readError } = await readAll(log.read('broke'));
      expect(entries.map((e) => e.data)).toEqual(FRAMES.slice(0, 2));
      expect(readError).toMatchObject({ name: 'ReplyProducerGoneError', reason: 'failed' });
      await until(() => error !== undefined, 'the append to error'); // after its end is stored, which a reader may see first
      expect(error).toMatchObject({ message: 'the model broke' });
      await own.close();
    });

    it('reads a log written by decision 0280 (one event per entry in `f`), and resumes after any of its ids', async () => {
      const frames = Array.from({ length: 70 }, (_, i) => `data: ${JSON.stringify({ type: 'text-delta', id: 'text-1', delta: ['你', '🐍', '👨‍👩‍👧', `${i}`][i % 4] })}\n\n`);
      const codec = newCodec();
      const ids: string[] = [];
      for (const f of frames) ids.push(await client.xAdd('rxlc:reply:{f-log}', '*', { f: encodeFrame(codec, f) }));
      await client.xAdd('rxlc:reply:{f-log}', '*', { end: 'done' });
      expect((await readAll(log.read('f-log'))).entries).toEqual(frames.map((data, i) => ({ id: ids[i], data })));
      for (const [i, id] of ids.entries()) expect((await readAll(log.read('f-log', { after: id }))).entries.map((e) => e.data)).toEqual(frames.slice(i + 1));
    });

    it('reads a log written before decision 0280 (each event whole in `d`)', async () => {
      const ids: string[] = [];
      for (const f of FRAMES) ids.push(await client.xAdd('rxlc:reply:{legacy}', '*', { d: f }));
      await client.xAdd('rxlc:reply:{legacy}', '*', { end: 'done' });
      expect((await readAll(log.read('legacy'))).entries).toEqual(FRAMES.map((data, i) => ({ id: ids[i], data })));
      expect((await readAll(log.read('legacy', { after: ids[2] }))).entries.map((e) => e.data)).toEqual(FRAMES.slice(3));
    });

    it('a producer whose client closes errors its append at the next heartbeat, aborts its source and tells its readers', async () => {
      const doomed = await redis.client();
      const lonely = new RedisReplyLog({ client: doomed, ...LIVE });
      cleanup(() => lonely.close());
      const src = controlled();
      let error: unknown;
      let stored = 0;
      lonely.append('r3', src.source$).subscribe({ next: () => stored++, error: (e: unknown) => (error = e) });
      await src.subscribed;
      src.next(FRAMES[0]);
      await until(() => stored === 1, 'one stored event');
      const reader = readAll(log.read('r3'));
      await doomed.disconnect();
      await until(() => error !== undefined, 'the append to fail');
      expect(src.unsubscribed).toBe(true);
      const { entries, error: readError } = await reader;
      expect(entries.map((e) => e.data)).toEqual([FRAMES[0]]);
      expect(readError).toMatchObject({ name: 'ReplyProducerGoneError', reason: 'failed' }); // written on the log's own connection
      await lonely.close();
    });

    it('one heartbeat per instance, however many replies it produces', async () => {
      const before = await client.keys('rxlc:instance:*'); // other specs' instances, expiring
      const sources = [controlled(), controlled(), controlled()];
      sources.forEach((src, i) => log.append(`many-${i}`, src.source$).subscribe());
      await Promise.all(sources.map((src) => src.subscribed));
      const owners = await Promise.all(sources.map((_, i) => client.get(`rxlc:reply:{many-${i}}:producer`)));
      expect(new Set(owners).size).toBe(1);
      expect((await client.keys('rxlc:instance:*')).filter((key) => !before.includes(key))).toEqual([`rxlc:instance:${owners[0]}:alive`]);
      sources.forEach((src) => src.complete());
      for (const [i] of sources.entries()) await readAll(log.read(`many-${i}`));
    });

    it('checks its options', () => {
      expect(() => new RedisReplyLog({} as never)).toThrow(/node-redis 4 client/);
      expect(() => new RedisReplyLog({ client, heartbeatMs: 1000, producerTimeoutMs: 1000 })).toThrow(/producerTimeoutMs \(1000\) must be over heartbeatMs/);
      expect(() => new RedisReplyLog({ client, prefix: 'a b' })).toThrow(/prefix/);
      expect(() => new RedisReplyLog({ client, tailConnections: 0 })).toThrow(RangeError);
    });
  });
});
