/**
 * Web delivery (issue 7): 1,000 concurrent SSE clients on loopback, each
 * streaming a reply from the offline model through `sendServerSentEvents`,
 * plus one deliberately slow reader of a ~2 MB reply. Checks every client got
 * every token, and reports throughput, peak RSS (server and clients share this
 * process) and the adapter's own queue figures. Bounded in count (CLIENTS) and
 * time (DEADLINE_MS).
 */
import { createServer, request, Agent, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fromAsyncIterableFactory, fromRunnable, textContent } from '../src';
import { sendServerSentEvents, type ServerSentEventsDelivery } from '../src/node';
import { replyTo } from '../src/offline/cannedReplies';
import { ScriptedChatModel, tokenize } from '../src/testing';

const CLIENTS = Number(process.env.N ?? 1000);
const DEADLINE_MS = 60_000;
const QUESTIONS = ['讲一个关于程序员的故事', '什么是Python', 'Tell me a joke 😀', 'hello'];
// ≈ 4.4 KB of text, ≈ 750 tokens
const SLOW_PARAGRAPH = ('慢速读取者：第一行\n第二行 emoji 🐍 and English words.\n\n').repeat(50);
const SLOW_REPEATS = 150; // ≈ 0.7 MB of text in ≈ 110,000 tokens, ≈ 6 MB of SSE frames
const SLOW_CAP = 8 * 1024 * 1024;

export async function run(): Promise<void> {
  const model = new ScriptedChatModel({ tokenMs: 2 }); // ~2 ms per token: every stream overlaps the others
  // The slow reader's producer: pre-tokenized (tokenize() is slow on megabytes), as fast as the event loop allows.
  const paragraphTokens = tokenize(SLOW_PARAGRAPH);
  const SLOW_REPLY = SLOW_PARAGRAPH.repeat(SLOW_REPEATS);
  const fastProducer = fromAsyncIterableFactory(async function* (signal) {
    for (let r = 0; r < SLOW_REPEATS && !signal.aborted; r++) {
      yield* paragraphTokens;
      await new Promise((resolve) => setImmediate(resolve)); // let I/O (drain) in between
    }
  });
  const deliveries: ServerSentEventsDelivery[] = [];
  let slowDelivery: ServerSentEventsDelivery | undefined;

  const server = createServer((req, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const question = url.searchParams.get('q') ?? 'hello';
    if (url.pathname === '/slow') {
      slowDelivery = sendServerSentEvents(fastProducer, res, { maxBufferedBytes: SLOW_CAP });
    } else {
      deliveries.push(sendServerSentEvents(fromRunnable(model, question).pipe(textContent()), res));
    }
  });
  server.maxConnections = CLIENTS + 10;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });

  let peakRss = process.memoryUsage().rss;
  const baseRss = peakRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);

  const oneClient = (i: number): Promise<boolean> =>
    new Promise((resolve, reject) => {
      const question = QUESTIONS[i % QUESTIONS.length];
      const req = request({ host: '127.0.0.1', port, path: `/?q=${encodeURIComponent(question)}`, agent }, (res) => {
        res.setEncoding('utf8');
        let body = '';
        res.on('data', (d: string) => (body += d));
        res.on('end', () => {
          const text = [...body.matchAll(/^event: chunk\nid: \d+\ndata: (.*)$/gm)].map((m) => (JSON.parse(m[1]) as { text: string }).text).join('');
          resolve(text === replyTo(question) && body.includes('event: done'));
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });

  /** Raw socket that pauses 40 ms after every read (≤ 1.6 MB/s: 64 KiB reads), slower than the producer. */
  const slowClient = (): Promise<{ ok: boolean; bytes: number }> =>
    new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      socket.write(`GET /slow?q=slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      const parts: Buffer[] = [];
      socket.on('data', (d: Buffer) => {
        parts.push(d);
        socket.pause();
        setTimeout(() => socket.resume(), 40);
      });
      socket.on('end', () => {
        const raw = Buffer.concat(parts).toString('utf8');
        const texts = [...raw.matchAll(/data: (\{"text":.*\})/g)].map((m) => (JSON.parse(m[1]) as { text: string }).text).join('');
        resolve({ ok: texts === SLOW_REPLY && raw.includes('event: done'), bytes: raw.length });
      });
      socket.on('error', reject);
    });

  const started = performance.now();
  const deadline = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`web bench: over ${DEADLINE_MS} ms`)), DEADLINE_MS).unref());
  try {
    const [results, slow] = await Promise.race([
      Promise.all([Promise.all(Array.from({ length: CLIENTS }, (_, i) => oneClient(i))), slowClient()]),
      deadline,
    ]);
    const elapsed = performance.now() - started;
    clearInterval(sampler);
    const complete = results.filter(Boolean).length;
    const frames = deliveries.reduce((n, d) => n + d.stats.framesWritten, 0);
    const peakQueue = Math.max(...deliveries.map((d) => d.stats.peakQueuedBytes));
    const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MB`;
    console.log(`clients                    ${CLIENTS} concurrent SSE + 1 slow reader (offline model, 2 ms/token)`);
    console.log(`complete with every token  ${complete}/${CLIENTS}; slow reader ${slow.ok ? 'complete' : 'INCOMPLETE'} (${mb(slow.bytes)} of frames)`);
    console.log(`wall time                  ${(elapsed / 1000).toFixed(2)} s, ${Math.round((frames * 1000) / elapsed)} SSE frames/s`);
    console.log(`peak RSS                   ${mb(peakRss)} (start ${mb(baseRss)}, +${mb(peakRss - baseRss)}), clients in the same process`);
    console.log(`adapter queue, fast        peak ${peakQueue} bytes on any of the ${CLIENTS} connections`);
    console.log(
      `adapter queue, slow reader peak ${mb(slowDelivery?.stats.peakQueuedBytes ?? 0)} queued, ` +
        `${mb(slowDelivery?.stats.peakBufferedBytes ?? 0)} with Node's socket buffer (cap ${mb(SLOW_CAP)}), outcome ${await slowDelivery?.finished}`,
    );
    if (complete !== CLIENTS || !slow.ok) process.exitCode = 1;
  } finally {
    clearInterval(sampler);
    agent.destroy();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}

if (require.main === module) void run();
