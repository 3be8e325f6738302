/**
 * Two chat handler instances over one real redis-server (each with its own client, reply log,
 * lock, history and owners), driven by the `ai` client's DefaultChatTransport: a client dropped
 * on A resumes on B byte-exact; a stop sent to B ends A's run; one conversation alternating
 * between A and B keeps its history in order; a conversation claimed on A is a 404 on B for
 * another principal; a stop sent to B while A's turn waits for the lock stops it, and no later turn.
 */
import { createChatHandler, type ChatHandler } from '../../../src';
import { RedisChatHistory, RedisConversationLock, RedisConversationOwners, RedisReplyLog, type LockTurn, type RedisClient } from '../../../src/node';
import { gatedStream, HALF, newChatId, readAll, REPLY, startReply, textOf, transport, user, type FetchLike, type Runs } from '../../support/chatHandler';
import { VirtualTimeScheduler } from 'rxjs';
import { describeWithRedis, expireHeartbeatOf, startRedisServer, type RedisServer } from '../../support/redis';
import { useCleanup } from '../../support/cleanup';

const BASE = 'http://localhost/api/chat';

describeWithRedis('createChatHandler: two instances over Redis', () => {
  let redis: RedisServer;
  let runs: Runs;
  let a: ChatHandler;
  let b: ChatHandler;
  const logs: RedisReplyLog[] = [];
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => redis?.stop());
  beforeEach(async () => {
    const gated = gatedStream();
    runs = gated.runs;
    const instance = async (): Promise<ChatHandler> => {
      const client = (await redis.client()) as unknown as RedisClient;
      const replyLog = new RedisReplyLog({ client });
      logs.push(replyLog);
      return createChatHandler({
        stream: gated.stream,
        replyLog,
        lock: new RedisConversationLock({ client }),
        owners: new RedisConversationOwners({ client }),
        history: (id) => new RedisChatHistory({ sessionId: `rxlc:conversation:{${id}}:history`, client }), // a turn in one command
        authorize: ({ request }) => request.headers.get('x-user') ?? 'alice',
      });
    };
    [a, b] = await Promise.all([instance(), instance()]);
  });
  const cleanup = useCleanup(); // before the afterEach below: closers run first, where a finally ran
  afterEach(async () => {
    runs.open();
    await Promise.all([a.close(), b.close()]);
    await Promise.all(logs.splice(0).map((log) => log.close()));
    await redis.flush();
  });
  const on = (h: ChatHandler): FetchLike => (input, init) => h.fetch(new Request(input, init));

  it('a client dropped on A resumes on B: the whole reply byte-exact, the model run once; then 204', async () => {
    const chatId = newChatId();
    const first = await startReply(transport(BASE, on(a)), chatId, '你好', 3);
    await first.drop();
    const resumed = await transport(BASE, on(b)).reconnectToStream({ chatId });
    runs.open();
    expect(textOf((await readAll(resumed!)).message)).toBe(REPLY);
    expect([runs.started, runs.completed]).toEqual([1, 1]);
    expect(await transport(BASE, on(b)).reconnectToStream({ chatId })).toBeNull();
  });

  it("a stop sent to B ends A's run: abort, the model aborted", async () => {
    const chatId = newChatId();
    const reply = await startReply(transport(BASE, on(a)), chatId, '你好', HALF);
    const stop = await b.fetch(new Request(`${BASE}/${chatId}/stop`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }));
    expect(await stop.json()).toMatchObject({ stopped: true });
    expect((await reply.rest()).map((c) => c.type)).toContain('abort');
    expect(runs.aborted).toBe(1);
  });

  it("a stop sent to B ends A's run also while A's heartbeat key has lapsed (A's event loop stalled past producerTimeoutMs)", async () => {
    // A beats on a clock nobody advances; the spec removes its heartbeat key: what a stall longer than
    // producerTimeoutMs does (the issue-22 bench at N = 1,000: 49 of 50 stops refused so, the model ran on).
    const gated = gatedStream();
    const client = (await redis.client()) as unknown as RedisClient;
    const replyLog = new RedisReplyLog({ client, scheduler: new VirtualTimeScheduler(), flushMs: 0 }); // flushMs 0: stored at once on a still clock
    logs.push(replyLog);
    const stalled = createChatHandler({ stream: gated.stream, replyLog, lock: new RedisConversationLock({ client }), owners: new RedisConversationOwners({ client }), authorize: () => 'alice' });
    cleanup(() => stalled.close());
    cleanup(() => gated.runs.open());
    const chatId = newChatId();
    const reply = await startReply(transport(BASE, on(stalled)), chatId, '你好', HALF);
    const admin = await redis.client();
    await expireHeartbeatOf(admin, (await admin.get(`rxlc:conversation:{${chatId}}:reply`))!);
    const stop = await b.fetch(new Request(`${BASE}/${chatId}/stop`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }));
    expect(await stop.json()).toMatchObject({ stopped: true });
    expect((await reply.rest()).map((c) => c.type)).toContain('abort');
    expect(gated.runs.aborted).toBe(1);
  });

  it("a stop sent to B while A's turn waits for the lock an earlier turn holds: both stopped, the waiting model never called; a later turn runs whole", async () => {
    const chatId = newChatId();
    const first = await startReply(transport(BASE, on(a)), chatId, '第一', HALF);
    const second = transport(BASE, on(a)).sendMessages({ chatId, messages: [user('第二')], trigger: 'submit-message', messageId: undefined, abortSignal: undefined });
    const observer = new RedisConversationLock({ client: (await redis.client()) as unknown as RedisClient });
    let turns: LockTurn[];
    while ((turns = await observer.turns(chatId)).length < 2) await new Promise((resolve) => setImmediate(resolve)); // order, not time
    const stop = await b.fetch(new Request(`${BASE}/${chatId}/stop`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }));
    expect(await stop.json()).toEqual({ stopped: true, replyId: turns[1].id });
    expect((await first.rest()).map((c) => c.type)).toContain('abort');
    expect((await readAll(await second)).chunks.map((c) => c.type)).toEqual(['start', 'abort']);
    expect([runs.started, runs.aborted]).toEqual([1, 1]);
    // The stop's flags stay in Redis for a while: they name the stopped replies, not the conversation.
    runs.open();
    const later = await readAll(await transport(BASE, on(b)).sendMessages({ chatId, messages: [user('第三')], trigger: 'submit-message', messageId: undefined, abortSignal: undefined }));
    expect(textOf(later.message)).toBe(REPLY);
    expect([runs.started, runs.completed]).toEqual([2, 1]);
    const stale = await b.fetch(new Request(`${BASE}/${chatId}/stop`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }));
    expect(await stale.json()).toEqual({ stopped: false });
  });

  it('one conversation alternating between A and B keeps its history in order; another principal gets 404 on B', async () => {
    runs.open();
    const chatId = newChatId();
    for (const [i, h] of [a, b, a, b].entries()) {
      await readAll(await transport(BASE, on(h)).sendMessages({ chatId, messages: [user(`问题${i}`)], trigger: 'submit-message', messageId: undefined, abortSignal: undefined }));
    }
    const seen = runs.seen[3].filter((m) => m.getType() === 'human').map((m) => m.content);
    expect(seen).toEqual(['问题0', '问题1', '问题2', '问题3']);
    const history = await (await b.fetch(new Request(`${BASE}/${chatId}/history`, { headers: { 'x-requested-with': 'spec' } }))).json();
    expect(history.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user', 'assistant', 'user', 'assistant']);
    const mallory = await b.fetch(new Request(`${BASE}/${chatId}/history`, { headers: { 'x-requested-with': 'spec', 'x-user': 'mallory' } }));
    expect(mallory.status).toBe(404);
  });
});
