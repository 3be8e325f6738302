/**
 * Two real web-demo processes on their own ports, one redis-server, real
 * clients (eventsource, fetch): a conversation's turns alternate between the
 * instances, a client that drops on one resumes on the other byte for byte, a
 * stop sent to one ends the reply the other runs, and a producer killed with
 * SIGKILL mid-reply leaves its readers everything stored and then an error.
 */
import type { NodeRedisClient as RedisClient } from '../../src/node/redis/nodeRedis';
import { randomUUID } from 'node:crypto';
import { RedisChatMessageHistory } from '@langchain/redis';
import { DefaultChatTransport, readUIMessageStream, type UIMessage, type UIMessageChunk } from 'ai';
import { RedisReplyLog } from '../../src/node';
import { replyTo } from '../../src/offline/cannedReplies';
import { parseEvents, readCutAndResume, type SseEvent } from '../support/resume';
import { NOT_CROSS_SITE } from '../support/sse';
import { describeWithRedis, startRedisServer, type RedisServer } from '../support/redis';
import { spawnWebDemo, type WebDemoProcess } from '../support/webDemoProcess';
import { useCleanup, useCleanupAfterAll } from '../support/cleanup';
import { startServices } from '../support/services';

const cleanup = useCleanup();

const JSON_POST = { 'content-type': 'application/json', ...NOT_CROSS_SITE };
const STORY = '讲一个关于程序员的故事';
/**
 * The offline model at 10 ms per token. Every instance keeps the default producer timeout (10 s), so
 * a live producer never looks gone on a loaded machine; a killed one is made gone by the spec itself
 * ({@link expireDeadInstance}), instead of waiting for a short timeout to run out.
 */
const ENV = { DEMO_LATENCY: '0,10' };

const textOf = (events: SseEvent[]): string =>
  events.filter((e) => e.type === 'chunk').map((e) => (JSON.parse(e.data) as { text: string }).text).join('');

