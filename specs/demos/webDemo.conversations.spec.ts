/**
 * The web demo's conversations: history per conversationId, one reply log per
 * turn (resume with Last-Event-ID), stop from any instance. In memory (one
 * instance) and in Redis (two instances in this process, each with its own
 * client, over one redis-server). Separate processes: webDemo.redis.e2e.spec.ts.
 */
import { randomUUID } from 'node:crypto';
import type { BaseMessage } from '@langchain/core/messages';
import { startWebDemo, type WebDemo } from '../../demos/web/server';
import { ScriptedChatModel } from '../../src/testing';
import { NOT_CROSS_SITE } from '../support/sse';
import { parseEvents as parse, readCutAndResume, type SseEvent as Event } from '../support/resume';
import { describeWithRedis, startRedisServer, type RedisServer } from '../support/redis';

const JSON_POST = { 'content-type': 'application/json', ...NOT_CROSS_SITE };

/** Replies with what it was shown (the history the turn got), slowly when `tokenMs` is set. */
const modelSeeingHistory = (tokenMs = 0): ScriptedChatModel =>
  new ScriptedChatModel({
    tokenMs,
    reply: (messages: BaseMessage[]) => `看到${messages.length - 2}条历史 😀 ${messages.slice(1).map((m) => m.content).join(' | ')}` + ' 词'.repeat(tokenMs ? 150 : 2),
  });

async function ask(url: string, conversationId: string, question: string): Promise<{ status: number; events: Event[] }> {
  const res = await fetch(`${url}/api/chat/stream`, { method: 'POST', headers: JSON_POST, body: JSON.stringify({ question, conversationId }) });
  return { status: res.status, events: parse(await res.text()) };
}

const textOf = (events: Event[]): string =>
  events.filter((e) => e.type === 'chunk').map((e) => (JSON.parse(e.data) as { text: string }).text).join('');

function scenario(make: (model: () => ScriptedChatModel) => Promise<{ a: WebDemo; b: WebDemo; close(): Promise<void> }>): void {
  let fx: { a: WebDemo; b: WebDemo; close(): Promise<void> } | undefined;
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
    // Nothing runs any more: a second stop finds nothing.
    expect((await fetch(`${fx.a.url}/api/chat/${conversationId}/stop`, { method: 'POST', headers: NOT_CROSS_SITE })).status).toBe(404);
  });

  it('checks conversation ids and refuses a stop from another site', async () => {
    fx = await make(() => modelSeeingHistory());
    const bad = await fetch(`${fx.a.url}/api/chat/stream`, { method: 'POST', headers: JSON_POST, body: JSON.stringify({ question: 'q', conversationId: 'a b' }) });
    expect(bad.status).toBe(400);
    expect((await fetch(`${fx.a.url}/api/chat/stream?conversationId=${randomUUID()}`, { headers: { ...NOT_CROSS_SITE, 'last-event-id': '1-0' } })).status).toBe(404);
    expect((await fetch(`${fx.a.url}/api/chat/${randomUUID()}/stop`, { method: 'POST', headers: { origin: 'https://evil.example' } })).status).toBe(403);
    expect((await fetch(`${fx.a.url}/api/chat/%E0%A4%A/stop`, { method: 'POST', headers: NOT_CROSS_SITE })).status).toBe(404);
    expect((await fetch(`${fx.a.url}/api/chat/x/stop`, { headers: NOT_CROSS_SITE })).status).toBe(405);
  });
}

describe('web demo conversations', () => {
  describe('in memory (one instance)', () => {
    scenario(async (model) => {
      const demo = await startWebDemo({ port: 0, model: model() });
      return { a: demo, b: demo, close: () => demo.close() };
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
      const [a, b] = await Promise.all([
        startWebDemo({ port: 0, model: model(), scaleOut: { redisUrl: redis.url } }),
        startWebDemo({ port: 0, model: model(), scaleOut: { redisUrl: redis.url } }),
      ]);
      expect([a.state, b.state]).toEqual(['redis', 'redis']);
      return { a, b, close: async () => void (await Promise.all([a.close(), b.close()])) };
    });
  });
});
