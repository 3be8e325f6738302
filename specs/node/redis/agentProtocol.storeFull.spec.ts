/**
 * The agent-protocol handler answers a store that cannot take a request as the chat handler does
 * (issue 22): 503 with Retry-After and one clear message, not 500 and not a run id of a run that
 * never starts. Redis full (`maxmemory` with `noeviction`) refuses every write: the owner claim
 * of `POST /threads` and a thread's event stream, the lock of `run.start`. Nothing runs; once
 * Redis has room again the same thread works.
 */
import { createAgentProtocolHandler, StoreUnavailableError, type AgentProtocolHandler } from '../../../src';
import { RedisConversationLock, RedisConversationOwners, RedisReplyLog, type RedisClient } from '../../../src/node';
import { protocolGraphs, ToolGate } from '../../support/agentProtocol';
import { newChatId } from '../../support/chatHandler';
import { describeWithRedis, startRedisServer, type RedisServer } from '../../support/redis';

const BASE = 'http://localhost';
const JSON_HEADERS = { 'content-type': 'application/json' };

/** Redis with `noeviction` at `maxmemory 1` refuses every write (`on`), or has room again. */
async function setFull(client: RedisClient, on: boolean): Promise<void> {
  const send = (args: string[]): Promise<unknown> => (client as unknown as { sendCommand(a: string[]): Promise<unknown> }).sendCommand(args);
  await send(['CONFIG', 'SET', 'maxmemory-policy', 'noeviction']);
  await send(['CONFIG', 'SET', 'maxmemory', on ? '1' : '0']);
}

const post = (handler: AgentProtocolHandler, path: string, body: unknown): Promise<Response> =>
  handler.fetch(new Request(`${BASE}${path}`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) }));
const runStart = (handler: AgentProtocolHandler, threadId: string): Promise<Response> =>
  post(handler, `/threads/${threadId}/commands`, { id: 1, method: 'run.start', params: { assistant_id: 'plain', input: { messages: [{ role: 'user', content: 'Python 3.12 是哪天发布的？🐍' }] } } });

/** 503 with the handlers' `Retry-After` (7 s here) and one clear message, without Redis's script text. */
async function expectUnavailable(response: Response): Promise<void> {
  expect([response.status, response.headers.get('retry-after')]).toEqual([503, '7']);
  const body = (await response.json()) as { error: string; message: string };
  expect(body.error).toBe('unavailable');
  expect(body.message).toMatch(/not available; try again/);
  expect(body.message).not.toMatch(/script|OOM command/);
}

describeWithRedis('createAgentProtocolHandler over a full Redis', () => {
  let redis: RedisServer;
  let client: RedisClient;
  let replyLog: RedisReplyLog;
  let handler: AgentProtocolHandler;
  const errors: unknown[] = [];
  const gate = new ToolGate();
  beforeAll(async () => {
    redis = await startRedisServer();
    client = (await redis.client()) as unknown as RedisClient;
    replyLog = new RedisReplyLog({ client });
    handler = createAgentProtocolHandler({
      graphs: protocolGraphs(gate),
      replyLog,
      lock: new RedisConversationLock({ client }),
      owners: new RedisConversationOwners({ client }),
      authorize: () => 'alice',
      retryAfterSeconds: 7,
      onError: (error) => void errors.push(error),
    });
  });
  afterAll(async () => {
    await handler?.close();
    await replyLog?.close();
    await redis?.stop();
  });

  it('POST /threads: the owner claim is refused → 503 with Retry-After; nothing created; the same thread works once Redis has room', async () => {
    const threadId = newChatId();
    await setFull(client, true);
    const refused = await post(handler, '/threads', { thread_id: threadId });
    await setFull(client, false);
    await expectUnavailable(refused);
    expect(errors.at(-1)).toBeInstanceOf(StoreUnavailableError);
    expect((await post(handler, '/threads', { thread_id: threadId })).status).toBe(200);
  });

  it('run.start on a thread alice owns: the lock is refused → 503, no run id of a run that never starts; the tool never ran', async () => {
    const threadId = newChatId();
    expect((await post(handler, '/threads', { thread_id: threadId })).status).toBe(200);
    await setFull(client, true);
    const refused = await runStart(handler, threadId);
    await setFull(client, false);
    await expectUnavailable(refused);
    expect(gate.calls).toBe(0);

    const started = await runStart(handler, threadId);
    expect(started.status).toBe(200);
    const { result } = (await started.json()) as { result: { run_id: string } };
    expect(result.run_id).toEqual(expect.any(String));
  });

  it('run.start behind a running run still answers at once with its id (the lock said "wait", not "refused")', async () => {
    const threadId = newChatId();
    gate.held = true;
    const toolStarted = gate.started();
    expect((await runStart(handler, threadId)).status).toBe(200);
    await toolStarted;
    const queued = await runStart(handler, threadId);
    expect(queued.status).toBe(200);
    expect(((await queued.json()) as { result: { run_id: string } }).result.run_id).toEqual(expect.any(String));
    gate.release();
  });

  it('the event stream of a thread nobody owns yet: the claim is refused → 503', async () => {
    await setFull(client, true);
    const refused = await post(handler, `/threads/${newChatId()}/stream/events`, { channels: ['lifecycle'] });
    await setFull(client, false);
    await expectUnavailable(refused);
  });
});

describeWithRedis('createAgentProtocolHandler whose reply log is on a full Redis, its lock on one with room', () => {
  let lockRedis: RedisServer;
  let logRedis: RedisServer;
  let logClient: RedisClient;
  let replyLog: RedisReplyLog;
  let handler: AgentProtocolHandler;
  const gate = new ToolGate();
  beforeAll(async () => {
    lockRedis = await startRedisServer();
    logRedis = await startRedisServer();
    const lockClient = (await lockRedis.client()) as unknown as RedisClient;
    logClient = (await logRedis.client()) as unknown as RedisClient;
    replyLog = new RedisReplyLog({ client: logClient });
    handler = createAgentProtocolHandler({
      graphs: protocolGraphs(gate),
      replyLog,
      lock: new RedisConversationLock({ client: lockClient }),
      owners: new RedisConversationOwners({ client: lockClient }),
      authorize: () => 'alice',
      retryAfterSeconds: 7,
      onError: () => undefined,
    });
  });
  afterAll(async () => {
    await handler?.close();
    await replyLog?.close();
    await Promise.all([lockRedis?.stop(), logRedis?.stop()]);
  });

  it('run.start: the lock is held but the run cannot be written → 503, no run id; the tool never ran; the lock is free again', async () => {
    const threadId = newChatId();
    expect((await post(handler, '/threads', { thread_id: threadId })).status).toBe(200);
    await setFull(logClient, true);
    const refused = await runStart(handler, threadId);
    await setFull(logClient, false);
    await expectUnavailable(refused);
    expect(gate.calls).toBe(0);

    const started = await runStart(handler, threadId);
    expect(started.status).toBe(200);
    expect(((await started.json()) as { result: { run_id: string } }).result.run_id).toEqual(expect.any(String));
  });
});
