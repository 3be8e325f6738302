/**
 * The web demo's conversations: history per conversationId, one reply log per
 * turn (resume with Last-Event-ID), stop from any instance. In memory (one
 * instance) and in Redis (two instances in this process, each with its own
 * client, over one redis-server). Separate processes: webDemo.redis.e2e.spec.ts.
 */
import { randomUUID } from 'node:crypto';
import type { BaseMessage } from '@langchain/core/messages';
import { WebSocket } from 'ws';
import { startWebDemo, type WebDemo } from '../../demos/web/server';
import { createScaleOut } from '../../demos/web/scaleOut';
import { ScriptedChatModel } from '../../src/testing';
import { NOT_CROSS_SITE } from '../support/sse';
import { parseEvents as parse, readCutAndResume, type SseEvent as Event } from '../support/resume';
import { describeWithRedis, startRedisServer, type RedisServer } from '../support/redis';
import { useCleanup } from '../support/cleanup';

const JSON_POST = { 'content-type': 'application/json', ...NOT_CROSS_SITE };

/** Replies with what it was shown (the history the turn got), slowly when `chunkDelayMs` is set. */
const modelSeeingHistory = (chunkDelayMs = 0): ScriptedChatModel =>
  new ScriptedChatModel({
    chunkDelayMs,
    reply: (messages: BaseMessage[]) => `看到${messages.length - 2}条历史 😀 ${messages.slice(1).map((m) => m.content).join(' | ')}` + ' 词'.repeat(chunkDelayMs ? 150 : 2),
  });

async function ask(url: string, conversationId: string, question: string): Promise<{ status: number; events: Event[] }> {
  const res = await fetch(`${url}/api/chat/stream`, { method: 'POST', headers: JSON_POST, body: JSON.stringify({ question, conversationId }) });
  return { status: res.status, events: parse(await res.text()) };
}

const textOf = (events: Event[]): string =>
  events.filter((e) => e.type === 'chunk').map((e) => (JSON.parse(e.data) as { text: string }).text).join('');

type Message = Record<string, unknown> & { type: string };

