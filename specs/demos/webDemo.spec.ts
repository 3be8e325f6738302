import { EventSource } from 'eventsource';
import { WebSocket } from 'ws';
import { ChatOpenAI } from '@langchain/openai';
import { startWebDemo } from '../../demos/web/server';
import { ScriptedChatModel, startFakeOpenAIServer } from '../../src/testing';
import { replyTo } from '../../src/offline/cannedReplies';
import { eventSourceInit, NOT_CROSS_SITE } from '../support/sse';
import { listen } from '../support/http';
import { useCleanup } from '../support/cleanup';

const cleanup = useCleanup();

const JSON_BODY = { 'content-type': 'application/json' };

describe('web demo server', () => {
  it('serves the page and script, answers unknown routes with 404 and wrong methods with 405', async () => {
    const demo = await startWebDemo({ port: 0, model: new ScriptedChatModel() });
    cleanup(() => demo.close());
    expect(demo.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const page = await fetch(demo.url + '/');
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('<script type="module" src="/app.js"></script>');
    expect((await fetch(demo.url + '/app.js')).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await fetch(demo.url + '/nope')).status).toBe(404);
    expect((await fetch(demo.url + '/../package.json')).status).toBe(404);
    expect((await fetch(demo.url + '/api/chat/stream', { method: 'DELETE' })).status).toBe(405);
  });

  it('POST /api/chat/stream streams the answer as SSE; GET with ?question= too (read by a real SSE client)', async () => {
    const demo = await startWebDemo({ port: 0, model: new ScriptedChatModel() });
    cleanup(() => demo.close());
    const post = await fetch(demo.url + '/api/chat/stream', { method: 'POST', headers: JSON_BODY, body: JSON.stringify({ question: '讲一个关于Python的笑话' }) });
    expect(post.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const text = [...(await post.text()).matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]) as { text?: string });
    expect(text.slice(0, -1).map((d) => d.text).join('')).toBe(replyTo('讲一个关于Python的笑话'));

    const viaGet = await new Promise<string>((resolve, reject) => {
      const es = new EventSource(`${demo.url}/api/chat/stream?question=${encodeURIComponent('你好')}`, eventSourceInit);
      let all = '';
      es.addEventListener('chunk', (e) => (all += (JSON.parse(e.data) as { text: string }).text));
      es.addEventListener('done', () => (es.close(), resolve(all)));
      es.addEventListener('error', (e) => (es.close(), reject(new Error(String(e.message)))));
    });
    expect(viaGet).toBe(replyTo('你好'));
  });

  it('caps the body (413), rejects bad JSON and missing questions (400), and sends nothing to the model', async () => {
    const requests: unknown[] = [];
    const demo = await startWebDemo({ port: 0, maxBodyBytes: 1024, model: new ScriptedChatModel({ onRequest: (m) => requests.push(m) }) });
    cleanup(() => demo.close());
    const big = await fetch(demo.url + '/api/chat/stream', { method: 'POST', headers: JSON_BODY, body: JSON.stringify({ question: 'x'.repeat(5000) }) });
    expect(big.status).toBe(413);
    const bad = await fetch(demo.url + '/api/chat/stream', { method: 'POST', headers: JSON_BODY, body: '{nope' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: 'The request body must be JSON like {"question": "…", "conversationId": "…"} or {"conversationId": "…", "decisions": [{"id": "…", "type": "approve"}]}.',
    });
    expect((await fetch(demo.url + '/api/chat/stream', { method: 'POST', headers: JSON_BODY, body: '{}' })).status).toBe(400);
    expect((await fetch(demo.url + '/api/chat/stream', { headers: NOT_CROSS_SITE })).status).toBe(400);
    expect(requests).toHaveLength(0);
  });

  it('refuses other origins: 403 for cross-site API calls and WebSocket upgrades; same origin and non-browser clients pass', async () => {
    const demo = await startWebDemo({ port: 0, model: new ScriptedChatModel() });
    const upgrade = (origin?: string): Promise<number> =>
      new Promise((resolve) => {
        const ws = new WebSocket(demo.url.replace('http', 'ws') + '/ws', { headers: origin ? { origin } : {} });
        ws.on('open', () => (ws.close(), resolve(101)));
        ws.on('unexpected-response', (_req, res) => (ws.terminate(), resolve(res.statusCode ?? 0)));
        ws.on('error', () => undefined);
      });
    cleanup(() => demo.close());
    const post = (origin: string) => fetch(demo.url + '/api/chat/stream', { method: 'POST', headers: { origin, ...JSON_BODY }, body: '{"question":"hi"}' });
    expect((await post('https://evil.example')).status).toBe(403);
    const same = await post(demo.url);
    expect(same.status).toBe(200);
    await same.text();
    expect(await upgrade('https://evil.example')).toBe(403);
    expect(await upgrade(demo.url)).toBe(101);
    expect(await upgrade()).toBe(101);
  });

  it('aborting the fetch mid-reply aborts the real ChatOpenAI request, and close() ends running replies', async () => {
    const openai = await startFakeOpenAIServer({ chunkDelayMs: 10 });
    const demo = await startWebDemo({
      port: 0,
      model: new ChatOpenAI({ apiKey: 'test', model: 'gpt-4o-mini', configuration: { baseURL: openai.baseURL } }),
    });
    cleanup(() => openai.close());
    cleanup(() => demo.close());
    const controller = new AbortController();
    const response = await fetch(demo.url + '/api/chat/stream?question=story', { signal: controller.signal, headers: NOT_CROSS_SITE });
    const reader = response.body!.getReader();
    let seen = '';
    while ((seen.match(/event: chunk/g) ?? []).length < 3) seen += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    const record = await openai.waitForClose();
    expect(record.closedByClient).toBe(true);
    expect(record.chunksWritten).toBeLessThan(record.chunksTotal);
  });

  it('a busy port rejects with how to pick another (--port / PORT)', async () => {
    const first = await startWebDemo({ port: 0, model: new ScriptedChatModel() });
    cleanup(() => first.close());
    const port = Number(new URL(first.url).port);
    await expect(startWebDemo({ port, model: new ScriptedChatModel() })).rejects.toThrow(
      `Port ${port} on 127.0.0.1 is already in use (another server is running there). Pick another with --port <n> or PORT=<n> (0 picks a free one).`,
    );
  });

  it('a failed reply reaches the page as the CLI describes it (cause, endpoint, what to do), over SSE and WebSocket', async () => {
    const closed = await listen(() => undefined);
    await closed.close(); // a port nothing listens on any more
    const baseURL = `${closed.url}/v1`;
    const demo = await startWebDemo({ port: 0, baseURL, model: new ChatOpenAI({ apiKey: 'test', model: 'gpt-4o-mini', maxRetries: 0, configuration: { baseURL } }) });
    cleanup(() => demo.close());
    const expected = `Cannot reach ${baseURL} (ECONNREFUSED); is the server running and OPENAI_BASE_URL right?`;
    const sse = await fetch(demo.url + '/api/chat/stream', { method: 'POST', headers: JSON_BODY, body: '{"question":"hi"}' });
    const error = /^event: error\nid: \d+\ndata: (.*)$/m.exec(await sse.text());
    expect(JSON.parse(error![1])).toMatchObject({ message: expected });
    const viaWs = await new Promise<{ message?: string }>((resolve, reject) => {
      const ws = new WebSocket(demo.url.replace('http', 'ws') + '/ws');
      ws.on('open', () => ws.send(JSON.stringify({ type: 'ask', question: 'hi' })));
      ws.on('message', (data) => (ws.close(), resolve(JSON.parse(String(data)) as { message?: string })));
      ws.on('error', reject);
    });
    expect(viaWs).toMatchObject({ type: 'error', message: expected });
  });
});
