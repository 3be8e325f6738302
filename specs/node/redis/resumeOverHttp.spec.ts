/**
 * Two HTTP instances over one redis-server: a real EventSource that drops on
 * one instance resumes on the other with Last-Event-ID, byte for byte; a
 * producer that dies mid-reply gives the resuming client everything stored and
 * then an error event, never a hang.
 */
import type { NodeRedisClient as RedisClient } from '../../../src/node/redis/nodeRedis';
import { EventSource } from 'eventsource';
import { Observable, take, VirtualTimeScheduler } from 'rxjs';
import { RedisReplyLog, sendReplyLog, type ReplyLogEntry } from '../../../src/node';
import { listen, until } from '../../support/http';
import { describeWithRedis, expireHeartbeatOf, startRedisServer, type RedisServer } from '../../support/redis';
import { controlled } from '../replyLog/replyLog.contract';
import { useCleanup } from '../../support/cleanup';

const cleanup = useCleanup();

/**
 * No live producer ever looks gone here, however loaded the machine: heartbeat keys last 10 minutes.
 * The producer the spec kills runs on a virtual clock nobody advances (it never beats), and its
 * heartbeat key is removed when it is killed, as the TTL would do in time. Readers poll every 50 ms.
 */
const LIVE = { heartbeatMs: 50, producerTimeoutMs: 600_000 };

interface Received {
  events: Array<{ type: string; id: string; data: string }>;
  requests: Array<{ instance: string; lastEventId: string | undefined }>;
}

describeWithRedis('resuming a reply over HTTP on another instance (Redis)', () => {
  let redis: RedisServer;
  let clients: RedisClient[];
  let logs: RedisReplyLog[];
  let servers: Array<Awaited<ReturnType<typeof listen>>>;
  let received: Received;

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  beforeEach(async () => {
    clients = [];
    logs = [];
    servers = [];
    received = { events: [], requests: [] };
    for (const instance of ['A', 'B']) {
      const client = await redis.client();
      const log = new RedisReplyLog({ client, ...LIVE });
      clients.push(client);
      logs.push(log);
      servers.push(
        await listen((req, res) => {
          const after = req.headers['last-event-id'] as string | undefined;
          received.requests.push({ instance, lastEventId: after });
          const replyId = new URL(req.url!, 'http://x').pathname.slice(1);
          // Instance A's first connection drops after three events.
          const entries = instance === 'A' && received.requests.length === 1 ? log.read(replyId).pipe(take(3)) : log.read(replyId, { after });
          sendReplyLog(entries, res, { retryMs: 5, heartbeatMs: 0 });
        }),
      );
    }
  });
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await Promise.all(logs.map((l) => l.close()));
    await Promise.all(clients.map((c) => (c.isOpen ? c.disconnect() : undefined)));
  });

  /** An EventSource on instance A whose reconnects go to instance B. */
  function read(replyId: string): Promise<void> {
    return new Promise((resolve, reject) => {
      let attempt = 0;
      const es = new EventSource(`${servers[0].url}/${replyId}`, {
        fetch: (url, init) => fetch(attempt++ === 0 ? url : `${servers[1].url}/${replyId}`, init),
      });
      const record = (e: MessageEvent): void => void received.events.push({ type: e.type, id: e.lastEventId, data: e.data as string });
      es.addEventListener('chunk', record);
      es.addEventListener('done', (e) => {
        record(e);
        es.close();
        resolve();
      });
      es.addEventListener('error', (e) => {
        const data = (e as unknown as { data?: string }).data;
        if (data === undefined) return attempt > 4 && (es.close(), reject(new Error(`EventSource failed: ${e.message}`)));
        received.events.push({ type: 'error', id: '', data });
        es.close();
        resolve();
      });
    });
  }

  it('drops on instance A and resumes on instance B with Last-Event-ID: every event once, byte for byte', async () => {
    const text = '第一行\n第二行 😀👨‍👩‍👧 end';
    const frames = [...text].map((ch) => `event: chunk\ndata: ${JSON.stringify({ text: ch })}\n\n`).concat('event: done\ndata: {"chunks":1}\n\n');
    const src = controlled();
    const stored: ReplyLogEntry[] = [];
    logs[0].append('reply-1', src.source$).subscribe((e) => stored.push(e));
    await src.subscribed;
    const reading = read('reply-1');
    for (const frame of frames.slice(0, 5)) src.next(frame);
    await until(() => received.requests.length === 2, 'the reconnect to B');
    for (const frame of frames.slice(5)) src.next(frame);
    src.complete();
    await reading;
    expect(received.requests).toEqual([
      { instance: 'A', lastEventId: undefined },
      { instance: 'B', lastEventId: stored[2].id },
    ]);
    expect(received.events.map((e) => e.id)).toEqual(stored.map((e) => e.id));
    const chunks = received.events.filter((e) => e.type === 'chunk').map((e) => (JSON.parse(e.data) as { text: string }).text);
    expect(chunks.join('')).toBe(text);
  });

  it('the producer dies mid-reply: the client resuming on B gets everything stored, then an error event naming the cut', async () => {
    const doomedClient = await redis.client();
    const doomed = new RedisReplyLog({ client: doomedClient, ...LIVE, scheduler: new VirtualTimeScheduler(), flushMs: 0 }); // stored at once on a still clock
    cleanup(() => doomed.close());
    const src = controlled();
    const stored: ReplyLogEntry[] = [];
    doomed.append('reply-2', src.source$).subscribe({ next: (e) => stored.push(e), error: () => undefined });
    await src.subscribed;
    const reading = read('reply-2');
    for (const ch of ['甲', '乙', '丙', '丁', '😀']) src.next(`event: chunk\ndata: ${JSON.stringify({ text: ch })}\n\n`);
    await until(() => stored.length === 5 && received.requests.length === 2, 'five stored events and the reconnect');
    // The instance is gone: every connection drops at once, no end marker, no more heartbeats.
    await doomed.close();
    await doomedClient.disconnect();
    await expireHeartbeatOf(clients[1], 'reply-2');
    await reading;
    const chunks = received.events.filter((e) => e.type === 'chunk');
    expect(chunks.map((e) => e.id)).toEqual(stored.map((e) => e.id));
    const last = received.events[received.events.length - 1];
    expect(last.type).toBe('error');
    expect(JSON.parse(last.data)).toMatchObject({ name: 'ReplyProducerGoneError', code: 'REPLY_PRODUCER_GONE' });
    expect(JSON.parse(last.data).message).toContain('stopped sending heartbeats');
  });

  it('a reply stored on one instance is read whole on the other, after its producer finished with nobody connected', async () => {
    const frames = ['event: chunk\ndata: {"text":"a"}\n\n', 'event: done\ndata: {"chunks":1}\n\n'];
    await new Promise<void>((resolve) =>
      logs[1].append('reply-3', new Observable<string>((s) => (frames.forEach((f) => s.next(f)), s.complete()))).subscribe({ complete: resolve }),
    );
    received.requests.push({ instance: 'spec', lastEventId: undefined }); // A's next connection is not cut
    await read('reply-3');
    expect(received.events.map((e) => e.data)).toEqual(['{"text":"a"}', '{"chunks":1}']);
  });
});
