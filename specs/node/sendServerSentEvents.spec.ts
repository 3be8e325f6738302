import { EventSource } from 'eventsource';
import { ChatOpenAI } from '@langchain/openai';
import { finalize, interval, map, Subject, take, type Observable } from 'rxjs';
import { fromRunnable, textContent } from '../../src';
import { sendServerSentEvents, type ServerSentEventsDelivery } from '../../src/node';
import { ScriptedChatModel, startFakeOpenAIServer } from '../../src/testing';
import { listen, TRICKY_REPLY, until } from '../support/http';
import { eventSourceInit, NOT_CROSS_SITE, readWithEventSource } from '../support/sse';
import { pausedClient as rawPausedClient } from '../support/rawHttp';
import { useCleanup } from '../support/cleanup';

const cleanup = useCleanup();

describe('sendServerSentEvents', () => {
  it('a real SSE client reads back exactly the original text: newlines, CRLF, data: lines, blank lines, Chinese, emoji', async () => {
    const model = new ScriptedChatModel({ reply: TRICKY_REPLY });
    const deliveries: ServerSentEventsDelivery[] = [];
    const http = await listen((_req, res) => {
      deliveries.push(sendServerSentEvents(fromRunnable(model, 'hi').pipe(textContent()), res));
    });
    cleanup(() => http.close());
    const got = await readWithEventSource(http.url);
    expect(got.chunks.join('')).toBe(TRICKY_REPLY);
    expect(got.chunks.length).toBeGreaterThan(10);
    expect(got.ids).toEqual(got.chunks.map((_, i) => String(i + 1)));
    expect(got.done).toEqual({ chunks: got.chunks.length });
    expect(await deliveries[0].finished).toBe('done');
  });

  it('sets the SSE headers and flushes them before the first token', async () => {
    // The first token waits for the spec: the headers can only arrive if they were not held back for it.
    const firstToken = new Subject<string>();
    const http = await listen((_req, res) => void sendServerSentEvents(firstToken.pipe(take(1)), res));
    cleanup(() => http.close());
    const response = await fetch(http.url, { headers: NOT_CROSS_SITE });
    expect(firstToken.observed).toBe(true); // subscribed, and nothing emitted yet
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    firstToken.next('late');
    const text = await response.text();
    expect(text).toMatch(/^event: chunk\nid: 1\ndata: \{"text":"late"\}\n\nevent: done\n/);
  });

  it('an error after the headers were sent reaches the client as an error event', async () => {
    const failing: Observable<string> = interval(5).pipe(
      take(3),
      map((i) => {
        if (i === 2) throw new Error('provider went away');
        return `t${i}`;
      }),
    );
    const deliveries: ServerSentEventsDelivery[] = [];
    const http = await listen((_req, res) => deliveries.push(sendServerSentEvents(failing, res)));
    cleanup(() => http.close());
    const got = await readWithEventSource(http.url);
    expect(got.chunks).toEqual(['t0', 't1']);
    expect(got.error).toEqual({ name: 'Error', message: 'provider went away' });
    expect(await deliveries[0].finished).toBe('error');
  });

  it('closing the client mid-reply aborts the real ChatOpenAI request upstream', async () => {
    const openai = await startFakeOpenAIServer({ chunkDelayMs: 10 });
    const model = new ChatOpenAI({ apiKey: 'test', model: 'gpt-4o-mini', configuration: { baseURL: openai.baseURL } });
    const deliveries: ServerSentEventsDelivery[] = [];
    const http = await listen((_req, res) => deliveries.push(sendServerSentEvents(fromRunnable(model, '讲一个关于程序员的故事').pipe(textContent()), res)));
    cleanup(() => openai.close());
    cleanup(() => http.close());
    await new Promise<void>((resolve) => {
      const es = new EventSource(http.url, eventSourceInit);
      let n = 0;
      es.addEventListener('chunk', () => {
        if (++n === 3) {
          es.close();
          resolve();
        }
      });
    });
    const record = await openai.waitForClose();
    expect(record.closedByClient).toBe(true);
    expect(record.chunksWritten).toBeLessThan(record.chunksTotal);
    expect(await deliveries[0].finished).toBe('client-closed');
  });

  describe('backpressure', () => {
    const FRAME_TEXT = 'x'.repeat(16 * 1024);

    /** A raw client that sends the request and then reads nothing until resumed. */
    const pausedClient = (url: string) => rawPausedClient(url, 'GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Requested-With: spec\r\nConnection: close\r\n\r\n');

    it('a paused reader: the queue stays under maxBufferedBytes, the request is aborted, the client gets an error event last', async () => {
      let produced = 0;
      let tornDown = false;
      const source = interval(1).pipe(
        take(2000), // 32 MB if nobody stopped it
        map(() => (produced++, FRAME_TEXT)),
        finalize(() => (tornDown = true)),
      );
      const maxBufferedBytes = 256 * 1024;
      const deliveries: ServerSentEventsDelivery[] = [];
      const http = await listen((_req, res) => deliveries.push(sendServerSentEvents(source, res, { maxBufferedBytes, overflowGraceMs: 5000 })));
      const client = pausedClient(http.url);
      cleanup(() => http.close());
      cleanup(() => client.destroy());
      await until(() => deliveries.length === 1 && tornDown, 'the overflow');
      const { stats } = deliveries[0];
      const frameBytes = FRAME_TEXT.length + 100;
      expect(stats.peakQueuedBytes).toBeGreaterThan(maxBufferedBytes - frameBytes);
      expect(stats.peakQueuedBytes).toBeLessThanOrEqual(maxBufferedBytes + 2 * frameBytes);
      expect(produced).toBeLessThan(2000);
      const body = await client.resume();
      expect(await deliveries[0].finished).toBe('overflow');
      const lastEvent = body.trimEnd().split('\n\n').pop()!;
      expect(lastEvent).toMatch(/^event: error\nid: \d+\ndata: \{"name":"SlowConsumerError","message":"The client read too slowly: .*"code":"SSE_SLOW_CONSUMER"\}$/);
      expect(body.split('event: chunk\n').length - 1).toBe(stats.framesWritten - 1); // everything queued was delivered, then the error
    });

    it('a reader that pauses and catches up gets every frame in order; the queue was used and drained', async () => {
      const total = 300; // 4.8 MB, more than loopback socket buffers hold
      const source = interval(1).pipe(take(total), map((i) => `${i}:${FRAME_TEXT}`));
      const deliveries: ServerSentEventsDelivery[] = [];
      const http = await listen((_req, res) => deliveries.push(sendServerSentEvents(source, res, { maxBufferedBytes: 64 * 1024 * 1024 })));
      const client = pausedClient(http.url);
      cleanup(() => http.close());
      cleanup(() => client.destroy());
      await until(() => deliveries.length === 1 && deliveries[0].stats.queuedFrames > 5, 'frames to queue up');
      const body = await client.resume();
      expect(await deliveries[0].finished).toBe('done');
      const indexes = [...body.matchAll(/data: \{"text":"(\d+):x+"\}/g)].map((m) => Number(m[1]));
      expect(indexes).toEqual(Array.from({ length: total }, (_, i) => i));
      expect(deliveries[0].stats.peakQueuedFrames).toBeGreaterThan(5);
      expect(deliveries[0].stats.queuedBytes).toBe(0);
    });
  });

  it('rejects a res that is not a ServerResponse', () => {
    expect(() => sendServerSentEvents(interval(1), {} as never)).toThrow(TypeError);
  });
});
