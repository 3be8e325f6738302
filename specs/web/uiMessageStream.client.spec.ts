/**
 * The UI message stream read by the AI SDK's own client code (`ai` 6): the SDK's
 * `parseJsonEventStream` with its strict `uiMessageChunkSchema`, then `readUIMessageStream`,
 * which rebuilds the `UIMessage` exactly as `useChat` / `Chat` do.
 */
import { parseJsonEventStream, readUIMessageStream, uiMessageChunkSchema, type UIMessage, type UIMessageChunk } from 'ai';
import { Subject, type Observable } from 'rxjs';
import { fromAsyncIterableFactory, fromRunnable, toUIMessageStreamResponse, type UIMessageStreamInput } from '../../src';
import type { StreamPart } from '../../src/parts/types';
import { sendUIMessageStream, type ServerSentEventsDelivery } from '../../src/node';
import { ScriptedChatModel } from '../../src/testing';
import { listen, TRICKY_REPLY, until } from '../support/http';
import { probeRunnable } from '../support/probeRunnable';
import { useCleanup } from '../support/cleanup';

const cleanup = useCleanup();

/** These specs test the client and the framing; the request check (Host, cross-site) has its own specs. */
const ANY_CLIENT = { allowedOrigins: (): boolean => true } as const;

interface Read {
  message: UIMessage | undefined;
  chunks: UIMessageChunk[];
  errors: string[];
}

/** Reads a UI message stream body the way the SDK's DefaultChatTransport + Chat do. */
async function readWithSdk(body: ReadableStream<Uint8Array>): Promise<Read> {
  const chunks: UIMessageChunk[] = [];
  const errors: string[] = [];
  const stream = parseJsonEventStream({ stream: body, schema: uiMessageChunkSchema }).pipeThrough(
    new TransformStream<{ success: boolean; value?: UIMessageChunk; error?: unknown }, UIMessageChunk>({
      transform(result, controller) {
        if (!result.success) throw result.error; // the strict schema refused a chunk
        chunks.push(result.value!);
        controller.enqueue(result.value!);
      },
    }),
  );
  let message: UIMessage | undefined;
  for await (const snapshot of readUIMessageStream({ stream, onError: (e) => errors.push((e as Error).message) })) message = snapshot;
  return { message, chunks, errors };
}

/** A Node server answering every request with `sendUIMessageStream(make())`. */
async function serve(make: () => Observable<UIMessageStreamInput>, options: Parameters<typeof sendUIMessageStream>[2] = {}) {
  const deliveries: ServerSentEventsDelivery[] = [];
  const http = await listen((_req, res) => {
    deliveries.push(sendUIMessageStream(make(), res, { ...ANY_CLIENT, messageId: 'msg-1', ...options }));
  });
  return { ...http, deliveries };
}

/** An agent-like run with two tool calls, as parts, with I/O turns in between like a real run. */
function agentRun(): Observable<StreamPart> {
  const parts: StreamPart[] = [
    { type: 'step-start', step: 0 },
    { type: 'text', text: '我来算一下 🧮\n' },
    { type: 'tool-call-start', id: 'call_1', name: 'add', index: 0 },
    { type: 'tool-call-delta', id: 'call_1', argsText: '{"a":2,' },
    { type: 'tool-call-delta', id: 'call_1', argsText: '"b":3}' },
    { type: 'tool-call', id: 'call_1', name: 'add', args: { a: 2, b: 3 } },
    { type: 'tool-call-start', id: 'call_2', name: 'python_release', index: 1 },
    { type: 'tool-call-delta', id: 'call_2', argsText: '{"version":"3.12"}' },
    { type: 'tool-call', id: 'call_2', name: 'python_release', args: { version: '3.12' } },
    { type: 'step-finish', step: 0, finishReason: 'tool_calls' },
    { type: 'tool-result', id: 'call_1', name: 'add', content: '5', isError: false },
    { type: 'tool-result', id: 'call_2', name: 'python_release', content: { released: '2023-10-02' }, isError: false },
    { type: 'step-start', step: 1 },
    { type: 'text', text: '2 + 3 = 5.\n\nPython 3.12 came out on 2023-10-02. 🐍' },
    { type: 'step-finish', step: 1, finishReason: 'stop' },
    { type: 'finish', finishReason: 'stop' },
  ];
  return fromAsyncIterableFactory(async function* () {
    for (const part of parts) {
      await new Promise((resolve) => setImmediate(resolve));
      yield part;
    }
  });
}

const AGENT_MESSAGE: UIMessage = {
  id: 'msg-1',
  role: 'assistant',
  parts: [
    { type: 'step-start' },
    { type: 'text', text: '我来算一下 🧮\n', state: 'done' },
    { type: 'tool-add', toolCallId: 'call_1', state: 'output-available', input: { a: 2, b: 3 }, output: '5' },
    { type: 'tool-python_release', toolCallId: 'call_2', state: 'output-available', input: { version: '3.12' }, output: { released: '2023-10-02' } },
    { type: 'step-start' },
    { type: 'text', text: '2 + 3 = 5.\n\nPython 3.12 came out on 2023-10-02. 🐍', state: 'done' },
  ],
} as UIMessage;