describeWithRedis('the web demo as two processes over one Redis', () => {
  jest.setTimeout(240_000); // each killed instance is a fresh ts-node process; on a loaded machine that takes minutes, and nothing here measures time
  let redis: RedisServer;
  let client: RedisClient;
  let a: WebDemoProcess;
  let b: WebDemoProcess;

  const cleanupAll = useCleanupAfterAll(); // the demos (started last) stop first, then their Redis
  beforeAll(async () => {
    [redis] = await startServices(cleanupAll, startRedisServer);
    client = await redis.client();
    [a, b] = await startServices(cleanupAll, () => spawnWebDemo({ ...ENV, REDIS_URL: redis.url }), () => spawnWebDemo({ ...ENV, REDIS_URL: redis.url }));
  }, 120_000);

  const ask = async (url: string, conversationId: string, question: string): Promise<SseEvent[]> => {
    const res = await fetch(`${url}/api/chat/stream`, { method: 'POST', headers: JSON_POST, body: JSON.stringify({ question, conversationId }) });
    expect(res.status).toBe(200);
    return parseEvents(await res.text());
  };
  /**
   * What the TTLs of an instance killed mid-reply do in time, done now: its heartbeat key (so
   * readers see the producer gone at their next check) and the conversation's lock (so the
   * conversation goes on elsewhere) are removed. Key names as RedisReplyLog and RedisConversationLock write them.
   */
  const expireDeadInstance = async (conversationId: string): Promise<void> => {
    const replyId = await client.get(`rxlc:conversation:{${conversationId}}:reply`);
    const owner = replyId === null ? null : await client.get(`rxlc:reply:{${replyId}}:producer`);
    expect(owner).not.toBeNull();
    await client.del([`rxlc:instance:${owner}:alive`, `rxlc:conversation:{${conversationId}}:lock`]);
  };
  const history = (conversationId: string): RedisChatMessageHistory =>
    new RedisChatMessageHistory({ sessionId: `rxlc:conversation:{${conversationId}}:history`, client });

  it('a conversation whose turns alternate between the instances keeps its whole history in Redis', async () => {
    expect(a.url).not.toBe(b.url);
    const conversationId = randomUUID();
    const questions = ['什么是Python', 'hello', 'Tell me a joke 😀'];
    const replies = [await ask(a.url, conversationId, questions[0]), await ask(b.url, conversationId, questions[1]), await ask(a.url, conversationId, questions[2])];
    expect(replies.map(textOf)).toEqual(questions.map(replyTo));
    const stored = await history(conversationId).getMessages();
    expect(stored.map((m) => [m.getType(), m.content])).toEqual(questions.flatMap((q) => [['human', q], ['ai', replyTo(q)]]));
  });

  it('a client cut off on instance A resumes on instance B with Last-Event-ID: every event once, the same bytes, the model run once', async () => {
    const conversationId = randomUUID();
    const { events, requests, cut } = await readCutAndResume(a.url, b.url, { question: STORY, conversationId }, 12);
    expect(cut).toBe(true);
    expect(requests.map((r) => r.to)).toEqual([a.url, b.url]);
    const replyId = (JSON.parse(events[0].data) as { replyId: string }).replyId;
    expect(requests[1].lastEventId).toBe(events[12].id); // start + 12 chunks before the cut
    const whole = parseEvents(await (await fetch(`${b.url}/api/chat/stream?conversationId=${conversationId}&replyId=${replyId}`, { headers: NOT_CROSS_SITE })).text());
    expect(events).toEqual(whole);
    expect(textOf(events)).toBe(replyTo(STORY));
    expect(await history(conversationId).getMessages()).toHaveLength(2); // one turn: the model ran once
  });

  it('a stop sent to instance B ends the reply instance A runs; the partial reply is saved marked partial, never as complete', async () => {
    const conversationId = randomUUID();
    const res = await fetch(`${a.url}/api/chat/stream`, { method: 'POST', headers: JSON_POST, body: JSON.stringify({ question: STORY, conversationId }) });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let body = '';
    while ((body.match(/event: chunk/g) ?? []).length < 5) body += (await reader.read()).value ?? '';
    const stop = await fetch(`${b.url}/api/chat/${conversationId}/stop`, { method: 'POST', headers: NOT_CROSS_SITE });
    expect(await stop.json()).toMatchObject({ stopped: true });
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      body += value;
    }
    const events = parseEvents(body);
    expect(JSON.parse(events.at(-1)!.data)).toMatchObject({ stopped: true, saved: true });
    const partial = textOf(events);
    expect(replyTo(STORY).startsWith(partial)).toBe(true);
    expect(partial.length).toBeLessThan(replyTo(STORY).length);
    const stored = await history(conversationId).getMessages();
    expect(stored.map((m) => m.getType())).toEqual(['human', 'ai']);
    expect(stored[1].content).toBe(partial);
    expect(stored[1].response_metadata).toMatchObject({ partial: true, partial_reason: 'stop' });
  });

  it('the producing instance is killed mid-reply: a client resuming on B gets everything stored, then an error event, never a hang', async () => {
    const c = await spawnWebDemo({ ...ENV, REDIS_URL: redis.url });
    cleanup(() => c.kill());
    const conversationId = randomUUID();
    const res = await fetch(`${c.url}/api/chat/stream`, { method: 'POST', headers: JSON_POST, body: JSON.stringify({ question: STORY, conversationId }) });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let body = '';
    while ((body.match(/event: chunk/g) ?? []).length < 8) body += (await reader.read()).value ?? '';
    await c.kill(); // SIGKILL: no end is written, its heartbeat stops
    await expireDeadInstance(conversationId);
    const seen = parseEvents(body.slice(0, body.lastIndexOf('\n\n') + 2));
    const resumed = await fetch(`${b.url}/api/chat/stream`, {
      method: 'POST',
      headers: { ...JSON_POST, 'last-event-id': seen.at(-1)!.id },
      body: JSON.stringify({ question: STORY, conversationId }),
    });
    const rest = parseEvents(await resumed.text());
    const last = rest.at(-1)!;
    expect(last.type).toBe('error');
    expect(JSON.parse(last.data)).toMatchObject({ name: 'ReplyProducerGoneError', code: 'REPLY_PRODUCER_GONE' });
    const text = textOf([...seen, ...rest]);
    expect(replyTo(STORY).startsWith(text)).toBe(true); // everything stored, in order, nothing twice
    expect(text.length).toBeLessThan(replyTo(STORY).length);
    expect(await history(conversationId).getMessages()).toEqual([]); // nothing cut is saved
    // The conversation goes on elsewhere once the dead instance's lock has expired.
    expect(textOf(await ask(b.url, conversationId, 'hello'))).toBe(replyTo('hello'));
  });
  describe("the AI SDK endpoint (POST /api/chat with the chat's id), read with the ai package's own client", () => {
    const transport = (url: string): DefaultChatTransport<UIMessage> => new DefaultChatTransport<UIMessage>({ api: `${url}/api/chat`, headers: NOT_CROSS_SITE });
    const send = (url: string, chatId: string, text: string, abortSignal?: AbortSignal): Promise<ReadableStream<UIMessageChunk>> =>
      transport(url).sendMessages({ chatId, messages: [{ id: randomUUID(), role: 'user', parts: [{ type: 'text', text }] }], trigger: 'submit-message', messageId: undefined, abortSignal });
    const deltas = (chunks: UIMessageChunk[]): string => chunks.map((c) => (c.type === 'text-delta' ? c.delta : '')).join('');
    /** Reads until `count` text deltas arrived; the reader stays open. */
    const readDeltas = async (reader: ReadableStreamDefaultReader<UIMessageChunk>, count: number): Promise<UIMessageChunk[]> => {
      const seen: UIMessageChunk[] = [];
      while (seen.filter((c) => c.type === 'text-delta').length < count) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`the reply ended after ${seen.length} chunks`);
        seen.push(value);
      }
      return seen;
    };

    it('a useChat client dropped mid-reply on A resumes on B (GET /api/chat/:id/stream): the whole reply byte-exact, the model run once; then 204', async () => {
      const chatId = randomUUID();
      const abort = new AbortController();
      const reader = (await send(a.url, chatId, STORY, abort.signal)).getReader();
      const seen = await readDeltas(reader, 12);
      abort.abort(); // the client drops
      await reader.cancel().catch(() => undefined);

      const resumed = await transport(b.url).reconnectToStream({ chatId });
      expect(resumed).not.toBeNull();
      const chunks: UIMessageChunk[] = [];
      let message: UIMessage | undefined;
      const tapped = resumed!.pipeThrough(new TransformStream<UIMessageChunk, UIMessageChunk>({ transform: (c, ctl) => void (chunks.push(c), ctl.enqueue(c)) }));
      for await (const snapshot of readUIMessageStream({ stream: tapped })) message = snapshot;

      // The same chunks from the start, the start chunk's random messageId too: B replayed A's run, it did not run the model again.
      expect(chunks.slice(0, seen.length)).toEqual(seen);
      expect(chunks.at(-1)).toMatchObject({ type: 'finish' });
      const text = message!.parts.map((p) => (p.type === 'text' ? p.text : '')).join('');
      expect(text).toBe(deltas(chunks));
      expect(text).toBe(replyTo(STORY));
      // One turn stored under the chat id (on instance A, which ran the model once).
      const stored = await history(chatId).getMessages();
      expect(stored.map((m) => [m.getType(), m.content])).toEqual([['human', STORY], ['ai', text]]);
      expect(await transport(a.url).reconnectToStream({ chatId })).toBeNull(); // nothing runs any more
      expect(await transport(b.url).reconnectToStream({ chatId: randomUUID() })).toBeNull();
    });

    it("the instance running a chat's reply is killed mid-reply: once it is seen gone, DefaultChatTransport.reconnectToStream on B gets every stored chunk, then an error chunk saying the producer is gone (not a 204, never a hang)", async () => {
      const c = await spawnWebDemo({ ...ENV, REDIS_URL: redis.url });
      cleanup(() => c.kill());
      const chatId = randomUUID();
      const reader = (await send(c.url, chatId, STORY)).getReader();
      const seen = await readDeltas(reader, 8);
      await c.kill(); // SIGKILL: no end is written, its heartbeat stops
      await reader.cancel().catch(() => undefined);
      // Its heartbeat key gone (the reply is no longer live): the case that was a 204.
      await expireDeadInstance(chatId);
      const log = new RedisReplyLog({ client });
      cleanup(() => log.close());
      expect((await log.latestReply(chatId))?.live).toBe(false);
      await log.close();

      const resumed = await transport(b.url).reconnectToStream({ chatId });
      expect(resumed).not.toBeNull();
      const chunks: UIMessageChunk[] = [];
      const errors: unknown[] = [];
      let message: UIMessage | undefined;
      const tapped = resumed!.pipeThrough(new TransformStream<UIMessageChunk, UIMessageChunk>({ transform: (ch, ctl) => void (chunks.push(ch), ctl.enqueue(ch)) }));
      for await (const snapshot of readUIMessageStream({ stream: tapped, onError: (e) => errors.push(e) })) message = snapshot;

      expect(chunks.slice(0, seen.length)).toEqual(seen); // everything stored, from the start
      const last = chunks.at(-1) as { type: string; errorText: string };
      expect(last).toEqual({ type: 'error', errorText: expect.stringMatching(/producer stopped sending heartbeats/) });
      expect(errors.map((e) => (e as Error).message)).toEqual([last.errorText]);
      const text = message!.parts.map((p) => (p.type === 'text' ? p.text : '')).join('');
      expect(text).toBe(deltas(chunks));
      expect(replyTo(STORY).startsWith(text)).toBe(true);
      expect(text.length).toBeLessThan(replyTo(STORY).length);
      expect(await history(chatId).getMessages()).toEqual([]); // nothing cut is saved
      // The chat goes on on B once the dead instance's lock has expired; after that turn ended, a 204 again.
      const nextReader = (await send(b.url, chatId, 'hello')).getReader();
      const next: UIMessageChunk[] = [];
      for (let r = await nextReader.read(); !r.done; r = await nextReader.read()) next.push(r.value);
      expect(deltas(next)).toBe(replyTo('hello'));
      expect(await transport(b.url).reconnectToStream({ chatId })).toBeNull();
    });

    it("POST /api/chat/:id/stop on B stops A's model: the stream ends with abort, the partial answer is saved marked partial", async () => {
      const chatId = randomUUID();
      const reader = (await send(a.url, chatId, STORY)).getReader();
      const seen = await readDeltas(reader, 5);
      const stop = await fetch(`${b.url}/api/chat/${chatId}/stop`, { method: 'POST', headers: NOT_CROSS_SITE });
      expect(await stop.json()).toMatchObject({ stopped: true });
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        seen.push(value);
      }
      expect(seen.at(-1)).toEqual({ type: 'abort' });
      const partial = deltas(seen);
      expect(replyTo(STORY).startsWith(partial)).toBe(true);
      expect(partial.length).toBeLessThan(replyTo(STORY).length);
      const stored = await history(chatId).getMessages();
      expect(stored.map((m) => [m.getType(), m.content])).toEqual([['human', STORY], ['ai', partial]]);
      expect(stored[1].response_metadata).toMatchObject({ partial: true, partial_reason: 'stop' });
    });
  });
});
