import { request } from 'node:http';
import { ChatOpenAI } from '@langchain/openai';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../../src/testing/fakeOpenAIServer';
import { tokenize } from '../../src/testing/tokenize';

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
    await expect(startFakeOpenAIServer({ tokenMs: -5 })).rejects.toThrow('startFakeOpenAIServer: tokenMs must be a number >= 0');
    await expect(startFakeOpenAIServer({ maxBodyBytes: 0 })).rejects.toThrow('maxBodyBytes must be an integer >= 1');
  });
});
