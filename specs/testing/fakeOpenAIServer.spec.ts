import { request } from 'node:http';
import { connect } from 'node:net';
import { ChatOpenAI } from '@langchain/openai';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../../src/testing/fakeOpenAIServer';
import { tokenize } from '../../src/offline/tokenize';

function post(server: FakeOpenAIServer, path: string, body: string | Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, path, method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (p: Buffer) => parts.push(p));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('startFakeOpenAIServer', () => {
  let server: FakeOpenAIServer;
  afterEach(() => server?.close());

  it('binds 127.0.0.1 on a free port', async () => {
    server = await startFakeOpenAIServer();
    expect(server.baseURL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(server.port).toBeGreaterThan(0);
  });

  it("streams OpenAI's chunk format with a usage chunk and [DONE]", async () => {
    server = await startFakeOpenAIServer({ reply: 'Hi 你好' });
    const { status, text } = await post(
      server,
      '/v1/chat/completions',
      JSON.stringify({ model: 'm', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'q' }] }),
    );
    expect(status).toBe(200);
    const frames = text.split('\n\n').filter(Boolean);
    expect(frames.at(-1)).toBe('data: [DONE]');
    const payloads = frames.slice(0, -1).map((f) => JSON.parse(f.replace(/^data: /, '')));
    expect(payloads[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    const content = payloads.flatMap((p) => p.choices.map((c: { delta: { content?: string } }) => c.delta.content ?? '')).join('');
    expect(content).toBe('Hi 你好');
    expect(payloads.some((p) => p.choices[0]?.finish_reason === 'stop')).toBe(true);
    expect(payloads.at(-1).usage).toMatchObject({ completion_tokens: tokenize('Hi 你好').length });
    expect(server.requests[0]).toMatchObject({ completed: true, closedByClient: false, chunksWritten: tokenize('Hi 你好').length });
  });

  it('opens every stream with the role chunk by default, as OpenAI does; roleChunk: false starts with the text', async () => {
    const body = JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'q' }] });
    const deltas = async (s: FakeOpenAIServer): Promise<unknown[]> =>
      (await post(s, '/v1/chat/completions', body)).text
        .split('\n\n')
        .filter((f) => f && f !== 'data: [DONE]')
        .map((f) => JSON.parse(f.replace(/^data: /, '')).choices[0].delta);
    server = await startFakeOpenAIServer({ reply: 'Hi' });
    expect(await deltas(server)).toEqual([{ role: 'assistant', content: '' }, { content: 'Hi' }, {}]);
    await server.close();
    server = await startFakeOpenAIServer({ reply: 'Hi', roleChunk: false });
    expect(await deltas(server)).toEqual([{ content: 'Hi' }, {}]);
    await expect(startFakeOpenAIServer({ roleChunk: 'yes' as never })).rejects.toThrow(
      new TypeError('startFakeOpenAIServer: roleChunk must be a boolean, got the string "yes".'),
    );
  });

  it('answers non-streaming requests, also for the real ChatOpenAI invoke', async () => {
    server = await startFakeOpenAIServer();
    const model = new ChatOpenAI({ apiKey: 'k', model: 'gpt-4o-mini', maxRetries: 0, configuration: { baseURL: server.baseURL } });
    const reply = await model.invoke('什么是Rust？');
    expect(reply.content).toContain('Rust');
    expect(reply.usage_metadata?.output_tokens).toBeGreaterThan(0);
    expect(server.requests[0].stream).toBe(false);
  });

  it('refuses bodies over the cap with 413, unknown routes with 404, bad JSON with 400', async () => {
    server = await startFakeOpenAIServer({ maxBodyBytes: 1000 });
    expect((await post(server, '/v1/chat/completions', Buffer.alloc(5000, 'a'))).status).toBe(413);
    expect((await post(server, '/v1/embeddings', '{}')).status).toBe(404);
    expect((await post(server, '/v1/chat/completions', '{not json')).status).toBe(400);
    expect(server.requests).toHaveLength(0);
  });

  it('times out waitForClose with a clear error', async () => {
    server = await startFakeOpenAIServer();
    await expect(server.waitForClose(0, 30)).rejects.toThrow('timed out after 30 ms waiting for request 0 to close');
  });

  it('rejects bad options', async () => {
    await expect(startFakeOpenAIServer({ chunkDelayMs: -5 })).rejects.toThrow('startFakeOpenAIServer: chunkDelayMs must be a number >= 0');
    await expect(startFakeOpenAIServer({ maxBodyBytes: 0 })).rejects.toThrow('maxBodyBytes must be an integer >= 1');
  });

  describe('fault modes', () => {
    const streamBody = JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'q' }] });
    const contentOf = (text: string): string =>
      text
        .split('\n\n')
        .filter((f) => f.startsWith('data: {'))
        .map((f) => JSON.parse(f.slice(6)).choices[0]?.delta?.content ?? '')
        .join('');

    /** POST and collect what arrives until the response ends or the socket dies. */
    function postRaw(path = '/v1/chat/completions', body = streamBody): Promise<{ status: number; headers: Record<string, unknown>; text: string; aborted: boolean }> {
      return new Promise((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: server.port, path, method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
          const parts: Buffer[] = [];
          let aborted = false;
          res.on('data', (p: Buffer) => parts.push(p));
          res.on('aborted', () => (aborted = true));
          res.on('error', () => (aborted = true));
          res.on('close', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(parts).toString('utf8'), aborted }));
        });
        req.on('error', reject);
        req.end(body);
      });
    }

    it('answers queued faults in order, then healthy (429 with Retry-After, 500, 401, null, default)', async () => {
      server = await startFakeOpenAIServer({
        reply: 'ok',
        faults: [{ type: 'status', status: 429, retryAfter: 2 }, { type: 'status', status: 500 }, null],
      });
      server.queueFaults({ type: 'status', status: 401, message: 'bad key' });
      const r429 = await postRaw();
      expect(r429.status).toBe(429);
      expect(r429.headers['retry-after']).toBe('2');
      expect(JSON.parse(r429.text).error.type).toBe('rate_limit_exceeded');
      expect((await postRaw()).status).toBe(500);
      expect(contentOf((await postRaw()).text)).toBe('ok');
      const r401 = await postRaw();
      expect(r401.status).toBe(401);
      expect(JSON.parse(r401.text).error.message).toBe('bad key');
      expect(contentOf((await postRaw()).text)).toBe('ok');
      expect(server.requests.map((r) => r.status)).toEqual([429, 500, 200, 401, 200]);
      expect(server.requests[0].fault).toEqual({ type: 'status', status: 429, retryAfter: 2 });
    });

    it('drop: N content chunks, then the socket is destroyed without finish_reason or [DONE]', async () => {
      server = await startFakeOpenAIServer({ reply: 'Hi 你好 there friend', fault: { type: 'drop', afterChunks: 2 } });
      const res = await postRaw();
      expect(res.aborted).toBe(true);
      expect(contentOf(res.text)).toBe(tokenize('Hi 你好 there friend').slice(0, 2).join(''));
      expect(res.text).not.toContain('[DONE]');
      expect(res.text).not.toContain('finish_reason":"stop');
      expect(server.requests[0]).toMatchObject({ cutByServer: true, closedByClient: false, completed: false, chunksWritten: 2 });
    });

    it('end-early: N content chunks, then a clean end without finish_reason or [DONE]', async () => {
      server = await startFakeOpenAIServer({ reply: 'Hi 你好 there friend', fault: { type: 'end-early', afterChunks: 3 } });
      const res = await postRaw();
      expect(res.aborted).toBe(false);
      expect(contentOf(res.text)).toBe(tokenize('Hi 你好 there friend').slice(0, 3).join(''));
      expect(res.text).not.toContain('[DONE]');
    });

    it('malformed: a data frame that is not JSON, then the connection is held open', async () => {
      server = await startFakeOpenAIServer({ reply: 'Hi 你好 there', fault: { type: 'malformed', afterChunks: 1 } });
      const chunks: string[] = [];
      const req = request({ host: '127.0.0.1', port: server.port, path: '/v1/chat/completions', method: 'POST' }, (res) => {
        res.on('data', (p: Buffer) => chunks.push(p.toString('utf8')));
      });
      req.on('error', () => undefined);
      req.end(streamBody);
      while (!chunks.join('').includes('"br')) await new Promise((r) => setTimeout(r, 5)); // jest's timeout guards a hang; no clock bounds the wait
      const frames = chunks.join('').split('\n\n').filter(Boolean);
      expect(() => JSON.parse(frames.at(-1)!.slice(6))).toThrow(SyntaxError);
      expect(server.requests[0].closedAt).toBeUndefined();
      req.destroy();
      expect((await server.waitForClose(0)).closedByClient).toBe(true);
    });

    it('headers-only: 200 and SSE headers, then nothing; drip: every chunk chunkDelayMs apart', async () => {
      server = await startFakeOpenAIServer({ reply: 'a b c d', faults: [{ type: 'headers-only' }, { type: 'drip', chunkDelayMs: 30 }] });
      const headers = await new Promise<{ status: number; type: string; req: ReturnType<typeof request> }>((resolve) => {
        const req = request({ host: '127.0.0.1', port: server.port, path: '/v1/chat/completions', method: 'POST' }, (res) =>
          resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), req }),
        );
        req.on('error', () => undefined);
        req.end(streamBody);
      });
      expect(headers).toMatchObject({ status: 200, type: 'text/event-stream' });
      await new Promise((r) => setTimeout(r, 50));
      expect(server.requests[0].chunksWritten).toBe(0);
      expect(server.requests[0].closedAt).toBeUndefined();
      headers.req.destroy();
      await server.waitForClose(0);

      const started = performance.now();
      expect(contentOf((await postRaw()).text)).toBe('a b c d');
      expect(performance.now() - started).toBeGreaterThanOrEqual(3 * 30 - 5);
    });

    it('fault as a function of the request picks the fault per request', async () => {
      server = await startFakeOpenAIServer({
        reply: 'ok',
        fault: (request) => (JSON.stringify(request.messages).includes('#500') ? { type: 'status', status: 500 } : null),
      });
      expect((await postRaw(undefined, JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x #500' }] }))).status).toBe(500);
      expect((await postRaw(undefined, JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }] }))).status).toBe(200);
    });

    it('recordRequests: false keeps no request log but still counts requests and open responses', async () => {
      server = await startFakeOpenAIServer({ reply: 'a b', recordRequests: false, faults: [{ type: 'stall', afterChunks: 1 }] });
      const stalled = request({ host: '127.0.0.1', port: server.port, path: '/v1/chat/completions', method: 'POST' }, (res) => res.resume());
      stalled.on('error', () => undefined);
      stalled.end(streamBody);
      await server.waitForRequests(1);
      expect(server.openResponses).toBe(1);
      expect(contentOf((await postRaw()).text)).toBe('a b');
      expect(server.requestCount).toBe(2);
      expect(server.requests).toHaveLength(0);
      stalled.destroy();
      while (server.openResponses > 0) await new Promise((r) => setTimeout(r, 5)); // jest's timeout guards a hang; no clock bounds the wait
      expect(server.openResponses).toBe(0);
      await expect(startFakeOpenAIServer({ recordRequests: 'no' as never })).rejects.toThrow('recordRequests must be a boolean, got the string "no".');
    });

    it('counts open and total TCP connections', async () => {
      server = await startFakeOpenAIServer();
      expect(server.openConnections).toBe(0);
      const socket = connect(server.port, '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      while (server.openConnections === 0) await new Promise((r) => setTimeout(r, 2)); // jest's timeout guards a hang; no clock bounds the wait
      expect(server.openConnections).toBe(1);
      socket.destroy();
      while (server.openConnections > 0) await new Promise((r) => setTimeout(r, 2)); // jest's timeout guards a hang; no clock bounds the wait
      expect(server.openConnections).toBe(0);
      expect(server.totalConnections).toBe(1);
    });

    it('rejects bad faults with messages that say what to fix', async () => {
      await expect(startFakeOpenAIServer({ faults: {} as never })).rejects.toThrow('faults must be an array of faults (null = healthy), got an object (Object).');
      await expect(startFakeOpenAIServer({ faults: [{ type: 'explode' } as never] })).rejects.toThrow(
        "faults[0].type must be one of 'status', 'drop', 'end-early', 'malformed', 'stall', 'drip', 'headers-only', got the string \"explode\".",
      );
      await expect(startFakeOpenAIServer({ fault: { type: 'status', status: 200 } })).rejects.toThrow(RangeError);
      await expect(startFakeOpenAIServer({ fault: { type: 'drop', afterChunks: -1 } })).rejects.toThrow('fault.afterChunks must be an integer >= 0, got the number -1.');
      await expect(startFakeOpenAIServer({ fault: { type: 'drip' } as never })).rejects.toThrow('fault.chunkDelayMs must be a number >= 0');
      server = await startFakeOpenAIServer();
      expect(() => server.queueFaults('drop' as never)).toThrow("queueFaults: faults[0] must be a fault object like { type: 'drop', afterChunks: 3 }, got the string \"drop\".");
    });
  });
});
