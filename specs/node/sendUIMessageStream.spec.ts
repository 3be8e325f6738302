import { finalize, interval, map, take } from 'rxjs';
import { ChatOpenAI } from '@langchain/openai';
import { fromRunnable, toUIMessageStreamResponse } from '../../src';
import { sendUIMessageStream, type ServerSentEventsDelivery } from '../../src/node';
import { startFakeOpenAIServer } from '../../src/testing';
import { listen, sleep, until, readRest } from '../support/http';
import { probeRunnable } from '../support/probeRunnable';
import { pausedClient as rawPausedClient } from '../support/rawHttp';
import { useCleanup } from '../support/cleanup';

const cleanup = useCleanup();

/** These specs test the client and the framing; the request check (Host, cross-site) has its own specs. */
const ANY_CLIENT = { allowedOrigins: (): boolean => true } as const;

/** A raw client that sends the request and then reads nothing until resumed. */
const pausedClient = (url: string) => rawPausedClient(url, 'POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');

describe('sendUIMessageStream', () => {
  it('sends a keep-alive comment on silence, which the stream ignores, and flushes the headers at once', async () => {
    const probe = probeRunnable(['a', 'b'], { stallAfter: 1 });
    const deliveries: ServerSentEventsDelivery[] = [];
    const http = await listen((_req, res) => deliveries.push(sendUIMessageStream(fromRunnable(probe, 'q'), res, { ...ANY_CLIENT, heartbeatMs: 30, messageId: 'm' })));
    cleanup(() => http.close());
    const response = await fetch(http.url);
    expect(response.headers.get('x-vercel-ai-ui-message-stream')).toBe('v1');
    const reader = response.body!.getReader();
    let raw = '';
    while (!raw.includes(': ping\n\n')) raw += new TextDecoder().decode((await reader.read()).value);
    expect(raw).toContain('data: {"type":"text-delta","id":"text-1","delta":"a"}\n\n');
    expect(raw.indexOf(': ping')).toBeGreaterThan(raw.indexOf('"delta":"a"'));
    await reader.cancel();
    expect(await deliveries[0].finished).toBe('client-closed');
  });

  it('a paused reader: the queue is capped, the model is stopped, an error chunk and [DONE] come last', async () => {
    let tornDown = false;
    const source = interval(1).pipe(take(2000), map(() => 'z'.repeat(16 * 1024)), finalize(() => (tornDown = true)));
    const deliveries: ServerSentEventsDelivery[] = [];
    const maxBufferedBytes = 128 * 1024;
    const http = await listen((_req, res) => deliveries.push(sendUIMessageStream(source, res, { ...ANY_CLIENT, maxBufferedBytes, overflowGraceMs: 5000 })));
    const client = pausedClient(http.url);
    cleanup(() => http.close());
    cleanup(() => client.destroy());
    await until(() => deliveries.length === 1 && tornDown, 'the overflow');
    expect(deliveries[0].stats.peakQueuedBytes).toBeLessThanOrEqual(maxBufferedBytes + 2 * 17 * 1024);
    const raw = await client.resume();
    expect(await deliveries[0].finished).toBe('overflow');
    expect(raw).toMatch(/data: \{"type":"error","errorText":"The client read too slowly: \d+ bytes waited, over the limit of 131072 \(maxBufferedBytes\)\. The stream was stopped\."\}\n\ndata: \[DONE\]\n\n$/);
  });

  it('rejects a res that is not a ServerResponse and bad options at call time', () => {
    expect(() => sendUIMessageStream(interval(1).pipe(map(String)), {} as never)).toThrow(new TypeError('sendUIMessageStream: res must be a Node http.ServerResponse, got an object (Object).'));
    const res = { write: () => true, req: { headers: {} } } as never;
    expect(() => sendUIMessageStream(interval(1).pipe(map(String)), res, { heartbeatMs: -1 })).toThrow(new RangeError('sendUIMessageStream: heartbeatMs must be a number >= 0, got the number -1.'));
    expect(() => sendUIMessageStream(interval(1).pipe(map(String)), res, { maxBufferedBytes: 0 })).toThrow(RangeError);
    expect(() => sendUIMessageStream('x' as never, res)).toThrow(/source\$ must be an Observable/);
  });
});

describe('toUIMessageStreamResponse', () => {
  it('is lazy (subscribes on the first read) and cancel() aborts the real ChatOpenAI request', async () => {
    const openai = await startFakeOpenAIServer({ chunkDelayMs: 10 });
    const model = new ChatOpenAI({ apiKey: 'test', model: 'gpt-4o-mini', configuration: { baseURL: openai.baseURL } });
    cleanup(() => openai.close());
    const response = toUIMessageStreamResponse(fromRunnable(model, '讲一个关于程序员的故事'));
    await sleep(50);
    expect(openai.requests).toHaveLength(0);
    const reader = response.body!.getReader();
    let text = '';
    while ((text.match(/"text-delta"/g) ?? []).length < 3) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    const record = await openai.waitForClose();
    expect(record.closedByClient).toBe(true);
    expect(record.chunksWritten).toBeLessThan(record.chunksTotal);
  });

  it('a reader that does not pull: the queue is capped and the stream ends with an error chunk and [DONE]', async () => {
    let tornDown = false;
    const source = interval(1).pipe(take(1000), map(() => 'y'.repeat(4096)), finalize(() => (tornDown = true)));
    const response = toUIMessageStreamResponse(source, { maxBufferedBytes: 32 * 1024 });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = decoder.decode((await reader.read()).value, { stream: true });
    await until(() => tornDown, 'the overflow');
    text += await readRest(reader, decoder);
    const deltas = text.split('"text-delta"').length - 1;
    expect(deltas).toBeGreaterThan(5);
    expect(deltas).toBeLessThanOrEqual(9);
    expect(text).toMatch(/data: \{"type":"error","errorText":"The client read too slowly: [^"]*"\}\n\ndata: \[DONE\]\n\n$/);
  });

  it('rejects bad arguments at call time', () => {
    expect(() => toUIMessageStreamResponse({} as never)).toThrow(new TypeError('toUIMessageStreamResponse: source$ must be an Observable.'));
    expect(() => toUIMessageStreamResponse(interval(1).pipe(map(String)), { headers: 'x' as never })).toThrow(TypeError);
  });
});
