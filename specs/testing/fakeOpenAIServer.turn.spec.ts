import { request } from 'node:http';
import { ChatOpenAI } from '@langchain/openai';
import { startFakeOpenAIServer, type FakeOpenAIServer, type FakeTurn } from '../../src/testing/fakeOpenAIServer';

function post(server: FakeOpenAIServer, body: object): Promise<{ status: number; text: string; reads: number }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (p: Buffer) => parts.push(p));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString('utf8'), reads: parts.length }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const streamBody = { model: 'm', stream: true, messages: [{ role: 'user', content: 'q' }] };
type Delta = { content?: string; reasoning_content?: string; tool_calls?: Array<{ index: number; id?: string; function: { name?: string; arguments: string } }> };
const deltasOf = (text: string): Array<{ delta: Delta; finish: string | null }> =>
  text
    .split('\n\n')
    .filter((f) => f.startsWith('data: {'))
    .map((f) => JSON.parse(f.slice(6)) as { choices: Array<{ delta: Delta; finish_reason: string | null }> })
    .filter((p) => p.choices.length > 0)
    .map((p) => ({ delta: p.choices[0].delta, finish: p.choices[0].finish_reason }));

describe('startFakeOpenAIServer: scripted turns (reasoning, tool calls)', () => {
  let server: FakeOpenAIServer;
  afterEach(() => server?.close());

  it('streams reasoning, text, then each tool call (id and name first, then the arguments in fragments), finish reason tool_calls', async () => {
    const turn: FakeTurn = {
      reasoning: '想一想',
      text: '我查一下',
      toolCalls: [
        { id: 'call_x', name: 'python_release', arguments: { version: '3.0' } },
        { name: 'search', arguments: '{"q":"a\\"b😀"}', fragments: ['{"q":"a\\', '"b\ud83d', '\ude00"}'] },
      ],
    };
    server = await startFakeOpenAIServer({ turn: () => turn });
    const deltas = deltasOf((await post(server, streamBody)).text);
    expect(deltas[0].delta).toEqual({ role: 'assistant', content: '' });
    expect(deltas.map((d) => d.delta.reasoning_content ?? '').join('')).toBe('想一想');
    expect(deltas.map((d) => d.delta.content ?? '').join('')).toBe('我查一下');
    const calls = deltas.flatMap((d) => d.delta.tool_calls ?? []);
    expect(calls.filter((c) => c.id !== undefined)).toEqual([
      { index: 0, id: 'call_x', type: 'function', function: { name: 'python_release', arguments: '' } },
      { index: 1, id: 'call_0_1', type: 'function', function: { name: 'search', arguments: '' } },
    ]);
    const args = (i: number): string[] => calls.filter((c) => c.index === i && c.id === undefined).map((c) => c.function.arguments);
    expect(args(0).join('')).toBe('{"version":"3.0"}');
    expect(args(0).every((a) => a.length <= 4)).toBe(true);
    expect(args(1)).toEqual(['{"q":"a\\', '"b\ud83d', '\ude00"}']); // mid-escape, mid-surrogate pair
    expect(deltas.at(-1)).toEqual({ delta: {}, finish: 'tool_calls' });
    expect(server.requests[0].chunksTotal).toBe(deltas.length - 2); // every reasoning, text and argument chunk; not the role or finish chunk
  });

  it('interleaves the argument fragments of parallel calls on request, and plain replies stay as they were', async () => {
    server = await startFakeOpenAIServer({
      reply: 'plain',
      turn: (body) => (body.messages.length > 1 ? undefined : { toolCalls: [{ name: 'a', arguments: '{"x":12345}' }, { name: 'b', arguments: '{"y":6}' }], interleave: true, argsChunkChars: 3 }),
    });
    const calls = deltasOf((await post(server, streamBody)).text).flatMap((d) => d.delta.tool_calls ?? []);
    expect(calls.map((c) => `${c.index}:${c.function.arguments}`)).toEqual(['0:', '1:', '0:{"x', '1:{"y', '0:":1', '1:":6', '0:234', '1:}', '0:5}']);
    const plain = deltasOf((await post(server, { ...streamBody, messages: [{ role: 'user', content: 'q' }, { role: 'user', content: 'again' }] })).text);
    expect(plain.map((d) => d.delta.content ?? '').join('')).toBe('plain');
    expect(plain.at(-1)?.finish).toBe('stop');
  });

  it('answers non-streaming requests with the whole message, which the real ChatOpenAI reads as tool calls', async () => {
    server = await startFakeOpenAIServer({ turn: () => ({ reasoning: 'r', toolCalls: [{ id: 'c1', name: 'add', arguments: { a: 1, b: 2 } }] }) });
    const model = new ChatOpenAI({ apiKey: 'k', model: 'gpt-4o-mini', maxRetries: 0, configuration: { baseURL: server.baseURL } });
    const reply = await model.invoke('1+2?');
    expect(reply.tool_calls).toEqual([{ id: 'c1', name: 'add', args: { a: 1, b: 2 }, type: 'tool_call' }]);
    expect(reply.response_metadata.finish_reason).toBe('tool_calls');
    expect(reply.additional_kwargs.reasoning_content).toBe('r');
  });

  it('writeBytes splits every frame into flushed byte pieces, so multi-byte characters straddle reads', async () => {
    server = await startFakeOpenAIServer({ reply: '你好😀', writeBytes: 5 });
    const { text, reads } = await post(server, streamBody);
    expect(deltasOf(text).map((d) => d.delta.content ?? '').join('')).toBe('你好😀');
    expect(reads).toBeGreaterThan(10);
  });

  it('a bad turn() answer is a 500 naming the problem; bad options throw at start', async () => {
    server = await startFakeOpenAIServer({ turn: () => ({ toolCalls: [{ name: 'x', arguments: '{}', fragments: ['{'] }] }) });
    const { status, text } = await post(server, streamBody);
    expect(status).toBe(500);
    expect(text).toContain('fragments must join to its arguments');
    await expect(startFakeOpenAIServer({ turn: 'x' as never })).rejects.toThrow(TypeError);
    await expect(startFakeOpenAIServer({ writeBytes: 0 })).rejects.toThrow(RangeError);
  });
});
