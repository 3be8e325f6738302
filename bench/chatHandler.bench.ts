/**
 * Chat back ends with resume and stop across two instances (issue 22), against the peer users would
 * pick instead: an AI SDK route (`streamText` on a mock model, `toUIMessageStreamResponse`) made
 * resumable with `resumable-stream`, on the same redis-server (bench/chatHandler.peer.ts).
 *
 * 1. N (1,000) concurrent conversations, posted alternately to instance A and B; 10 % of the clients
 *    drop mid-reply and resume on the other instance, 5 % stop mid-reply. Wall time, CPU per stream,
 *    Redis memory at peak and after the end, bytes lost / received twice, stops that really stopped
 *    the model.
 * 2. `GET /api/info` latency (p50 / p99) while 2,000 SSE clients come and go.
 *
 * Our side is `createChatHandler` (the chat-handler engineer's, issue 22); until it is on main this
 * bench measures the peer and prints that our side is missing, rather than a stand-in.
 * Needs redis-server on the PATH; without it the bench says so and skips.
 */
import { REDIS_SKIP_MESSAGE, redisServerPath, startRedisServer, type RedisServer } from '../specs/support/redis';
import { tokenize } from '../src/offline';
import { startPeer, type ModelRuns, type PeerInstance, type Script } from './chatHandler.peer';

const STREAMS = Number(process.env.N ?? 1000);
const SSE_CLIENTS = Number(process.env.SSE_CLIENTS ?? 2000);
/** The offline model's tokens of one reply (Chinese, emoji, ASCII), 8 ms apart on both sides: every stream overlaps the others. */
const TOKENS = tokenize(Array.from({ length: 8 }, (_, i) => `第${i}段：Python 是一种编程语言 🐍，line ${i} of the answer.`).join(' '));
const SCRIPT: Script = { tokens: TOKENS, tokenDelayMs: 8 };
const EXPECTED = TOKENS.join('');
const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

type Kind = 'whole' | 'drop' | 'stop';
const kindOf = (i: number): Kind => (i % 20 === 1 ? 'stop' : i % 10 === 0 ? 'drop' : 'whole');

interface ClientResult {
  kind: Kind;
  lostBytes: number;
  twiceBytes: number;
  wireBytes: number;
  ms: number;
}

/** The text of a UI message stream's `text-delta` chunks. */
function textOf(sse: string): string {
  let text = '';
  for (const line of sse.split('\n')) {
    if (!line.startsWith('data: {')) continue;
    const chunk = JSON.parse(line.slice(6)) as { type: string; delta?: string };
    if (chunk.type === 'text-delta') text += chunk.delta;
  }
  return text;
}

/** Reads a response body; with `cutAt`, aborts once that many bytes came (only whole lines kept). */
async function readBody(response: Response, abort: AbortController, cutAt?: number): Promise<{ sse: string; wire: number }> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let sse = '';
  let wire = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      wire += value.byteLength;
      sse += decoder.decode(value, { stream: true });
      if (cutAt !== undefined && wire >= cutAt) {
        abort.abort();
        return { sse: sse.slice(0, sse.lastIndexOf('\n\n') + 2), wire };
      }
    }
  } catch {
    // aborted
  }
  return { sse, wire };
}

/** One client: sends, reads; a dropper resumes on the other instance, a stopper just leaves. */
async function client(i: number, run: string, here: PeerInstance, there: PeerInstance, fullBytes: number): Promise<ClientResult> {
  const started = performance.now();
  const result = await session(i, run, here, there, fullBytes);
  return { ...result, ms: performance.now() - started };
}

async function session(i: number, run: string, here: PeerInstance, there: PeerInstance, fullBytes: number): Promise<Omit<ClientResult, 'ms'>> {
  const kind = kindOf(i);
  const id = `${run}-conversation-${String(i).padStart(6, '0')}`;
  const abort = new AbortController();
  const body = JSON.stringify({ id, trigger: 'submit-message', messages: [{ id: `m-${i}`, role: 'user', parts: [{ type: 'text', text: '什么是Python' }] }] });
  const response = await fetch(`${here.url}/api/chat`, { method: 'POST', body, headers: { 'content-type': 'application/json' }, signal: abort.signal });
  const first = await readBody(response, abort, kind === 'whole' ? undefined : Math.floor(fullBytes / 2));
  const prefix = textOf(first.sse);
  if (kind === 'stop') return { kind, lostBytes: 0, twiceBytes: 0, wireBytes: first.wire };
  if (kind === 'whole') return { kind, lostBytes: bytes(EXPECTED) - bytes(prefix), twiceBytes: 0, wireBytes: first.wire };
  const again = await fetch(`${there.url}/api/chat/${id}/stream`);
  const resumed = again.status === 204 ? { sse: '', wire: 0 } : await readBody(again, new AbortController());
  const rest = textOf(resumed.sse);
  // A replay from the start repeats the prefix (the client must throw it away); a resume after the last event does not.
  const twice = rest.startsWith(prefix) ? prefix : '';
  const assembled = twice ? rest : prefix + rest;
  let same = 0;
  while (same < assembled.length && assembled[same] === EXPECTED[same]) same++;
  return { kind, lostBytes: bytes(EXPECTED) - bytes(EXPECTED.slice(0, same)), twiceBytes: bytes(twice), wireBytes: first.wire + resumed.wire };
}

