/**
 * Web delivery, measured from the server's side with the clients in a child
 * process (bench/web.clients.ts), so the memory figures are the server's alone:
 *
 * 1. 1,000 concurrent SSE clients of the offline model (2 ms per token) through
 *    `sendServerSentEvents`, against a hand-written SSE loop doing the same work
 *    (JSON framing, `id:` lines, a done event, `await drain`, abort on close);
 *    median of interleaved repetitions with the range: wall time, server heap
 *    per connection, server peak RSS.
 * 2. One slow reader that reads nothing while a fast producer streams: its
 *    queue must reach `maxBufferedBytes` (the cap is exercised: asserted), the
 *    request is aborted, and when it finally reads it gets every queued frame,
 *    then the `SSE_SLOW_CONSUMER` error event.
 * 3. 3,000 turns on one WebSocket connection: server heap growth per turn
 *    between turn 1,000 and 3,000, with the default `maxSavedMessages` and with
 *    an unbounded history (what every connection kept before).
 *
 * `REPS` (default 9) and `N` (default 1000) change the size, `WEB_PARTS=13` picks parts. Exit code 1 when a
 * client missed a token or the cap was not exercised.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fromAsyncIterableFactory, fromRunnable, textContent } from '../src';
import { parseRequestTarget, sendServerSentEvents, serveChatOverWebSocket, type ServerSentEventsDelivery } from '../src/node';
import { ScriptedChatModel } from '../src/testing';
import { createChatChain } from '../demos/web/server';
import type { ClientCommand, ClientReport } from './web.clients';

const CLIENTS = Number(process.env.N ?? 1000);
const REPS = Number(process.env.REPS ?? 9);
const TURN_REPS = Math.max(3, Math.ceil(REPS / 3));
const QUESTIONS = ['讲一个关于程序员的故事', '什么是Python', 'Tell me a joke 😀', 'hello'];
const SLOW_CAP = 1024 * 1024;
const SLOW_FRAME_TEXT = '慢速读取者 slow reader 🐍 '.repeat(400); // ≈ 9 KB of text, ≈ 12 KB per frame
const SLOW_FRAMES = 6000; // ≈ 70 MB if nobody stopped it: far beyond loopback socket buffers plus the cap
const TURNS = 3000;

const gc = (): void => {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect) for (let i = 0; i < 3; i++) collect();
};
const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MB`;
const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;

/** Median and range of a list of numbers. */
function summary(xs: number[]): { median: number; min: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return { median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, min: s[0], max: s[s.length - 1] };
}
const show = (xs: number[], unit: (n: number) => string): string => {
  const { median, min, max } = summary(xs);
  return `${unit(median)} (${unit(min)} – ${unit(max)})`;
};

/** Peak heap and RSS of this process (the server) while `work` runs, above the heap after a full GC. */
async function measured<T>(work: () => Promise<T>): Promise<{ result: T; heapPeak: number; rssPeak: number }> {
  gc();
  const base = process.memoryUsage().heapUsed;
  let heapPeak = 0;
  let rssPeak = 0;
  const sample = (): void => {
    const m = process.memoryUsage();
    heapPeak = Math.max(heapPeak, m.heapUsed - base);
    rssPeak = Math.max(rssPeak, m.rss);
  };
  const sampler = setInterval(sample, 10);
  try {
    const result = await work();
    sample();
    return { result, heapPeak, rssPeak };
  } finally {
    clearInterval(sampler);
  }
}

/** The child that plays every client. */
class Clients {
  private readonly child: ChildProcess;
  private readonly reports: ClientReport[] = [];
  private wake?: () => void;

  constructor() {
    this.child = fork(join(__dirname, 'web.clients.ts'), [], { execArgv: ['-r', 'ts-node/register/transpile-only'], stdio: 'inherit' });
    this.child.on('message', (report: ClientReport) => {
      this.reports.push(report);
      this.wake?.();
    });
  }

  send(command: ClientCommand): void {
    this.child.send(command);
  }

