/**
 * Approvals across chat handler instances over one real redis-server: a real createAgent +
 * humanInTheLoopMiddleware behind two handlers (each with its own Redis client, reply log, lock,
 * owners and RedisChatHistory), sharing the agent's checkpointer (one MemorySaver object, as a
 * shared checkpointer would be). The request starts on A, a reload on B shows it, the decision sent
 * to B resumes the run and the tool runs once; two concurrent decisions give one resume and one
 * 409; a stop while waiting and an instance killed while waiting (or while the resumed tool runs)
 * lose nothing and save nothing cut as complete.
 */
import { createChatHandler, type ChatHandler } from '../../../src';
import { RedisChatHistory, RedisConversationLock, RedisConversationOwners, RedisReplyLog, type RedisClient } from '../../../src/node';
import { approvalAgent } from '../../support/approvalAgent';
import { askBody, Command, decisionBody, get, post, sseEvents, typesOf, uiChunks, waitingOf } from '../../support/approvalHandler';
import { newChatId, until } from '../../support/chatHandler';
import { describeWithRedis, startRedisServer, type RedisServer } from '../../support/redis';

describeWithRedis('createChatHandler({ agent }) approvals: two instances over Redis', () => {
  let redis: RedisServer;
  let setup: ReturnType<typeof approvalAgent>;
  let gate: { open(): void; wait: Promise<void> };
  const handlers: ChatHandler[] = [];
  const logs: RedisReplyLog[] = [];
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => redis?.stop());
  beforeEach(() => {
    let open!: () => void;
    gate = { open: () => open(), wait: new Promise<void>((resolve) => (open = resolve)) };
    setup = approvalAgent({ toolGate: () => gate.wait });
  });
  afterEach(async () => {
    gate.open();
    await Promise.all(handlers.splice(0).map((h) => h.close()));
    await Promise.all(logs.splice(0).map((log) => log.close()));
    await redis.flush();
  });

  /** One instance: its own client and stores over the shared Redis, the shared agent and checkpointer. */
  async function instance(): Promise<ChatHandler> {
    const client = (await redis.client()) as unknown as RedisClient;
    const replyLog = new RedisReplyLog({ client });
    logs.push(replyLog);
    const handler = createChatHandler({
      agent: setup.agent, Command, replyLog,
      lock: new RedisConversationLock({ client }),
      owners: new RedisConversationOwners({ client }),
      history: (id) => new RedisChatHistory({ sessionId: `rxlc:conversation:{${id}}:history`, client }),
      authorize: ({ request }) => request.headers.get('x-user') ?? 'alice',
    });
    handlers.push(handler);
    return handler;
  }

  async function waitingOnA() {
    const [a, b] = await Promise.all([instance(), instance()]);
    const chatId = newChatId();
    const first = await uiChunks(await post(a, '', askBody(chatId)));
    return { a, b, chatId, first, waiting: waitingOf(first) };
  }
  const history = async (h: ChatHandler, chatId: string) => (await get(h, `/${chatId}/history`)).json();

  it('request on A, reload on B shows it, the decision sent to B resumes the run: the tool runs once', async () => {
    gate.open();
    const { b, chatId, first, waiting } = await waitingOnA();
    expect(typesOf(first).slice(-2)).toEqual(['tool-approval-request', 'finish']);
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
    await uiChunks(await post(a, '', decisionBody(chatId, waiting, { approved: true })));
    expect(setup.runs).toHaveLength(1);
  });

  it('an instance killed while waiting: a new instance over the same Redis and checkpointer shows the request and resumes it', async () => {
    gate.open();
    const { a, chatId, waiting } = await waitingOnA();
    await a.close();
    const c = await instance();
    expect((await history(c, chatId)).pendingApprovals.map((r: { id: string }) => r.id)).toEqual([waiting.approvalId]);
    await uiChunks(await post(c, '', decisionBody(chatId, waiting, { approved: true })));
    expect(setup.runs).toHaveLength(1);
  });

  it('an instance killed while the resumed tool runs: nothing is saved as complete, the request still waits, and another instance resumes it', async () => {
    const { a, b, chatId, waiting } = await waitingOnA();
    const answer = post(a, '', decisionBody(chatId, waiting, { approved: true }));
    await until(() => setup.runs.length === 1);
    const cut = await answer;
    await a.close(); // the producer ends: the resumed run is aborted mid-tool
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
});
