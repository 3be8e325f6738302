/**
 * Scale-out on Redis (issue 18), side by side with the in-memory store:
 *
 * 1. 1,000 concurrent resumable streams: each reply's frames appended by a
 *    producer on instance A, read whole by a reader on instance B (Redis: two
 *    clients, two RedisReplyLogs; memory: one InMemoryReplyLog). Wall time of
 *    all 1,000, every text checked; median of 9 interleaved runs with range
 *    (offline model, 2 ms/token: every stream overlaps the others).
 *    Redis memory at its peak and after the grace period (bounded: back to
 *    the baseline, 0 keys).
 * 2. Reconnect-to-first-replayed-event latency over HTTP: a client sends
 *    `Last-Event-ID` (mid-reply) to the instance that did not produce the
 *    reply; time from the request to the first replayed frame.
 * 3. Two web-demo instances over Redis: 100 clients ask on A, drop mid-reply,
 *    resume on B with `Last-Event-ID`; every text and every byte checked.
 *
 * Needs redis-server on the PATH (started here on a free port, no
 * persistence); without it the bench says so and skips.
 */
import type { NodeRedisClient as RedisClient } from '../src/node/redis/nodeRedis';
import { request, Agent } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { map, Observable, endWith, range as integers, mergeMap, toArray, lastValueFrom } from 'rxjs';
import { fromRunnable, textContent } from '../src';
import { InMemoryReplyLog, RedisReplyLog, sendReplyLog, type ReplyLog } from '../src/node';
import { replyTo } from '../src/offline/cannedReplies';
import { ScriptedChatModel } from '../src/testing';
import { REDIS_SKIP_MESSAGE, redisServerPath, startRedisServer, type RedisServer } from '../specs/support/redis';
import { listen } from '../specs/support/http';
import { startWebDemo } from '../demos/web/server';

