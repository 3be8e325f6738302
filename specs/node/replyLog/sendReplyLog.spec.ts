import { connect } from 'node:net';
import { request } from 'node:http';
import { EventSource } from 'eventsource';
import { lastValueFrom, Observable, take, toArray } from 'rxjs';
import { InMemoryReplyLog, sendReplyLog, ReplyNotFoundError, type ReplyLogDelivery, type ReplyLogEntry } from '../../../src/node';
import { listen, sleep, until } from '../../support/http';
import { controlled, FRAMES } from './replyLog.contract';
import { useCleanup } from '../../support/cleanup';

/** Reads an SSE response as raw text until it ends. */
function rawBody(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      res.setEncoding('utf8');
      let body = '';
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

const framed = (entries: ReplyLogEntry[]): string => entries.map((e) => `id: ${e.id}\n${e.data}`).join('');

describe('sendReplyLog', () => {
  let log: InMemoryReplyLog;
  beforeEach(() => {
    log = new InMemoryReplyLog();
  });
  const cleanup = useCleanup(); // before the afterEach below: closers run first, where a finally ran
  afterEach(async () => {
    await log.close();
  });

  async function stored(replyId: string, frames = FRAMES): Promise<ReplyLogEntry[]> {
    return lastValueFrom(log.append(replyId, new Observable<string>((s) => {
      frames.forEach((f) => s.next(f));
      s.complete();
    })).pipe(toArray()));
  }

  it('writes each stored frame with its entry id as the id: line, byte for byte, after SSE headers and retry:', async () => {
    const entries = await stored('r');
    const deliveries: ReplyLogDelivery[] = [];
    const http = await listen((_req, res) => deliveries.push(sendReplyLog(log.read('r'), res, { retryMs: 1500 })));
    cleanup(() => http.close());
    const { status, headers, body } = await rawBody(http.url);
    expect(status).toBe(200);
    expect(headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(headers['cache-control']).toBe('no-cache');
    expect(body).toBe(`retry: 1500\n\n${framed(entries)}`);
    expect(await deliveries[0].finished).toBe('done');
    expect(deliveries[0].lastEventId).toBe(entries[entries.length - 1].id);
  });

  it('a real EventSource that is cut off reconnects with Last-Event-ID and gets exactly the rest; the model ran once', async () => {
    const src = controlled();
    log.append('r', src.source$).subscribe();
    await src.subscribed;
    const requests: Array<string | undefined> = [];
    const http = await listen((req, res) => {
      const after = req.headers['last-event-id'] as string | undefined;
      requests.push(after);
      // The first connection drops after three events (a mobile network, a reload).
      sendReplyLog(requests.length === 1 ? log.read('r').pipe(take(3)) : log.read('r', { after }), res, { retryMs: 5 });
    });
    cleanup(() => http.close());
    const received: Array<{ id: string; data: string; type: string }> = [];
    const done = new Promise<void>((resolve, reject) => {
      const es = new EventSource(http.url);
      const record = (e: MessageEvent): void => void received.push({ id: e.lastEventId, data: e.data as string, type: e.type });
      es.addEventListener('chunk', record);
      es.addEventListener('message', record);
      es.addEventListener('done', (e) => {
        record(e);
        es.close();
        resolve();
      });
      es.addEventListener('error', (e) => {
        if (requests.length > 3) reject(new Error(`too many reconnects: ${e.message}`));
      });
    });
    for (const frame of FRAMES.slice(0, 4)) src.next(frame);
    await until(() => requests.length === 2, 'the reconnect');
    for (const frame of FRAMES.slice(4)) src.next(frame);
    src.complete();
    await done;
    const entries = await lastValueFrom(log.read('r').pipe(toArray()));
    expect(requests).toEqual([undefined, entries[2].id]);
    expect(received.map((e) => e.id)).toEqual(entries.map((e) => e.id));
    expect(received.map((e) => e.data)).toEqual([
      '{"text":"你好"}', '{"text":"😀👨‍👩‍👧🇨🇳"}', '{"text":"line\\nnext"}', 'raw\nforged', '{"text":"\\u0000 end"}', '{"chunks":4}',
    ]);
    expect(src.subscriptions).toBe(1);
  });

  it('sends a : ping comment after heartbeatMs without a frame', async () => {
    const src = controlled();
    log.append('r', src.source$).subscribe();
    await src.subscribed;
    let connected = false;
    const http = await listen((_req, res) => {
      connected = true;
      sendReplyLog(log.read('r'), res, { heartbeatMs: 20 });
    });
    cleanup(() => http.close());
    const body = rawBody(http.url);
    await until(() => connected, 'the request');
    await sleep(90);
    src.next(FRAMES[0]);
    src.complete();
    const text = (await body).body;
    expect(text.startsWith(': ping\n\n')).toBe(true);
    expect(text.replace(/: ping\n\n/g, '')).toBe(framed(await lastValueFrom(log.read('r').pipe(toArray()))));
  });

  it('a failed read ends with one error event without id: (Last-Event-ID stays on the last stored event)', async () => {
    const deliveries: ReplyLogDelivery[] = [];
    const http = await listen((_req, res) => deliveries.push(sendReplyLog(log.read('missing'), res, { heartbeatMs: 0 })));
    cleanup(() => http.close());
    const { body } = await rawBody(http.url);
    expect(body).toBe(`event: error\ndata: ${JSON.stringify({ name: 'ReplyNotFoundError', message: new ReplyNotFoundError('missing').message, code: 'REPLY_NOT_FOUND' })}\n\n`);
    expect(await deliveries[0].finished).toBe('error');
  });

  it("a client that goes away unsubscribes its reader only: the producer goes on and the reply is complete", async () => {
    const src = controlled();
    let producerDone = false;
    log.append('r', src.source$).subscribe({ complete: () => (producerDone = true) });
    await src.subscribed;
    src.next(FRAMES[0]);
    const deliveries: ReplyLogDelivery[] = [];
    const http = await listen((_req, res) => deliveries.push(sendReplyLog(log.read('r'), res)));
    cleanup(() => http.close());
    const req = request(http.url, (res) => res.once('data', () => req.destroy()));
    req.on('error', () => undefined).end();
    await until(() => deliveries.length === 1, 'the request');
    expect(await deliveries[0].finished).toBe('client-closed');
    for (const frame of FRAMES.slice(1)) src.next(frame);
    src.complete();
    expect(producerDone).toBe(true);
    expect((await lastValueFrom(log.read('r').pipe(toArray()))).map((e) => e.data)).toEqual(FRAMES);
  });

  it('a client that stops reading is disconnected past maxBufferedBytes (it can resume), not buffered without bound', async () => {
    const big = Array.from({ length: 200 }, (_, i) => `data: ${String(i).padStart(4, '0')}${'😀'.repeat(16 * 1024)}\n\n`); // ≈ 64 KiB each
    await stored('big', big);
    const deliveries: ReplyLogDelivery[] = [];
    const http = await listen((_req, res) => deliveries.push(sendReplyLog(log.read('big'), res, { maxBufferedBytes: 256 * 1024 })));
    cleanup(() => http.close());
    const socket = connect(Number(new URL(http.url).port), '127.0.0.1');
    socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    socket.pause(); // never reads
    await until(() => deliveries.length === 1, 'the request');
    expect(await deliveries[0].finished).toBe('overflow');
    socket.destroy();
  });

  it('checks its arguments', async () => {
    const http = await listen((_req, res) => res.end());
    cleanup(() => http.close());
    expect(() => sendReplyLog('x' as never, {} as never)).toThrow(/entries\$ must be an Observable/);
    expect(() => sendReplyLog(log.read('r'), {} as never)).toThrow(/ServerResponse/);
  });
});
