/**
 * Approvals across chat handler instances as two processes would run them, over one real
 * redis-server and one Postgres database: each instance has its own Redis client, reply log, lock,
 * owners and RedisChatHistory, its own agent objects (a real createAgent +
 * humanInTheLoopMiddleware) and its own `PostgresSaver` (connectPostgresCheckpointer, its own pool);
 * nothing is shared but the servers. The request starts on A, a reload on B shows it, the decision
 * sent to B resumes the run and the tool runs once; two concurrent decisions give one resume and
 * one 409; a stop while waiting and an instance killed while waiting (its handler closed, its Redis
 * and Postgres connections gone) or while the resumed tool runs lose nothing and save nothing cut
 * as complete.
 */
import type { StateSnapshot } from '@langchain/langgraph';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { createChatHandler, type ChatHandler } from '../../../src';
import { connectPostgresCheckpointer, RedisChatHistory, RedisConversationLock, RedisConversationOwners, RedisReplyLog, type RedisClient } from '../../../src/node';
import { approvalAgent } from '../../support/approvalAgent';
import { askBody, Command, decisionBody, get, post, sseEvents, typesOf, uiChunks, waitingOf } from '../../support/approvalHandler';
import { newChatId, until } from '../../support/chatHandler';
import { describeWithPostgres, startPostgresServer, type PostgresServer } from '../../support/postgres';
import { describeWithRedis, startRedisServer, type RedisServer } from '../../support/redis';
import { useCleanupAfterAll } from '../../support/cleanup';
import { startServices } from '../../support/services';

/** What one instance (one process) owns. */
interface Instance {
  agent: ReturnType<typeof approvalAgent>['agent'];
  /** The process dies: its handler closes (its runs are aborted), its Redis client and Postgres pool are gone. */
  kill(): Promise<void>;
}