const STREAMS = Number(process.env.N ?? 1000);
const RUNS = Number(process.env.RUNS ?? 9);
const GRACE_MS = 1500;
const QUESTIONS = ['讲一个关于程序员的故事', '什么是Python', 'Tell me a joke 😀', 'hello'];
const DEADLINE_MS = 15 * 60_000;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const range = (xs: number[], digits = 0): string => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(2)} MB`;

const frame = (text: string): string => `event: chunk\ndata: ${JSON.stringify({ text })}\n\n`;
const DONE = 'event: done\ndata: {}\n\n';
const textOf = (data: string): string => (data === DONE ? '' : (JSON.parse(data.slice(data.indexOf('data: ') + 6)) as { text: string }).text);

/** STREAMS concurrent replies, produced on `a`, each read whole on `b`; resolves to wall ms, throws on a wrong text. */
async function concurrentStreams(a: ReplyLog, b: ReplyLog, model: ScriptedChatModel, run: string): Promise<number> {
  const started = performance.now();
  await Promise.all(
    Array.from({ length: STREAMS }, (_, i) =>
      new Promise<void>((resolve, reject) => {
        const question = QUESTIONS[i % QUESTIONS.length];
        const replyId = `${run}-${i}`;
        let reader: Promise<string> | undefined;
        const readerFailed = (error: unknown): void => reject(error);
        const frames$ = fromRunnable(model, question).pipe(textContent(), map(frame), endWith(DONE));
        a.append(replyId, frames$).subscribe({
          // The reader connects once the reply exists (its first event), as a web client does.
          next: () => {
            if (reader) return;
            reader = readText(b, replyId);
            reader.catch(readerFailed);
          },
          error: reject,
          complete: () =>
            reader!.then((text) => (text === replyTo(question) ? resolve() : reject(new Error(`stream ${replyId}: wrong text`))), reject),
        });
      }),
    ),
  );
  return performance.now() - started;
}

function readText(log: ReplyLog, replyId: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    log.read(replyId).subscribe({ next: (e) => (text += textOf(e.data)), error: reject, complete: () => resolve(text) });
  });
}

async function usedMemory(client: RedisClient): Promise<number> {
  const info = (await client.info('memory')) as string;
  return Number(/used_memory:(\d+)/.exec(info)![1]);
}

/** Latency from sending Last-Event-ID to the first replayed frame, over HTTP on the other instance. */
async function reconnectLatency(producer: ReplyLog, reader: ReplyLog, samples: number, tag: string): Promise<number[]> {
  // Replies of 60 frames, each resumed after its 20th event.
  const afters: Array<{ replyId: string; after: string }> = [];
  for (let i = 0; i < samples; i++) {
    const replyId = `${tag}-latency-${i}`;
    const ids: string[] = [];
    await new Promise<void>((resolve, reject) =>
      producer
        .append(replyId, new Observable<string>((s) => {
          for (let k = 0; k < 60; k++) s.next(frame(`第${k}块 😀`));
          s.complete();
        }))
        .subscribe({ next: (e) => ids.push(e.id), error: reject, complete: resolve }),
    );
    afters.push({ replyId, after: ids[19] });
  }
  const http = await listen((req, res) => {
    const after = req.headers['last-event-id'] as string;
    sendReplyLog(reader.read(req.url!.slice(1), { after }), res, { heartbeatMs: 0 });
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const port = Number(new URL(http.url).port);
  const latencies: number[] = [];
  try {
    for (const { replyId, after } of afters) {
      latencies.push(
        await new Promise<number>((resolve, reject) => {
          const t0 = performance.now();
          const req = request({ host: '127.0.0.1', port, path: `/${replyId}`, agent, headers: { 'last-event-id': after } }, (res) => {
            let first: number | undefined;
            res.setEncoding('utf8');
            res.on('data', (d: string) => {
              if (first === undefined && d.includes('id: ')) first = performance.now() - t0;
            });
            res.on('end', () => (first === undefined ? reject(new Error('no replayed event')) : resolve(first)));
          });
          req.on('error', reject);
          req.end();
        }),
      );
    }
  } finally {
    agent.destroy();
    await http.close();
  }
  return latencies;
}

const CLIENTS_RESUMING = 100;
/** Under the chat handler's default cap of 64 runs per instance (createChatHandler's maxConcurrentRuns). */
const IN_FLIGHT = 50;
const strip = (body: string): string => body.replace(/^retry: \d+\n\n/, '').replace(/: ping\n\n/g, '');

/** 100 clients ask on instance A, drop after 10 chunks, resume on B; checks every text and every byte. */
async function dropAndResume(redisUrl: string): Promise<void> {
  const model = () => new ScriptedChatModel({ chunkDelayMs: 5 });
  const [a, b] = await Promise.all([
    startWebDemo({ port: 0, model: model(), scaleOut: { redisUrl } }),
    startWebDemo({ port: 0, model: model(), scaleOut: { redisUrl } }),
  ]);
  const headers = { 'content-type': 'application/json', 'x-requested-with': 'bench' };
  try {
    const runs: Array<{ wall: number; exact: number; resumeMs: number[] }> = [];
    for (let r = 0; r < RUNS; r++) {
      const resumeMs: number[] = [];
      const started = performance.now();
      // At most IN_FLIGHT turns at once: the demo's handler caps an instance at 64 runs (a 429 past it).
      const one = async (i: number): Promise<boolean> => {
        const question = QUESTIONS[i % QUESTIONS.length];
        const conversationId = `bench-${r}-${i}-${Math.random().toString(36).slice(2)}`;
        const body = JSON.stringify({ question, conversationId });
        const drop = new AbortController();
        const first = await fetch(`${a.url}/api/chat/stream`, { method: 'POST', headers, body, signal: drop.signal });
        if (first.status !== 200) throw new Error(`redis bench: POST /api/chat/stream answered ${first.status}: ${await first.text()}`);
        const reader = first.body!.pipeThrough(new TextDecoderStream()).getReader();
        let seen = '';
        while ((seen.match(/event: chunk/g) ?? []).length < 10) {
          const { value, done } = await reader.read();
          if (done) throw new Error(`redis bench: the reply ended before 10 chunks: ${seen}`);
          seen += value;
        }
        drop.abort(); // the client is gone mid-reply
        const kept = strip(seen.slice(0, seen.lastIndexOf('\n\n') + 2)); // what a client parsed: whole frames
        const lastId = [...kept.matchAll(/^id: (.*)$/gm)].at(-1)![1];
        const t0 = performance.now();
        const second = await fetch(`${b.url}/api/chat/stream`, { method: 'POST', headers: { ...headers, 'last-event-id': lastId }, body });
        const resumed = await second.text();
        resumeMs.push(performance.now() - t0);
        const replyId = (JSON.parse(/^event: start\ndata: (.*)$/m.exec(kept)![1]) as { replyId: string }).replyId;
        const whole = await (await fetch(`${b.url}/api/chat/stream?conversationId=${conversationId}&replyId=${replyId}`, { headers })).text();
        const got = kept + strip(resumed);
        const text = [...got.matchAll(/^id: .*\nevent: chunk\ndata: (.*)$/gm)].map((m) => (JSON.parse(m[1]) as { text: string }).text).join('');
        return got === strip(whole) && text === replyTo(question);
      };
      const results = await lastValueFrom(integers(0, CLIENTS_RESUMING).pipe(mergeMap((i) => one(i), IN_FLIGHT), toArray()));
      runs.push({ wall: performance.now() - started, exact: results.filter(Boolean).length, resumeMs });
    }
    const exact = runs.map((x) => x.exact);
    const walls = runs.map((x) => x.wall);
    const all = runs.flatMap((x) => x.resumeMs);
    console.log(
      `${CLIENTS_RESUMING} clients dropped after 10 chunks on instance A and resumed on B (two web demos, one Redis), ${RUNS} runs: ` +
        `byte-exact and text-exact ${Math.min(...exact)}–${Math.max(...exact)}/${CLIENTS_RESUMING}; wall median ${median(walls).toFixed(0)} ms (range ${range(walls)}); ` +
        `resume request to the end of the reply median ${median(all).toFixed(0)} ms`,
    );
    if (Math.min(...exact) !== CLIENTS_RESUMING) process.exitCode = 1;
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

export async function run(): Promise<void> {
  if (!redisServerPath) {
    console.log(REDIS_SKIP_MESSAGE);
    return;
  }
  const deadline = setTimeout(() => {
    console.error(`redis bench: over ${DEADLINE_MS} ms`);
    process.exit(1);
  }, DEADLINE_MS);
  deadline.unref();
  let redis: RedisServer | undefined;
  try {
    redis = await startRedisServer();
    const [clientA, clientB, admin] = await Promise.all([redis.client(), redis.client(), redis.client()]);
    const redisA = new RedisReplyLog({ client: clientA, graceMs: GRACE_MS });
    const redisB = new RedisReplyLog({ client: clientB, graceMs: GRACE_MS });
    const memory = new InMemoryReplyLog({ graceMs: GRACE_MS });
    const baseline = await usedMemory(admin);
    let peak = baseline;
    const sampler = setInterval(() => void usedMemory(admin).then((m) => (peak = Math.max(peak, m)), () => undefined), 25);

    // Paced only: an offline model at 0 ms/token streams 1,000 replies in one burst of microtasks that
    // blocks the event loop for seconds (23 s measured), longer than any heartbeat timeout.
    const modes = [['paced, 2 ms/token', Number(process.env.TOKEN_MS ?? 2)]] as const;
    for (const [label, chunkDelayMs] of modes) {
      const model = new ScriptedChatModel({ chunkDelayMs });
      const lag = monitorEventLoopDelay({ resolution: 10 });
      lag.enable();
      const mem: number[] = [];
      const red: number[] = [];
      await concurrentStreams(memory, memory, model, `warm-m-${chunkDelayMs}`);
      await concurrentStreams(redisA, redisB, model, `warm-r-${chunkDelayMs}`);
      for (let r = 0; r < RUNS; r++) {
        // Interleaved, alternating which goes first, so both see the same machine state.
        if (r % 2 === 0) {
          mem.push(await concurrentStreams(memory, memory, model, `m-${chunkDelayMs}-${r}`));
          red.push(await concurrentStreams(redisA, redisB, model, `r-${chunkDelayMs}-${r}`));
        } else {
          red.push(await concurrentStreams(redisA, redisB, model, `r-${chunkDelayMs}-${r}`));
          mem.push(await concurrentStreams(memory, memory, model, `m-${chunkDelayMs}-${r}`));
        }
      }
      lag.disable();
      const ratios = red.map((x, i) => x / mem[i]);
      console.log(`${STREAMS} concurrent resumable streams (${label}), every text checked, median of ${RUNS} interleaved runs:`);
      console.log(`  in memory                  ${median(mem).toFixed(0)} ms (range ${range(mem)})`);
      console.log(`  Redis, produced on A, read on B  ${median(red).toFixed(0)} ms (range ${range(red)})`);
      console.log(`  ratio Redis / memory       ${(median(red) / median(mem)).toFixed(2)}× (per-run ratios ${range(ratios, 2)}; goal ≤ 1.5×)`);
      console.log(`  event-loop delay (both)    p99 ${(lag.percentile(99) / 1e6).toFixed(0)} ms, max ${(lag.max / 1e6).toFixed(0)} ms (producers, readers and models share one process)`);
    }
    clearInterval(sampler);
    const keysAtEnd = await admin.dbSize();
    const memAtEnd = await usedMemory(admin);
    // Finished replies go after GRACE_MS; the instance heartbeat keys after producerTimeoutMs (10 s).
    await new Promise((resolve) => setTimeout(resolve, Math.max(GRACE_MS, 10_000) + 500));
    const keysAfter = await admin.dbSize();
    const memAfter = await usedMemory(admin);
    console.log(`Redis memory: baseline ${mb(baseline)}, peak ${mb(peak)}, at the end ${mb(memAtEnd)} (${keysAtEnd} keys), ` +
      `after the grace period and the heartbeat TTL ${mb(memAfter)} (${keysAfter} keys${keysAfter ? `: ${(await admin.keys('*')).slice(0, 5).join(', ')}` : ''})`);

    const latency: { memory: number[]; redis: number[] } = { memory: [], redis: [] };
    for (let r = 0; r < RUNS; r++) {
      latency.memory.push(...(await reconnectLatency(memory, memory, 50, `m${r}`)));
      latency.redis.push(...(await reconnectLatency(redisA, redisB, 50, `r${r}`)));
    }
    for (const [label, xs] of Object.entries(latency)) {
      console.log(
        `reconnect → first replayed event over HTTP (${label === 'redis' ? 'Redis, on the other instance' : 'in memory'}), ${xs.length} resumes: ` +
          `median ${median(xs).toFixed(2)} ms, p99 ${percentile(xs, 99).toFixed(2)} ms (range ${range(xs, 2)} ms; goal median ≤ 20 ms)`,
      );
    }
    await Promise.all([redisA.close(), redisB.close(), memory.close()]);
    await dropAndResume(redis.url);
  } finally {
    clearTimeout(deadline);
    await redis?.stop();
  }
}

if (require.main === module) void run();