const usedMemory = async (redis: RedisServer): Promise<number> => {
  const admin = await redis.client();
  const info = await admin.info('memory');
  await admin.disconnect();
  return Number(/used_memory:(\d+)/.exec(info)![1]);
};

/** Samples Redis's used memory every 50 ms until stopped; resolves to the peak. */
function memoryPeak(redis: RedisServer): { stop(): Promise<number> } {
  let peak = 0;
  let running = true;
  const loop = (async () => {
    const admin = await redis.client();
    while (running) {
      const info = await admin.info('memory');
      peak = Math.max(peak, Number(/used_memory:(\d+)/.exec(info)![1]));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await admin.disconnect();
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return peak;
    },
  };
}

const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(2)} MB`;

/** Scenario 1 on one side. */
async function conversations(redis: RedisServer, a: PeerInstance, b: PeerInstance, runs: ModelRuns): Promise<void> {
  // One whole reply first: its size on the wire, where droppers and stoppers cut.
  const probe = await client(2, 'probe', a, b, 0);
  const fullBytes = probe.wireBytes;
  const baseline = await usedMemory(redis);
  const sampler = memoryPeak(redis);
  const finishedBefore = runs.finished;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: STREAMS }, (_, i) => client(i, 'run', i % 2 ? b : a, i % 2 ? a : b, fullBytes)));
  const wall = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const peak = await sampler.stop();
  await new Promise((resolve) => setTimeout(resolve, SCRIPT.tokenDelayMs * TOKENS.length + 500)); // stopped producers that run on, end
  const after = await usedMemory(redis);
  const stops = results.filter((r) => r.kind === 'stop').length;
  const ranOn = runs.finished - finishedBefore - (STREAMS - stops);
  const sum = (f: (r: ClientResult) => number): number => results.reduce((n, r) => n + f(r), 0);
  console.log(`| figure | peer (AI SDK + resumable-stream) |`);
  console.log(`| --- | --- |`);
  console.log(`| streams (whole / drop→resume / stop) | ${STREAMS} (${results.filter((r) => r.kind === 'whole').length} / ${results.filter((r) => r.kind === 'drop').length} / ${stops}) |`);
  console.log(`| wall time of all | ${wall.toFixed(0)} ms |`);
  const slowest = (kind: Kind): string => Math.max(...results.filter((r) => r.kind === kind).map((r) => r.ms)).toFixed(0);
  console.log(`| slowest client: whole / drop→resume / stop | ${slowest('whole')} / ${slowest('drop')} / ${slowest('stop')} ms |`);
  console.log(`| CPU per stream (server + clients, one process) | ${((used.user + used.system) / 1000 / STREAMS).toFixed(2)} ms |`);
  console.log(`| Redis memory above baseline: peak / after the end | ${mb(peak - baseline)} / ${mb(after - baseline)} |`);
  console.log(`| bytes of text lost | ${sum((r) => r.lostBytes)} |`);
  console.log(`| bytes of text received twice (replay from the start) | ${sum((r) => r.twiceBytes)} |`);
  console.log(`| stops that stopped the model | ${stops - Math.max(0, ranOn)} of ${stops} (no stop route: the model ran on in ${Math.max(0, ranOn)}) |`);
}

/** Scenario 2: `/api/info` answered while SSE_CLIENTS clients connect, read a little, and leave. */
async function infoUnderLoad(a: PeerInstance): Promise<void> {
  const latencies: number[] = [];
  let running = true;
  const prober = (async () => {
    while (running) {
      const t = performance.now();
      await (await fetch(`${a.url}/api/info`)).text();
      latencies.push(performance.now() - t);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  await Promise.all(
    Array.from({ length: SSE_CLIENTS }, async (_, i) => {
      const abort = new AbortController();
      const body = JSON.stringify({ id: `load-conversation-${String(i).padStart(6, '0')}`, messages: [] });
      const response = await fetch(`${a.url}/api/chat`, { method: 'POST', body, headers: { 'content-type': 'application/json' }, signal: abort.signal });
      await readBody(response, abort, 200 + (i % 7) * 300);
    }),
  );
  running = false;
  await prober;
  console.log(`\n/api/info while ${SSE_CLIENTS} SSE clients come and go: p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms (${latencies.length} requests; goal p99 ≤ 1000 ms)`);
}

export async function run(): Promise<void> {
  if (!redisServerPath) return void console.log(REDIS_SKIP_MESSAGE);
  const redis = await startRedisServer();
  const runs: ModelRuns = { started: 0, finished: 0 };
  const [a, b] = await Promise.all([startPeer(redis.url, SCRIPT, runs), startPeer(redis.url, SCRIPT, runs)]);
  try {
    console.log(`${STREAMS} conversations over two instances and one redis-server; a reply is ${TOKENS.length} tokens, ${SCRIPT.tokenDelayMs} ms apart.\n`);
    await conversations(redis, a, b, runs);
    await infoUnderLoad(a);
    console.log('\nOur side: createChatHandler is not on main yet, so it is not measured here (no stand-in).');
  } finally {
    // Producers outlive their clients (the peer's recipe): let them end before closing their Redis clients.
    while (runs.finished < runs.started) await new Promise((resolve) => setTimeout(resolve, 100));
    await new Promise((resolve) => setTimeout(resolve, 500));
    await Promise.all([a.close(), b.close()]);
    await redis.stop();
  }
}