/** A WebSocket client of the demo's /ws that records every message and can wait for one. */
async function socket(url: string) {
  const ws = new WebSocket(url.replace('http', 'ws') + '/ws');
  const messages: Message[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data) => {
    messages.push(JSON.parse(data.toString()) as Message);
    waiters.forEach((w) => w());
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return {
    messages,
    send: (message: object) => ws.send(JSON.stringify(message)),
    /** The first recorded message that matches (now or once it arrives). */
    waitFor: (match: (m: Message) => boolean): Promise<Message> =>
      new Promise((resolve) => {
        const check = (): void => {
          const found = messages.find(match);
          if (!found) return;
          waiters.delete(check);
          resolve(found);
        };
        waiters.add(check);
        check();
      }),
    close: () => new Promise<void>((resolve) => (ws.once('close', () => resolve()), ws.close())),
  };
}
const wsText = (messages: Message[], replyId: unknown): string => {
  // A conversation turn's messages: from its start (which names the reply) to its end.
  const from = messages.findIndex((m) => m.type === 'start' && m.replyId === replyId);
  const end = messages.findIndex((m, i) => i > from && (m.type === 'done' || m.type === 'error') && m.conversationId === messages[from].conversationId);
  return messages.slice(from, end).filter((m) => m.type === 'chunk').map((m) => m.text).join('');
};

interface Fixture {
  a: WebDemo;
  b: WebDemo;
  /** A conversation's stored history, as B sees it. */
  history(conversationId: string): Promise<BaseMessage[]>;
  close(): Promise<void>;
}

function scenario(make: (model: () => ScriptedChatModel) => Promise<Fixture>): void {
  let fx: Fixture | undefined;
  const cleanup = useCleanup(); // before the afterEach below: closers run first, where a finally ran
  afterEach(async () => {
    await fx?.close();
    fx = undefined;
  });

  it("turns alternating between instances see the conversation's whole history; another conversation sees none", async () => {
    fx = await make(() => modelSeeingHistory());
    const conversationId = randomUUID();
    const one = await ask(fx.a.url, conversationId, '第一个问题');
    const two = await ask(fx.b.url, conversationId, '第二个问题');
    const three = await ask(fx.a.url, conversationId, '第三个问题');
    expect([one, two, three].map((r) => r.status)).toEqual([200, 200, 200]);
    expect(textOf(one.events)).toMatch(/^看到0条历史/);
    expect(textOf(two.events)).toMatch(/^看到2条历史 😀 第一个问题 \| 看到0条历史/);
    expect(textOf(three.events)).toMatch(/^看到4条历史 😀 第一个问题 \| 看到0条历史.* \| 第二个问题 \| 看到2条历史/);
    expect(textOf((await ask(fx.b.url, randomUUID(), '别的对话')).events)).toMatch(/^看到0条历史/);
    // Every reply starts with its ids and ends with done; every event has the log's id.
    expect(one.events[0].type).toBe('start');
    expect(JSON.parse(one.events[0].data)).toEqual({ conversationId, replyId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(one.events.at(-1)).toMatchObject({ type: 'done' });
    expect(one.events.every((e) => e.id !== '')).toBe(true);
  });

  it('a client that drops reconnects to the other instance with Last-Event-ID and gets exactly the rest (a real EventSource)', async () => {
    fx = await make(() => modelSeeingHistory(3));
    const conversationId = randomUUID();
    const { requests, events, cut } = await readCutAndResume(fx.a.url, fx.b.url, { question: '讲个故事', conversationId }, 10);
    expect(cut).toBe(true);
    expect(requests).toHaveLength(2);
    expect(requests[0]).toEqual({ to: fx.a.url, lastEventId: null });
    expect(requests[1].to).toBe(fx.b.url);
    // The whole reply, read again from the start on instance B: the same events, ids and bytes.
    const replyId = (JSON.parse(events[0].data) as { replyId: string }).replyId;
    const whole = parse(await (await fetch(`${fx.b.url}/api/chat/stream?conversationId=${conversationId}&replyId=${replyId}`, { headers: NOT_CROSS_SITE })).text());
    expect(events).toEqual(whole);
    expect(requests[1].lastEventId).toBe(whole[10].id); // start + 10 chunks seen before the drop
    expect(textOf(events)).toMatch(/^看到0条历史 😀 讲个故事( 词){150}$/);
  });

  it('POST /api/chat/:id/stop on the other instance stops the reply where it runs; the partial reply is saved marked partial', async () => {
    fx = await make(() => modelSeeingHistory(3));
    const conversationId = randomUUID();
    const res = await fetch(`${fx.a.url}/api/chat/stream`, { method: 'POST', headers: JSON_POST, body: JSON.stringify({ question: '长问题', conversationId }) });
    const reader = res.body!.getReader();
    let body = '';
    while ((body.match(/event: chunk/g) ?? []).length < 5) body += new TextDecoder().decode((await reader.read()).value);
    const stop = await fetch(`${fx.b.url}/api/chat/${conversationId}/stop`, { method: 'POST', headers: NOT_CROSS_SITE });
    expect(stop.status).toBe(200);
    expect(await stop.json()).toEqual({ stopped: true, replyId: expect.any(String) });
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      body += new TextDecoder().decode(value);
    }
    const events = parse(body);
    expect(events.at(-1)).toMatchObject({ type: 'done' });
    expect(JSON.parse(events.at(-1)!.data)).toMatchObject({ stopped: true, saved: true });
    expect(textOf(events).length).toBeLessThan(`看到0条历史 😀 长问题${' 词'.repeat(150)}`.length);
    // The next turn, on the other instance, sees the question and the partial answer.
    const next = await ask(fx.b.url, conversationId, '继续');
    expect(textOf(next.events)).toMatch(/^看到2条历史 😀 长问题 \| 看到0条历史/);
    // Nothing runs any more: a second stop finds nothing (200 { stopped: false }: the caller may see this conversation).
    const again = await fetch(`${fx.a.url}/api/chat/${conversationId}/stop`, { method: 'POST', headers: NOT_CROSS_SITE });
    expect([again.status, await again.json()]).toEqual([200, { stopped: false }]);
  });

  it('a WebSocket stop with the conversationId, sent to the other instance, stops the reply an SSE client started; the partial reply is saved marked partial, never as complete', async () => {
    fx = await make(() => modelSeeingHistory(3));
    const conversationId = randomUUID();
    const res = await fetch(`${fx.a.url}/api/chat/stream`, { method: 'POST', headers: JSON_POST, body: JSON.stringify({ question: '长问题', conversationId }) });
    const reader = res.body!.getReader();
    let body = '';
    while ((body.match(/event: chunk/g) ?? []).length < 5) body += new TextDecoder().decode((await reader.read()).value);
    const ws = await socket(fx.b.url);
    cleanup(() => ws.close());
    ws.send({ type: 'stop', conversationId });
    const replyId = (JSON.parse(parse(body)[0].data) as { replyId: string }).replyId;
    expect(await ws.waitFor((m) => m.type === 'stop')).toEqual({ type: 'stop', conversationId, stopped: true, replyId });
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      body += new TextDecoder().decode(value);
    }
    const events = parse(body);
    expect(JSON.parse(events.at(-1)!.data)).toMatchObject({ stopped: true, saved: true });
    const partial = textOf(events);
    expect(partial.length).toBeLessThan(`看到0条历史 😀 长问题${' 词'.repeat(150)}`.length);
    const stored = await fx.history(conversationId);
    expect(stored.map((m) => [m.getType(), m.content])).toEqual([['human', '长问题'], ['ai', partial]]);
    expect(stored[1].response_metadata).toMatchObject({ partial: true, partial_reason: 'stop' });
    // Nothing runs any more: a second stop finds nothing.
    ws.send({ type: 'stop', conversationId });
    await ws.waitFor((m) => m.type === 'stop' && m.stopped === false);
    expect(ws.messages.at(-1)).toEqual({ type: 'stop', conversationId, stopped: false });
  });

  it("a WebSocket ask with a conversationId is a turn of that conversation (its history, its reply log), stoppable from the other instance's socket; without one the socket's own session answers as before", async () => {
    fx = await make(() => modelSeeingHistory(3));
    const conversationId = randomUUID();
    const [onA, onB] = await Promise.all([socket(fx.a.url), socket(fx.b.url)]);
    cleanup(() => Promise.all([onA.close(), onB.close()]));
    onA.send({ type: 'ask', question: '第一个问题', conversationId });
    const first = await onA.waitFor((m) => m.type === 'done');
    const start = onA.messages[0];
    expect(start).toEqual({ type: 'start', conversationId, replyId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(first).toMatchObject({ type: 'done', conversationId, turn: 0, stopped: false });
    expect(onA.messages.slice(1, -1).every((m) => m.type === 'chunk' && m.conversationId === conversationId)).toBe(true);
    expect(wsText(onA.messages, start.replyId)).toMatch(/^看到0条历史 😀 第一个问题( 词){150}$/);
    // The reply log has the WebSocket turn (its latest reply, from the start); the same conversation over SSE on B sees it.
    const replayed = parse(await (await fetch(`${fx.b.url}/api/chat/stream?conversationId=${conversationId}`, { headers: NOT_CROSS_SITE })).text());
    expect(textOf(replayed)).toBe(wsText(onA.messages, start.replyId));
    expect(textOf((await ask(fx.b.url, conversationId, '第二个问题')).events)).toMatch(/^看到2条历史 😀 第一个问题 \| 看到0条历史/);

    // A turn asked on A's socket, stopped from B's socket.
    const before = onA.messages.length;
    onA.send({ type: 'ask', question: '长问题', conversationId });
    await onA.waitFor((m) => onA.messages.indexOf(m) >= before + 6); // its start and 5 chunks
    onB.send({ type: 'stop', conversationId });
    expect(await onB.waitFor((m) => m.type === 'stop')).toMatchObject({ type: 'stop', conversationId, stopped: true });
    const stopped = await onA.waitFor((m) => m.type === 'done' && m.stopped === true);
    expect(stopped).toMatchObject({ conversationId, stopped: true, saved: true });
    const second = onA.messages[before];
    const partial = wsText(onA.messages, second.replyId);
    expect(partial.length).toBeLessThan(`看到4条历史 😀 第一个问题${' 词'.repeat(150)}`.length);
    const stored = await fx.history(conversationId);
    expect(stored.map((m) => m.getType())).toEqual(['human', 'ai', 'human', 'ai', 'human', 'ai']);
    expect(stored[5].content).toBe(partial);
    expect(stored[5].response_metadata).toMatchObject({ partial: true, partial_reason: 'stop' });

    // Without a conversationId: the connection's own session, exactly as before (its own history, no ids).
    const plain = onA.messages.length;
    onA.send({ type: 'ask', question: '别的' });
    expect(await onA.waitFor((m) => onA.messages.indexOf(m) >= plain && m.type === 'done')).toEqual({ type: 'done', turn: 0, stopped: false });
    const session = onA.messages.slice(plain, -1);
    expect(session.every((m) => m.type === 'chunk' && m.turn === 0 && !('conversationId' in m))).toBe(true);
    expect(session.map((m) => m.text).join('')).toMatch(/^看到0条历史 😀 别的( 词){150}$/);
    expect(await fx.history(conversationId)).toHaveLength(6);

    // A bad conversationId or question is an error message; the connection stays open.
    onB.send({ type: 'ask', question: 'q', conversationId: 'a b' });
    expect(await onB.waitFor((m) => m.type === 'error')).toMatchObject({ status: 400, conversationId: 'a b' });
    onB.send({ type: 'ask', question: '', conversationId });
    await onB.waitFor((m) => m.type === 'error' && onB.messages.filter((x) => x.type === 'error').length === 2);
  });

  it('checks conversation ids and refuses a stop from another site', async () => {
    fx = await make(() => modelSeeingHistory());
    const bad = await fetch(`${fx.a.url}/api/chat/stream`, { method: 'POST', headers: JSON_POST, body: JSON.stringify({ question: 'q', conversationId: 'a b' }) });
    expect(bad.status).toBe(400);
    expect((await fetch(`${fx.a.url}/api/chat/stream?conversationId=${randomUUID()}`, { headers: { ...NOT_CROSS_SITE, 'last-event-id': '1-0' } })).status).toBe(404);
    expect((await fetch(`${fx.a.url}/api/chat/${randomUUID()}/stop`, { method: 'POST', headers: { origin: 'https://evil.example' } })).status).toBe(403);
    expect((await fetch(`${fx.a.url}/api/chat/%E0%A4%A/stop`, { method: 'POST', headers: NOT_CROSS_SITE })).status).toBe(400);
    const short = await fetch(`${fx.a.url}/api/chat/42/stop`, { method: 'POST', headers: NOT_CROSS_SITE }); // a guessable id
    expect([short.status, (await short.json()).error]).toEqual([400, expect.stringMatching(/at least 16 random characters/)]);
    expect((await fetch(`${fx.a.url}/api/chat/x/stop`, { headers: NOT_CROSS_SITE })).status).toBe(405);
  });
}

describe('web demo conversations', () => {
  describe('in memory (one instance)', () => {
    scenario(async (model) => {
      const state = await createScaleOut();
      const demo = await startWebDemo({ port: 0, model: model(), conversations: state });
      return { a: demo, b: demo, history: (id) => state.history(id).getMessages(), close: async () => void (await demo.close(), await state.close()) };
    });
  });

  describeWithRedis('in Redis (two instances, one redis-server)', () => {
    let redis: RedisServer;
    beforeAll(async () => {
      redis = await startRedisServer();
    });
    afterAll(async () => {
      await redis?.stop();
    });
    scenario(async (model) => {
      const state = await createScaleOut({ redisUrl: redis.url });
      const [a, b] = await Promise.all([
        startWebDemo({ port: 0, model: model(), scaleOut: { redisUrl: redis.url } }),
        startWebDemo({ port: 0, model: model(), conversations: state }),
      ]);
      expect([a.state, b.state]).toEqual(['redis', 'redis']);
      return { a, b, history: (id) => state.history(id).getMessages(), close: async () => void (await Promise.all([a.close(), b.close()]), await state.close()) };
    });
  });
});