  /** The next report of the given type. */
  async next<K extends ClientReport['type']>(type: K): Promise<Extract<ClientReport, { type: K }>> {
    for (;;) {
      const i = this.reports.findIndex((r) => r.type === type);
      if (i >= 0) return this.reports.splice(i, 1)[0] as Extract<ClientReport, { type: K }>;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  async close(): Promise<void> {
    this.send({ type: 'exit' });
    await once(this.child, 'exit');
  }
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.maxConnections = CLIENTS + 10;
  return (server.address() as AddressInfo).port;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** What a careful hand-written SSE route does: JSON frames with ids, a done event, wait for drain, abort on close. */
async function handWritten(model: ScriptedChatModel, question: string, res: ServerResponse): Promise<number> {
  const controller = new AbortController();
  res.on('close', () => controller.abort());
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
  res.flushHeaders();
  let id = 0;
  try {
    for await (const chunk of await model.stream(question, { signal: controller.signal })) {
      const text = typeof chunk.content === 'string' ? chunk.content : '';
      if (text === '') continue;
      if (!res.write(`event: chunk\nid: ${++id}\ndata: ${JSON.stringify({ text })}\n\n`)) await once(res, 'drain');
    }
    res.end(`event: done\nid: ${id + 1}\ndata: ${JSON.stringify({ chunks: id })}\n\n`);
  } catch (error) {
    if (!controller.signal.aborted) res.end(`event: error\nid: ${id + 1}\ndata: ${JSON.stringify({ message: String(error) })}\n\n`);
  }
  return id + 1;
}

async function manyClients(clients: Clients): Promise<boolean> {
  const model = new ScriptedChatModel({ firstChunkDelayMs: 0, chunkDelayMs: 2 }); // every stream overlaps the others
  let frames = 0;
  const deliveries: ServerSentEventsDelivery[] = [];
  const server = createServer((req, res) => {
    const url = parseRequestTarget(req);
    const question = url?.searchParams.get('q') ?? 'hello';
    if (url?.pathname === '/lib') deliveries.push(sendServerSentEvents(fromRunnable(model, question).pipe(textContent()), res));
    else void handWritten(model, question, res).then((n) => (frames += n));
  });
  const port = await listen(server);
  gc();
  const idleRss = process.memoryUsage().rss;
  const runs: Record<'lib' | 'hand', { ms: number[]; heap: number[]; rss: number[]; frames: number[] }> = {
    lib: { ms: [], heap: [], rss: [], frames: [] },
    hand: { ms: [], heap: [], rss: [], frames: [] },
  };
  let allComplete = true;
  try {
    // Warm-up, not measured: loads and compiles every module on both paths and lets the JIT settle.
    for (const variant of ['lib', 'hand'] as const) {
      clients.send({ type: 'sse', port, path: `/${variant}`, clients: Math.min(CLIENTS, 200), questions: QUESTIONS });
      await clients.next('sse');
    }
    for (let rep = 0; rep < REPS; rep++) {
      for (const variant of rep % 2 === 0 ? (['lib', 'hand'] as const) : (['hand', 'lib'] as const)) {
        deliveries.length = 0;
        frames = 0;
        const { result, heapPeak, rssPeak } = await measured(async () => {
          clients.send({ type: 'sse', port, path: `/${variant}`, clients: CLIENTS, questions: QUESTIONS });
          return clients.next('sse');
        });
        if (result.complete !== CLIENTS) allComplete = false;
        runs[variant].ms.push(result.ms);
        runs[variant].heap.push(heapPeak / CLIENTS);
        runs[variant].rss.push(rssPeak);
        runs[variant].frames.push(variant === 'lib' ? deliveries.reduce((n, d) => n + d.stats.framesWritten, 0) : frames);
      }
    }
  } finally {
    await closeServer(server);
  }
  const ms = (n: number): string => `${(n / 1000).toFixed(2)} s`;
  const ratio = (a: number[], b: number[]): string => (summary(a).median / summary(b).median).toFixed(2) + '×';
  console.log(`1. ${CLIENTS} concurrent SSE clients (child process), offline model at 2 ms/token, ${REPS} interleaved repetitions: median (range)`);
  console.log(`   complete with every token     ${allComplete ? 'all' : 'NOT ALL'} (${CLIENTS} × ${REPS} × 2 streams)`);
  console.log(`   wall time   sendServerSentEvents ${show(runs.lib.ms, ms)}   hand-written loop ${show(runs.hand.ms, ms)}   ratio ${ratio(runs.lib.ms, runs.hand.ms)}`);
  console.log(`   server heap per connection, peak above idle   ours ${show(runs.lib.heap, kb)}   hand ${show(runs.hand.heap, kb)}   ratio ${ratio(runs.lib.heap, runs.hand.heap)}`);
  console.log(`   server peak RSS (the whole server process)    ours ${show(runs.lib.rss, mb)}   hand ${show(runs.hand.rss, mb)}   (idle before the runs ${mb(idleRss)})`);
  console.log(`   SSE frames per run            ours ${summary(runs.lib.frames).median}   hand ${summary(runs.hand.frames).median}`);
  return allComplete;
}

async function slowReader(clients: Clients): Promise<boolean> {
  let produced = 0;
  let producedText = '';
  const producer = fromAsyncIterableFactory(async function* (signal) {
    for (let i = 0; i < SLOW_FRAMES && !signal.aborted; i++) {
      produced++;
      producedText += SLOW_FRAME_TEXT;
      yield SLOW_FRAME_TEXT;
      if (i % 16 === 15) await new Promise((resolve) => setImmediate(resolve)); // let I/O (drain, close) in
    }
  });
  let delivery: ServerSentEventsDelivery | undefined;
  const server = createServer((_req, res) => {
    delivery = sendServerSentEvents(producer, res, { maxBufferedBytes: SLOW_CAP, overflowGraceMs: 60_000 });
  });
  const port = await listen(server);
  try {
    clients.send({ type: 'slow', port, path: '/slow' });
    await clients.next('slow-connected');
    while (!delivery) await new Promise((resolve) => setTimeout(resolve, 5));
    const outcome = await Promise.race([delivery.finished, new Promise<'overflow'>((resolve) => {
      const check = setInterval(() => delivery!.stats.queuedBytes > SLOW_CAP && (clearInterval(check), resolve('overflow')), 5);
    })]);
    const stats = { ...delivery.stats };
    clients.send({ type: 'drain' }); // now read everything that was queued
    const got = await clients.next('slow');
    const final = await delivery.finished;
    const frameBytes = Buffer.byteLength(`event: chunk\nid: 1\ndata: ${JSON.stringify({ text: SLOW_FRAME_TEXT })}\n\n`);
    const capHit = outcome === 'overflow' && final === 'overflow' && stats.peakQueuedBytes >= SLOW_CAP - frameBytes && stats.peakQueuedBytes <= SLOW_CAP + 2 * frameBytes;
    const errorLast = /"code":"SSE_SLOW_CONSUMER"/.test(got.lastEvent);
    const prefix = producedText.startsWith(got.chunkText) && got.chunkText.length > 0;
    console.log(`2. one slow reader (reads nothing until the cap is hit), fast producer of ${SLOW_FRAMES} × ${kb(frameBytes)} frames, cap ${mb(SLOW_CAP)}`);
    console.log(`   queue peak ${mb(stats.peakQueuedBytes)} (+ Node's socket buffer: ${mb(stats.peakBufferedBytes)}), outcome ${final}, produced ${produced} of ${SLOW_FRAMES} frames before the abort`);
    console.log(`   the reader got ${mb(got.bytes)}: every frame in order (${prefix ? 'yes' : 'NO'}), then SSE_SLOW_CONSUMER last (${errorLast ? 'yes' : 'NO'})`);
    console.log(`   cap exercised: ${capHit ? 'yes' : 'NO'} (queue ≥ cap − one frame, ≤ cap + two frames)`);
    return capHit && errorLast && prefix;
  } finally {
    await closeServer(server);
  }
}

async function longConnection(clients: Clients): Promise<void> {
  const chain = createChatChain(new ScriptedChatModel({ firstChunkDelayMs: 0, chunkDelayMs: 0 }));
  const perTurn: Record<'bounded' | 'unbounded', number[]> = { bounded: [], unbounded: [] };
  for (let rep = 0; rep < TURN_REPS; rep++) {
    for (const variant of rep % 2 === 0 ? (['bounded', 'unbounded'] as const) : (['unbounded', 'bounded'] as const)) {
      const server = createServer();
      const chat = serveChatOverWebSocket(server, {
        streamTurn: ({ question, history }) => fromRunnable(chain, { question, history }), // the web demo's prompt and model
        heartbeatMs: 0,
        ...(variant === 'unbounded' && { maxSavedMessages: Infinity }),
      });
      const port = await listen(server);
      const heap: Record<number, number> = {};
      clients.send({ type: 'turns', port, turns: TURNS, checkpoints: [1000, TURNS], question: '什么是Python' });
      for (const at of [1000, TURNS]) {
        const { turn } = await clients.next('checkpoint');
        gc();
        heap[turn] = process.memoryUsage().heapUsed;
        if (at !== turn) throw new Error(`checkpoint ${turn}, expected ${at}`);
        clients.send({ type: 'continue' });
      }
      const { ok } = await clients.next('turns');
      if (ok !== TURNS) throw new Error(`only ${ok} of ${TURNS} turns completed`);
      perTurn[variant].push((heap[TURNS] - heap[1000]) / (TURNS - 1000));
      await chat.close();
      await closeServer(server);
    }
  }
  const bytes = (n: number): string => `${Math.round(n)} B`;
  console.log(`3. ${TURNS} turns on one WebSocket connection: server heap growth per turn from turn 1,000 to ${TURNS}, ${TURN_REPS} interleaved repetitions`);
  console.log(`   default (maxSavedMessages = maxMessages = 10)  ${show(perTurn.bounded, bytes)}`);
  console.log(`   unbounded history (maxSavedMessages: Infinity) ${show(perTurn.unbounded, bytes)}`);
}

export async function run(): Promise<void> {
  if (!(globalThis as { gc?: unknown }).gc) console.log('(run with --expose-gc, as `npm run bench` does, for stable heap figures)');
  const clients = new Clients();
  try {
    const parts = (process.env.WEB_PARTS ?? '123').split('');
    const complete = parts.includes('1') ? await manyClients(clients) : true;
    const capped = parts.includes('2') ? await slowReader(clients) : true;
    if (parts.includes('3')) await longConnection(clients);
    if (!complete || !capped) process.exitCode = 1;
  } finally {
    await clients.close();
  }
}

if (require.main === module) void run();
