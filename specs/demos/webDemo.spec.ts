import { EventSource } from 'eventsource';
import { WebSocket } from 'ws';
import { ChatOpenAI } from '@langchain/openai';
import { startWebDemo } from '../../demos/web/server';
import { ScriptedChatModel, startFakeOpenAIServer } from '../../src/testing';
import { replyTo } from '../../src/offline/cannedReplies';

describe('web demo server', () => {
  it('serves the page and script, answers unknown routes with 404 and wrong methods with 405', async () => {
    const demo = await startWebDemo({ port: 0, model: new ScriptedChatModel() });
    try {
      expect(demo.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const page = await fetch(demo.url + '/');
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await page.text()).toContain('<script type="module" src="/app.js"></script>');
      expect((await fetch(demo.url + '/app.js')).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect((await fetch(demo.url + '/nope')).status).toBe(404);
      expect((await fetch(demo.url + '/../package.json')).status).toBe(404);
      expect((await fetch(demo.url + '/api/chat/stream', { method: 'DELETE' })).status).toBe(405);
    } finally {
      await demo.close();
    }
  });

  it('POST /api/chat/stream streams the answer as SSE; GET with ?question= too (read by a real SSE client)', async () => {
    const demo = await startWebDemo({ port: 0, model: new ScriptedChatModel() });
    try {
      const post = await fetch(demo.url + '/api/chat/stream', { method: 'POST', body: JSON.stringify({ question: '讲一个关于Python的笑话' }) });
      expect(post.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      const text = [...(await post.text()).matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]) as { text?: string });
      expect(text.slice(0, -1).map((d) => d.text).join('')).toBe(replyTo('讲一个关于Python的笑话'));

      const viaGet = await new Promise<string>((resolve, reject) => {
        const es = new EventSource(`${demo.url}/api/chat/stream?question=${encodeURIComponent('你好')}`);
        let all = '';
        es.addEventListener('chunk', (e) => (all += (JSON.parse(e.data) as { text: string }).text));
        es.addEventListener('done', () => (es.close(), resolve(all)));
        es.addEventListener('error', (e) => (es.close(), reject(new Error(String(e.message)))));
      });
      expect(viaGet).toBe(replyTo('你好'));
    } finally {
      await demo.close();
    }
  });

  it('caps the body (413), rejects bad JSON and missing questions (400), and sends nothing to the model', async () => {
    const requests: unknown[] = [];
    const demo = await startWebDemo({ port: 0, maxBodyBytes: 1024, model: new ScriptedChatModel({ onRequest: (m) => requests.push(m) }) });
    try {
      const big = await fetch(demo.url + '/api/chat/stream', { method: 'POST', body: JSON.stringify({ question: 'x'.repeat(5000) }) });
      expect(big.status).toBe(413);
      const bad = await fetch(demo.url + '/api/chat/stream', { method: 'POST', body: '{nope' });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toEqual({ error: 'Request body must be JSON like {"question": "…"}.' });
      expect((await fetch(demo.url + '/api/chat/stream', { method: 'POST', body: '{}' })).status).toBe(400);
      expect((await fetch(demo.url + '/api/chat/stream')).status).toBe(400);
      expect(requests).toHaveLength(0);
    } finally {
      await demo.close();
    }
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
    try {
      const post = (origin: string) => fetch(demo.url + '/api/chat/stream', { method: 'POST', headers: { origin }, body: '{"question":"hi"}' });
      expect((await post('https://evil.example')).status).toBe(403);
      const same = await post(demo.url);
      expect(same.status).toBe(200);
      await same.text();
      expect(await upgrade('https://evil.example')).toBe(403);
      expect(await upgrade(demo.url)).toBe(101);
      expect(await upgrade()).toBe(101);
    } finally {
      await demo.close();
    }
  });

  it('aborting the fetch mid-reply aborts the real ChatOpenAI request, and close() ends running replies', async () => {
    const openai = await startFakeOpenAIServer({ tokenMs: 10 });
    const demo = await startWebDemo({
      port: 0,
      model: new ChatOpenAI({ apiKey: 'test', model: 'gpt-4o-mini', configuration: { baseURL: openai.baseURL } }),
    });
    try {
      const controller = new AbortController();
      const response = await fetch(demo.url + '/api/chat/stream?question=story', { signal: controller.signal });
      const reader = response.body!.getReader();
      let seen = '';
      while ((seen.match(/event: chunk/g) ?? []).length < 3) seen += new TextDecoder().decode((await reader.read()).value);
      controller.abort();
      const record = await openai.waitForClose();
      expect(record.closedByClient).toBe(true);
      expect(record.chunksWritten).toBeLessThan(record.chunksTotal);
    } finally {
      await demo.close();
      await openai.close();
    }
  });
});
