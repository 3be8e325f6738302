import { ChatOpenAI } from '@langchain/openai';
import { finalize, interval, map, take } from 'rxjs';
import { fromRunnable, textContent, toServerSentEventsResponse } from '../../src';
import { ScriptedChatModel, startFakeOpenAIServer } from '../../src/testing';
import { sleep, TRICKY_REPLY, until, readRest } from '../support/http';
import { readWithEventSource } from '../support/sse';
import { useCleanup } from '../support/cleanup';

const cleanup = useCleanup();

describe('toServerSentEventsResponse', () => {
  it('a real SSE client reads the Response body back into exactly the original text', async () => {
    const model = new ScriptedChatModel({ reply: TRICKY_REPLY });
    const response = toServerSentEventsResponse(fromRunnable(model, 'hi').pipe(textContent()));
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const got = await readWithEventSource('http://127.0.0.1/unused', { fetch: async () => response as never });
    expect(got.chunks.join('')).toBe(TRICKY_REPLY);
    expect(got.done).toEqual({ chunks: got.chunks.length });
  });

  it('is lazy (subscribes on the first read) and cancel aborts the real ChatOpenAI request', async () => {
    const openai = await startFakeOpenAIServer({ chunkDelayMs: 10 });
    const model = new ChatOpenAI({ apiKey: 'test', model: 'gpt-4o-mini', configuration: { baseURL: openai.baseURL } });
    cleanup(() => openai.close());
    const response = toServerSentEventsResponse(fromRunnable(model, '讲一个关于程序员的故事').pipe(textContent()));
    await sleep(50);
    expect(openai.requests).toHaveLength(0);
    const reader = response.body!.getReader();
    let text = '';
    while ((text.match(/event: chunk/g) ?? []).length < 3) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    const record = await openai.waitForClose();
    expect(record.closedByClient).toBe(true);
    expect(record.chunksWritten).toBeLessThan(record.chunksTotal);
  });

  it('a reader that does not pull: the queue is capped and the stream ends with an error event', async () => {
    let tornDown = false;
    const source = interval(1).pipe(take(1000), map(() => 'y'.repeat(4096)), finalize(() => (tornDown = true)));
    const response = toServerSentEventsResponse(source, { maxBufferedBytes: 32 * 1024 });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = decoder.decode((await reader.read()).value, { stream: true });
    await until(() => tornDown, 'the overflow');
    text += await readRest(reader, decoder);
    const chunks = text.split('event: chunk\n').length - 1;
    expect(chunks).toBeGreaterThan(5);
    expect(chunks).toBeLessThanOrEqual(9); // 32 KiB / 4 KiB frames, plus the one that crossed the line
    expect(text.trimEnd().split('\n\n').pop()).toMatch(/^event: error\nid: \d+\ndata: \{"name":"SlowConsumerError"/);
  });
});