/** The SDK's message keeps `undefined` fields; compare what JSON would carry. */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('UI message stream, read by the AI SDK client', () => {
  it('a plain reply: the text byte-exact (newlines, CRLF, blank lines, data: lines, Chinese, emoji), one step, finish stop', async () => {
    const model = new ScriptedChatModel({ reply: TRICKY_REPLY });
    const server = await serve(() => fromRunnable(model, 'hi'));
    cleanup(() => server.close());
    const response = await fetch(server.url, { method: 'POST' });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('x-vercel-ai-ui-message-stream')).toBe('v1');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    const read = await readWithSdk(response.body!);
    expect(plain(read.message)).toEqual({
      id: 'msg-1',
      role: 'assistant',
      parts: [{ type: 'step-start' }, { type: 'text', text: TRICKY_REPLY, state: 'done' }],
    });
    expect(read.chunks[0]).toEqual({ type: 'start', messageId: 'msg-1' });
    expect(read.chunks.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
    expect(read.chunks.filter((c) => c.type === 'text-delta').length).toBeGreaterThan(10);
    expect(read.errors).toEqual([]);
    expect(await server.deliveries[0].finished).toBe('done');
  });

  it('ends the body with data: [DONE] after the finish chunk', async () => {
    const server = await serve(() => fromRunnable(new ScriptedChatModel({ reply: 'ok' }), 'hi'));
    cleanup(() => server.close());
    const raw = await (await fetch(server.url)).text();
    expect(raw.endsWith('data: {"type":"finish","finishReason":"stop"}\n\ndata: [DONE]\n\n')).toBe(true);
    expect(raw.split('\n\n').slice(0, -1).every((frame) => /^data: /.test(frame))).toBe(true);
  });

  it('an agent run with two tool calls: tool parts with input and output, two steps, finish', async () => {
    const server = await serve(agentRun);
    cleanup(() => server.close());
    const read = await readWithSdk((await fetch(server.url, { method: 'POST' })).body!);
    expect(plain(read.message)).toEqual(AGENT_MESSAGE);
    expect(read.chunks.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
    expect(read.chunks.filter((c) => c.type === 'tool-input-delta').map((c) => (c as { inputTextDelta: string }).inputTextDelta)).toEqual([
      '{"a":2,',
      '"b":3}',
      '{"version":"3.12"}',
    ]);
  });

  it('the same run through toUIMessageStreamResponse (a Web Response) gives the same message', async () => {
    const response = toUIMessageStreamResponse(agentRun(), { messageId: 'msg-1' });
    expect(response.headers.get('x-vercel-ai-ui-message-stream')).toBe('v1');
    const read = await readWithSdk(response.body!);
    expect(plain(read.message)).toEqual(AGENT_MESSAGE);
  });

  it('a reply stopped on the server (stop$): the text so far, then abort; the model request is aborted', async () => {
    const probe = probeRunnable(['第一段\n', 'second 😀', 'never sent'], { stallAfter: 2 });
    const stop$ = new Subject<void>();
    const server = await serve(() => fromRunnable(probe, 'q'), { stop$ });
    cleanup(() => server.close());
    const reading = fetch(server.url).then((r) => readWithSdk(r.body!));
    await until(() => server.deliveries[0]?.stats.framesWritten >= 5, 'the two chunks');
    stop$.next();
    const read = await reading;
    expect(plain(read.message)).toEqual({
      id: 'msg-1',
      role: 'assistant',
      parts: [{ type: 'step-start' }, { type: 'text', text: '第一段\nsecond 😀', state: 'done' }],
    });
    expect(read.chunks.slice(-3)).toEqual([{ type: 'text-end', id: 'text-1' }, { type: 'finish-step' }, { type: 'abort' }]);
    expect(probe.requests[0].signal?.aborted).toBe(true);
    expect(await server.deliveries[0].finished).toBe('done');
  });

  it('a reply stopped by the client (what useChat stop() does): the server sees the close and aborts the model', async () => {
    const probe = probeRunnable(['Hello', ' wor', 'ld'], { stallAfter: 2 });
    const server = await serve(() => fromRunnable(probe, 'q'));
    cleanup(() => server.close());
    const controller = new AbortController();
    const response = await fetch(server.url, { method: 'POST', signal: controller.signal });
    const reading = readWithSdk(response.body!).catch((e: unknown) => e);
    await until(() => server.deliveries[0]?.stats.framesWritten >= 5, 'the two chunks');
    controller.abort();
    await reading;
    expect(await server.deliveries[0].finished).toBe('client-closed');
    await until(() => probe.requests[0].finished, 'the model generator to end');
    expect(probe.requests[0].signal?.aborted).toBe(true);
  });

  it('an error mid-reply: the partial text stays, the client gets the errorText, the stream ends cleanly', async () => {
    const probe = probeRunnable(['Partial ', 'answer'], { failAfter: 2, failWith: new Error('provider exploded') });
    const server = await serve(() => fromRunnable(probe, 'q'));
    cleanup(() => server.close());
    const read = await readWithSdk((await fetch(server.url)).body!);
    expect(plain(read.message)).toEqual({
      id: 'msg-1',
      role: 'assistant',
      parts: [{ type: 'step-start' }, { type: 'text', text: 'Partial answer', state: 'done' }],
    });
    expect(read.errors).toEqual(['provider exploded']);
    expect(read.chunks.at(-1)).toEqual({ type: 'error', errorText: 'provider exploded' });
    expect(await server.deliveries[0].finished).toBe('error');
  });
});