describeWithRedis('createChatHandler({ agent }) approvals: two instances over Redis', () => describeWithPostgres('and Postgres (a PostgresSaver per instance)', () => {
  let redis: RedisServer;
  let pg: PostgresServer;
  let databaseUrl: string;
  let gate: { open(): void; wait: Promise<void> };
  /** Every run of the tool and what its abort signal said, on any instance. */
  const setup = { runs: [] as Record<string, unknown>[], aborted: [] as boolean[] };
  const instances = new Map<ChatHandler, Instance>();
  const cleanupAll = useCleanupAfterAll();
  beforeAll(async () => {
    [redis, pg] = await startServices(cleanupAll, startRedisServer, startPostgresServer);
    databaseUrl = await pg.createDatabase();
  });
  beforeEach(() => {
    let open!: () => void;
    gate = { open: () => open(), wait: new Promise<void>((resolve) => (open = resolve)) };
    setup.runs.length = 0;
    setup.aborted.length = 0;
  });
  afterEach(async () => {
    gate.open();
    await Promise.all([...instances.values()].map((i) => i.kill()));
    instances.clear();
    await redis.flush();
  });

  /** One instance: its own Redis client and stores, its own agent on its own PostgresSaver. */
  async function instance(): Promise<ChatHandler> {
    const client = (await redis.client()) as unknown as RedisClient;
    const replyLog = new RedisReplyLog({ client });
    const checkpointer = await connectPostgresCheckpointer(databaseUrl, { PostgresSaver, maxConnections: 4, log: () => undefined });
    const { agent } = approvalAgent({ toolGate: () => gate.wait, checkpointer, runs: setup.runs, aborted: setup.aborted });
    const handler = createChatHandler({
      agent, Command, replyLog,
      lock: new RedisConversationLock({ client }),
      owners: new RedisConversationOwners({ client }),
      history: (id) => new RedisChatHistory({ sessionId: `rxlc:conversation:{${id}}:history`, client }),
      authorize: ({ request }) => request.headers.get('x-user') ?? 'alice',
    });
    let killed: Promise<void> | undefined;
    const kill = async () => {
      await handler.close();
      await replyLog.close();
      await (client as unknown as { disconnect(): Promise<void> }).disconnect().catch(() => undefined); // no QUIT: gone, as a dead process
      await checkpointer.end();
    };
    instances.set(handler, { agent, kill: () => (killed ??= kill()) });
    return handler;
  }
  const killInstance = (h: ChatHandler) => instances.get(h)!.kill();
  /** What an instance's own agent reads from its own saver: the thread's pending interrupts and messages. */
  const stateOn = async (h: ChatHandler, chatId: string) => {
    const agent = instances.get(h)!.agent as unknown as { getState(config: { configurable: { thread_id: string } }): Promise<StateSnapshot> };
    const state = await agent.getState({ configurable: { thread_id: chatId } });
    return { interrupts: state.tasks.flatMap((t) => t.interrupts), next: state.next, messages: (state.values as { messages?: unknown[] }).messages ?? [] };
  };

  async function waitingOnA() {
    const [a, b] = await Promise.all([instance(), instance()]);
    const chatId = newChatId();
    const first = await uiChunks(await post(a, '', askBody(chatId)));
    return { a, b, chatId, first, waiting: waitingOf(first) };
  }
  const history = async (h: ChatHandler, chatId: string) => (await get(h, `/${chatId}/history`)).json();

  it('request on A, reload on B shows it, the decision sent to B resumes the run: the tool runs once', async () => {
    gate.open();
    const { a, b, chatId, first, waiting } = await waitingOnA();
    expect(typesOf(first).slice(-2)).toEqual(['tool-approval-request', 'finish']);
    expect((await stateOn(b, chatId)).interrupts).toHaveLength(1); // B's own agent and saver see the thread A started
    const reloaded = await history(b, chatId);
    expect(reloaded.messages[1].parts[1]).toEqual({ type: 'tool-send_email', toolCallId: waiting.toolCallId, input: { to: 'ada@example.com', body: '你好 🌏' }, state: 'approval-requested', approval: { id: waiting.approvalId } });
    expect(reloaded.pendingApprovals.map((r: { id: string }) => r.id)).toEqual([waiting.approvalId]);
    expect((await get(b, `/${chatId}/history`, { 'x-user': 'mallory' })).status).toBe(404);
    const second = await uiChunks(await post(b, '', decisionBody(chatId, waiting, { approved: true })));
    expect(second[0]).toEqual({ type: 'start', messageId: waiting.messageId });
    expect(typesOf(second)).toContain('tool-output-available');
    expect(setup.runs).toEqual([{ to: 'ada@example.com', body: '你好 🌏' }]);
    const after = await history(b, chatId);
    expect(after.pendingApprovals).toEqual([]);
    expect(after.messages[1].parts.map((p: { type: string; state?: string }) => p.state ?? p.type)).toEqual(['text', 'output-available', 'step-start', 'text']);
    const onA = await stateOn(a, chatId); // and A's sees what B did
    expect(onA).toMatchObject({ interrupts: [], next: [] });
    expect(onA.messages.map((m) => (m as { getType(): string }).getType())).toEqual(['human', 'ai', 'tool', 'ai']);
  });

  it('edit on B over the SSE route: the tool runs once with the edited args; reject on B over the AI SDK route: it never runs', async () => {
    gate.open();
    const edited = await waitingOnA();
    const resumed = await sseEvents(await post(edited.b, '/stream', { conversationId: edited.chatId, decisions: [{ id: edited.waiting.approvalId, type: 'edit', args: { to: 'grace@example.com', body: '改过的 ✏️' } }] }));
    expect(resumed.at(-1)!.event).toBe('done');
    expect(setup.runs).toEqual([{ to: 'grace@example.com', body: '改过的 ✏️' }]);
    expect((await history(edited.a, edited.chatId)).messages[1].parts[1]).toMatchObject({ input: { to: 'grace@example.com', body: '改过的 ✏️' }, state: 'output-available' });
    const rejected = await waitingOnA();
    const denied = await uiChunks(await post(rejected.b, '', decisionBody(rejected.chatId, rejected.waiting, { approved: false, reason: '不发了' })));
    expect(typesOf(denied)).toContain('tool-output-denied');
    expect(setup.runs).toHaveLength(1);
    expect((await history(rejected.a, rejected.chatId)).messages[1].parts[1].state).toBe('output-denied');
  });

  it('two concurrent decisions, one to A and one to B: exactly one resume, the other a 409; the tool runs once', async () => {
    const { a, b, chatId, waiting } = await waitingOnA();
    const body = decisionBody(chatId, waiting, { approved: true });
    const answers = [post(a, '', body), post(b, '', body)];
    await until(() => setup.runs.length === 1); // the winner's tool runs, holding the conversation's lock
    gate.open();
    const responses = await Promise.all(answers);
    expect(responses.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = responses.find((r) => r.status === 200)!;
    expect(typesOf(await uiChunks(winner))).toContain('tool-output-available');
    expect(setup.runs).toHaveLength(1);
    expect((await history(a, chatId)).pendingApprovals).toEqual([]);
  });

  it('a stop while waiting changes nothing (nothing runs, nothing saved as complete); the later decision still resumes', async () => {
    gate.open();
    const { a, b, chatId, waiting } = await waitingOnA();
    const stop = await post(b, `/${chatId}/stop`, {});
    expect(await stop.json()).toEqual({ stopped: false });
    expect((await get(a, `/${chatId}/stream`)).status).toBe(204);
    const reloaded = await history(a, chatId);
    expect(reloaded.pendingApprovals).toHaveLength(1);
    expect(reloaded.messages[1].metadata).toBeUndefined();
    expect((await stateOn(b, chatId)).interrupts).toHaveLength(1); // the thread still waits at the interrupt
    await uiChunks(await post(a, '', decisionBody(chatId, waiting, { approved: true })));
    expect(setup.runs).toHaveLength(1);
  });

  it('A killed while waiting (handler closed, its Redis and Postgres connections gone): B shows the request and resumes it; so does an instance started after', async () => {
    gate.open();
    const { a, b, chatId, waiting } = await waitingOnA();
    // A is idle, waiting: its turn let go of the conversation's lock (killed before that lands, the lock would hold B off until its TTL).
    const probe = await redis.client();
    while ((await probe.exists(`rxlc:conversation:{${chatId}}:lock`)) === 1) await new Promise((resolve) => setImmediate(resolve));
    await killInstance(a);
    expect((await history(b, chatId)).pendingApprovals.map((r: { id: string }) => r.id)).toEqual([waiting.approvalId]);
    const resumed = await uiChunks(await post(b, '', decisionBody(chatId, waiting, { approved: true })));
    expect(typesOf(resumed)).toContain('tool-output-available');
    expect(setup.runs).toHaveLength(1);
    const c = await instance();
    expect(await history(c, chatId)).toMatchObject({ pendingApprovals: [] });
    expect(await stateOn(c, chatId)).toMatchObject({ interrupts: [], next: [] });
  });

  it('an instance killed while the resumed tool runs: nothing is saved as complete, the request still waits, and another instance resumes it', async () => {
    const { a, b, chatId, waiting } = await waitingOnA();
    const answer = post(a, '', decisionBody(chatId, waiting, { approved: true }));
    await until(() => setup.runs.length === 1);
    const cut = await answer;
    await killInstance(a); // the producer ends: the resumed run is aborted mid-tool, its connections go
    await uiChunks(cut);
    expect(setup.aborted).toEqual([]); // the tool has not returned yet
    gate.open();
    await until(() => setup.aborted.length === 1);
    expect(setup.aborted).toEqual([true]); // it saw its abort
    const reloaded = await history(b, chatId);
    expect(reloaded.pendingApprovals.map((r: { id: string }) => r.id)).toEqual([waiting.approvalId]);
    expect(reloaded.messages).toHaveLength(2);
    const response = await post(b, '', decisionBody(chatId, waiting, { approved: true }));
    if (response.status !== 200) throw new Error(`${response.status} ${await response.text()}`);
    const resumed = await uiChunks(response);
    expect(typesOf(resumed)).toContain('tool-output-available');
    expect(setup.runs).toHaveLength(2); // the cut run and the one that finished: the thread continued from the decision taken on A
    const saved = await history(b, chatId);
    expect(saved.pendingApprovals).toEqual([]);
    expect(saved.messages[1].parts[1]).toMatchObject({ state: 'output-available', output: '已发送给 ada@example.com' });
  });
}));
