/**
 * Chat back ends with resume and stop across two instances (issue 22), against the peer users would
 * pick instead: an AI SDK route (`streamText` on a mock model, `toUIMessageStreamResponse`) made
 * resumable with `resumable-stream`, on the same redis-server (bench/chatHandler.peer.ts). The peer
 * keeps no conversation; ours keeps each one's history, so a second peer column, like for like, runs
 * the peer with the AI SDK's message persistence (`onFinish` saves the chat's UI messages to Redis).
 * Both ratios are printed.
 *
 * 1. N (1,000) concurrent conversations, posted alternately to instance A and B; 10 % of the clients
 *    drop mid-reply and resume on the other instance, 5 % stop mid-reply. Wall time, CPU per stream,
 *    Redis memory at peak and after the end, bytes lost / received twice, stops that really stopped
 *    the model.
 * 2. `GET /api/info` latency (p50 / p99 / max, probed every 50 ms on a new and on a kept-alive connection) while 2,000 SSE
 *    clients come and go, and where a slow probe waited (bench/chatHandler.info.ts, decision 0345); ours twice: with
 *    every client accepted, and at the handler's default `maxConcurrentRuns` (decision 0420). SSE_PER_SECOND paces the clients.
 *
 * Our side is `createChatHandler` (bench/chatHandler.ours.ts): two instances with RedisReplyLog,
 * RedisConversationLock, RedisChatHistory and RedisConversationOwners; its stoppers POST
 * `{base}/:id/stop` to the other instance. Both sides run in one process, one after the other, on one
 * redis-server (flushed between them), and the figures are printed side by side with ours / peer.
 * Needs redis-server on the PATH; without it the bench says so and skips.
 * Scenario 2 runs its SSE clients and its prober in processes of their own: the bench process is then the servers'.
 */
import { REDIS_SKIP_MESSAGE, redisServerPath, startRedisServer, type RedisServer } from '../specs/support/redis';
import { tokenize } from '../src/offline';
import { startOurs, type ChatInstance } from './chatHandler.ours';
import { allPlaces, allPlacesAtPeak, breakdown, breakdownAtPeak, printAllPlaces, printBreakdown, type AllPlacesFigures, type MemoryBreakdown, type Places } from './chatHandler.memory';
import { startChildSide, type SideKind } from './chatHandler.children';
import { heapGrowth } from './chatHandler.heapDiff';
import { startPeer, type ModelRuns, type Script } from './chatHandler.peer';
import { infoUnderLoad, printInfo, type InfoFigures } from './chatHandler.info';
import { closeClients, http, readBody, userTurn } from './chatHandler.wire';
import { earlyStopCounts, earlyStopper, STOP_AT_START, type EarlyStop } from './chatHandler.earlyStop';

const STREAMS = Number(process.env.N ?? 1000);
const SSE_CLIENTS = Number(process.env.SSE_CLIENTS ?? 2000);
/** Scenario 2's clients all post at once (0), or this many a second (clients that come and go at a rate one instance serves). */
const SSE_PER_SECOND = Number(process.env.SSE_PER_SECOND ?? 0);
/** How long our finished replies stay in Redis here (deployments: minutes); the bench waits it out. */
const GRACE_MS = 5_000;
/** The offline model's tokens of one reply (Chinese, emoji, ASCII), 8 ms apart on both sides: every stream overlaps the others. */
export const TOKENS = tokenize(Array.from({ length: 8 }, (_, i) => `第${i}段：Python 是一种编程语言 🐍，line ${i} of the answer.`).join(' '));
export const SCRIPT: Script = { tokens: TOKENS, tokenDelayMs: 8 };
const EXPECTED = TOKENS.join('');
const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** SCENARIOS=memory: scenario 1 only, each side's instances in processes of their own (decision 0385): memory, all places. */
const IN_CHILDREN = process.env.SCENARIOS === 'memory';
/** Caps above the bench's load: every stream must be accepted (the default 64 runs per instance refuses most). MAX_RUNS: another cap per instance. */
const MAX_RUNS = Number(process.env.MAX_RUNS ?? Math.max(STREAMS, SSE_CLIENTS) * 2);

type Kind = 'whole' | 'drop' | 'stop';
const kindOf = (i: number): Kind => (i % 20 === 1 ? 'stop' : i % 10 === 0 ? 'drop' : 'whole');

interface ClientResult {
  kind: Kind;
  /** A stopper's stop: when it was sent, and whether the side said it stopped a run. */
  stop?: { id: string; sentAt: number; answeredAt?: number; stopped: boolean };
  /** STOP_AT=start: the early stop (and how much text its client still got). */
  early?: EarlyStop;
  lostBytes: number;
  twiceBytes: number;
  wireBytes: number;
  ms: number;
  /** A dropper whose resume was answered 204: its reply had ended (ours: and its graceMs passed), its text is in the history. */
  resumedEmpty?: boolean;
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

/** One client: sends, reads; a dropper resumes on the other instance, a stopper stops there (or just leaves). */
async function client(i: number, run: string, here: ChatInstance, there: ChatInstance, fullBytes: number): Promise<ClientResult> {
  const started = performance.now();
  const result = await session(i, run, here, there, fullBytes);
  return { ...result, ms: performance.now() - started };
}

async function session(i: number, run: string, here: ChatInstance, there: ChatInstance, fullBytes: number): Promise<Omit<ClientResult, 'ms'>> {
  const kind = kindOf(i);
  const id = `${run}-conversation-${String(i).padStart(6, '0')}`;
  if (kind === 'stop' && STOP_AT_START) {
    const { stop, wireBytes } = await earlyStopper(id, i, here, there, textOf);
    return { kind, lostBytes: 0, twiceBytes: 0, wireBytes, stop, early: stop };
  }
  const abort = new AbortController();
  const response = await http(`${here.url}/api/chat`, { method: 'POST', body: userTurn(id, i), headers: { 'content-type': 'application/json' }, signal: abort.signal });
  const first = await readBody(response, abort, kind === 'whole' ? undefined : Math.floor(fullBytes / 2));
  const prefix = textOf(first.sse);
  if (kind === 'stop') {
    const sentAt = performance.now();
    const stopped = (await there.stop?.(id)) ?? false; // the peer has no stop: its client just left
    return { kind, lostBytes: 0, twiceBytes: 0, wireBytes: first.wire, stop: { id, sentAt, answeredAt: performance.now(), stopped } };
  }
  if (kind === 'whole') return { kind, lostBytes: bytes(EXPECTED) - bytes(prefix), twiceBytes: 0, wireBytes: first.wire };
  // What the page's fetch sends (a browser adds it): ours refuses a cross-site GET; the peer ignores it.
  const again = await http(`${there.url}/api/chat/${id}/stream`, { headers: { 'sec-fetch-site': 'same-origin' } });
  const resumed = again.status === 204 ? { sse: '', wire: 0 } : await readBody(again, new AbortController());
  const rest = textOf(resumed.sse);
  // A replay from the start repeats the prefix (the client must throw it away); a resume after the last event does not.
  const twice = rest.startsWith(prefix) ? prefix : '';
  const assembled = twice ? rest : prefix + rest;
  let same = 0;
  while (same < assembled.length && assembled[same] === EXPECTED[same]) same++;
  return { kind, lostBytes: bytes(EXPECTED) - bytes(EXPECTED.slice(0, same)), twiceBytes: bytes(twice), wireBytes: first.wire + resumed.wire, resumedEmpty: again.status === 204 };
}

const usedMemory = async (redis: RedisServer): Promise<number> => {
  const admin = await redis.client();
  const info = await admin.info('memory');
  await admin.disconnect();
  return Number(/used_memory:(\d+)/.exec(info)![1]);
};

/** Bytes of the keys matching `pattern` (MEMORY USAGE of each). */
async function keyBytes(redis: RedisServer, pattern: string): Promise<number> {
  const admin = await redis.client();
  let total = 0;
  for await (const key of admin.scanIterator({ MATCH: pattern, COUNT: 1000 })) total += (await admin.memoryUsage(key)) ?? 0;
  await admin.disconnect();
  return total;
}

/** Samples Redis's used memory every 50 ms until stopped; resolves to the peak. */
function memoryPeak(redis: RedisServer): { stop(): Promise<number> } {
  let peak = 0;
  let running = true;
  const loop = (async () => {
    const admin = await redis.client();
    while (running) {
      const info = await admin.info('memory');
      peak = Math.max(peak, Number(/used_memory:(\d+)/.exec(info)![1]));
      await sleep(50);
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

const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(2)} MB`;

/** One side: two instances, the model runs they count, and how long its finished replies stay in Redis. */
interface Side {
  name: string;
  a: ChatInstance;
  b: ChatInstance;
  runs: ModelRuns;
  /** undefined: the side's keys outlive the bench (the peer's sentinels keep 24 h). */
  graceMs?: number;
  /** The keys that keep the conversation (ours: histories and owners; the peer with persistence: its saved messages). */
  durable: string[];
  /** Servers in child processes (SCENARIOS=memory): their heap after a full GC, and their CPU (ms so far). */
  servers?: { heap(): Promise<number>; cpuMs(): number; snapshot(prefix: string): Promise<void> };
}

/** Scenario 1's figures of one side. */
interface Figures {
  wallMs: number;
  slowest: Record<Kind, number>;
  cpuMsPerStream: number;
  peak: number;
  afterEnd: number;
  afterExpiry?: number;
  /** Of what stays: the conversations' histories and owners (ours keeps them; the peer keeps none). */
  durable: number;
  lost: number;
  /** Droppers whose resume was answered 204 (see ClientResult.resumedEmpty). */
  emptyResumes: number;
  twice: number;
  stops: number;
  stopped: number;
  /** Stops not honoured, by why (ours: the model's end time and the stop's answer tell). */
  missed: Record<string, number>;
  /** Where Redis memory went at the peak sample. */
  byKey?: MemoryBreakdown;
  /** What is left in Redis after expiry (sides with a graceMs). */
  byKeyAfterExpiry?: MemoryBreakdown;
  /** Servers in child processes: memory in all places (their heap + Redis) above the baseline. */
  allPlaces?: AllPlacesFigures;
  counts: Record<Kind, number>;
  /** STOP_AT=start: where the early stops landed. */
  early?: string;
}

/**
 * HEAP_SNAPSHOTS=dir (with SCENARIOS=memory): the servers' heap snapshots at the baseline, after the
 * end and after expiry (bench/chatHandler.heapDiff.ts); returns their path prefix, if written.
 */
async function snapshot(side: Side, moment: string): Promise<string | undefined> {
  const dir = process.env.HEAP_SNAPSHOTS;
  if (!dir || !side.servers) return undefined;
  const prefix = `${dir}/${side.name.split(' ')[0]}${side.name.includes('persistence') ? '-persist' : ''}-${moment}`;
  await side.servers.snapshot(prefix);
  return prefix;
}

/** The data the two instances' heaps grew by from `before` to `after` (snapshots; compiled code left out: decision 0402). */
function heapDataGrowth(before: string | undefined, after: string | undefined): number | undefined {
  if (before === undefined || after === undefined) return undefined;
  return ['a', 'b'].reduce((sum, i) => sum + heapGrowth(`${before}-${i}.heapsnapshot`, `${after}-${i}.heapsnapshot`).data, 0);
}

/** Scenario 1 on one side. */
async function conversations(redis: RedisServer, side: Side): Promise<Figures> {
  const { a, b, runs } = side;
  // One whole reply first: its size on the wire, where droppers and stoppers cut. Then a warm-up
  // (JIT, connections, scripts loaded), unmeasured, so the side that runs first is not the cold one.
  const fullBytes = (await client(2, 'probe', a, b, 0)).wireBytes;
  // Every kind of client (whole, drop→resume, stop): code a path first runs in the measured phase would
  // count as memory the side keeps (heap snapshots: ~200 KB of compiled code per instance).
  await Promise.all(Array.from({ length: Math.min(50, STREAMS) }, (_, i) => client(i, 'warm', i % 2 ? b : a, i % 2 ? a : b, fullBytes)));
  await settle(runs);
  if (side.graceMs !== undefined) await sleep(side.graceMs + 1000); // the warm-up's replies expire first
  const baseline = await usedMemory(redis);
  const places: Places | undefined = side.servers && { heap: side.servers.heap, redis: () => usedMemory(redis) };
  const placesBaseline = places && (await allPlaces(places, { heap: 0, redis: 0 }));
  const snapshotBefore = await snapshot(side, 'baseline');
  const sampler = memoryPeak(redis);
  const keys = breakdownAtPeak(redis);
  const allAtPeak = places && allPlacesAtPeak(places, placesBaseline!);
  const finishedBefore = runs.finished;
  const cpu = process.cpuUsage();
  const serversCpu = side.servers?.cpuMs() ?? 0;
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: STREAMS }, (_, i) => client(i, 'run', i % 2 ? b : a, i % 2 ? a : b, fullBytes)));
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const usedMs = (used.user + used.system) / 1000 + (side.servers ? side.servers.cpuMs() - serversCpu : 0);
  const peak = await sampler.stop();
  const byKey = await keys.stop();
  const placesPeak = await allAtPeak?.stop();
  await settle(runs); // runs whose client left (or was stopped, on the peer) end
  const afterEnd = (await usedMemory(redis)) - baseline;
  const placesAfterEnd = places && (await allPlaces(places, placesBaseline!));
  let snapshotAfter = await snapshot(side, 'after-end');
  let afterExpiry: number | undefined;
  let placesAfterExpiry: AllPlacesFigures['afterExpiry'];
  if (side.graceMs !== undefined) {
    await sleep(side.graceMs + 1000);
    afterExpiry = (await usedMemory(redis)) - baseline;
    placesAfterExpiry = places && (await allPlaces(places, placesBaseline!));
    snapshotAfter = await snapshot(side, 'after-expiry');
  }
  const byKeyAfterExpiry = side.graceMs !== undefined ? await breakdown(redis) : undefined;
  const heapData = heapDataGrowth(snapshotBefore, snapshotAfter);
  let durable = 0;
  for (const pattern of side.durable) durable += await keyBytes(redis, pattern);
  const of = (kind: Kind): ClientResult[] => results.filter((r) => r.kind === kind);
  const stops = of('stop').length;
  const ranOn = Math.max(0, runs.finished - finishedBefore - (STREAMS - stops));
  const sum = (f: (r: ClientResult) => number): number => results.reduce((n, r) => n + f(r), 0);
  const slowest = (kind: Kind): number => Math.max(...of(kind).map((r) => r.ms));
  const missed: Record<string, number> = {};
  for (const { stop } of of('stop')) {
    const endedAt = stop && runs.endedAt?.get(stop.id);
    if (!stop || endedAt === undefined) continue;
    const why =
      endedAt < stop.sentAt
        ? 'the model had ended before the stop was sent'
        : stop.stopped
          ? 'accepted, yet the model ran to its end'
          : stop.answeredAt !== undefined && endedAt < stop.answeredAt
            ? 'answered { stopped: false } only after the model had ended'
            : 'refused while the model ran';
    missed[why] = (missed[why] ?? 0) + 1;
  }
  return {
    wallMs, cpuMsPerStream: usedMs / STREAMS, peak: peak - baseline, afterEnd, afterExpiry, durable,
    slowest: { whole: slowest('whole'), drop: slowest('drop'), stop: slowest('stop') },
    lost: sum((r) => r.lostBytes), emptyResumes: of('drop').filter((r) => r.resumedEmpty).length, twice: sum((r) => r.twiceBytes), stops, stopped: stops - ranOn, missed, byKey, byKeyAfterExpiry,
    counts: { whole: of('whole').length, drop: of('drop').length, stop: stops },
    ...(placesPeak && { allPlaces: { peak: placesPeak, afterEnd: placesAfterEnd!, afterExpiry: placesAfterExpiry, ...(heapData !== undefined && { dataKept: heapData + (afterExpiry ?? afterEnd) }) } }),
    ...(STOP_AT_START && { early: earlyStopCounts(of('stop').flatMap((r) => (r.early ? [r.early] : []))) }),
  };
}

/** The sides' figures in one table: ours, the peer, ours / peer, and the same against the peer that persists its chats. */
function printConversations(ours: Figures, peer: Figures, kept: Figures): void {
  const ratio = (o: number, p: number): string => (p === 0 ? (o === 0 ? '—' : '∞') : `${(o / p).toFixed(2)}×`);
  const row = (figure: string, o: number, p: number, k: number, show: (n: number) => string): void =>
    console.log(`| ${figure} | ${show(o)} | ${show(p)} | ${ratio(o, p)} | ${show(k)} | ${ratio(o, k)} |`);
  const ms = (n: number): string => `${n.toFixed(0)} ms`;
  console.log(`| figure | ours (createChatHandler) | peer (AI SDK + resumable-stream) | ours / peer | peer + message persistence (onFinish saves the chat) | ours / peer + persistence |`);
  console.log(`| --- | --- | --- | --- | --- | --- |`);
  const counts = (f: Figures): string => `${f.counts.whole} / ${f.counts.drop} / ${f.counts.stop}`;
  console.log(`| streams (whole / drop→resume / stop) | ${counts(ours)} | ${counts(peer)} | | ${counts(kept)} | |`);
  row('wall time of all', ours.wallMs, peer.wallMs, kept.wallMs, ms);
  row('slowest client, whole', ours.slowest.whole, peer.slowest.whole, kept.slowest.whole, ms);
  row('slowest client, drop→resume', ours.slowest.drop, peer.slowest.drop, kept.slowest.drop, ms);
  row(`CPU per stream (servers + clients, ${IN_CHILDREN ? 'three processes' : 'one process'})`, ours.cpuMsPerStream, peer.cpuMsPerStream, kept.cpuMsPerStream, (n) => `${n.toFixed(2)} ms`);
  row('Redis memory above baseline, peak', ours.peak, peer.peak, kept.peak, mb);
  row('Redis memory above baseline, after the end', ours.afterEnd, peer.afterEnd, kept.afterEnd, mb);
  row(`… after expiry (ours: graceMs ${GRACE_MS} ms; peer: 24 h TTL, not waited)`, ours.afterExpiry ?? NaN, peer.afterEnd, kept.afterEnd, mb);
  console.log(`| … of which the conversations (ours: histories + owners; peer: saved messages) | ${mb(ours.durable)} | ${mb(peer.durable)} (keeps none) | | ${mb(kept.durable)} | |`);
  printAllPlaces([ours.allPlaces, peer.allPlaces, kept.allPlaces], ratio);
  row('bytes of text lost', ours.lost, peer.lost, kept.lost, String);
  const empty = (f: Figures): string => `${f.emptyResumes} of ${f.counts.drop}`;
  console.log(`| … droppers whose resume was answered 204 (the reply had ended; ours: and its graceMs passed; its text is in the history) | ${empty(ours)} | ${empty(peer)} | | ${empty(kept)} | |`);
  row('bytes of text received twice (replay from the start)', ours.twice, peer.twice, kept.twice, String);
  const stops = (f: Figures): string => `${f.stopped} of ${f.stops}`;
  console.log(`| stops that stopped the model | ${stops(ours)} | ${stops(peer)} (no stop route: the client left) | | ${stops(kept)} | |`);
  const missed = Object.entries(ours.missed).map(([why, n]) => `${n} × ${why}`).join('; ');
  if (missed) console.log(`\nOur stops not honoured: ${missed}.`);
  if (ours.early) console.log(`\n${ours.early}`);
  printBreakdown('ours', ours.byKey);
  printBreakdown('ours', ours.byKeyAfterExpiry, 'after expiry (the warm-up\'s conversations included)');
  printBreakdown('peer', peer.byKey);
  printBreakdown('peer + message persistence', kept.byKey);
}

/** Scenario 1 then 2 on one side; waits until the side's model runs all ended. */
async function measure(redis: RedisServer, side: Side): Promise<{ figures?: Figures; info?: InfoFigures }> {
  // SCENARIOS=info runs the second only (the first takes minutes on a loaded machine); SCENARIOS=memory or conversations the first only.
  const figures = process.env.SCENARIOS === 'info' ? undefined : await conversations(redis, side);
  const info = IN_CHILDREN || process.env.SCENARIOS === 'conversations' ? undefined : await infoUnderLoad(side.name, side.a.url, SSE_CLIENTS, SSE_PER_SECOND);
  await settle(side.runs);
  return { figures, info };
}

/** Waits while model runs are still ending: until none is left, or a reply's time passes with none ending (stopped runs never do). */
async function settle(runs: ModelRuns): Promise<void> {
  for (let before = -1; runs.finished < runs.started && runs.finished !== before; ) {
    before = runs.finished;
    await sleep(SCRIPT.tokenDelayMs * TOKENS.length + 1000);
  }
}

/** A side's two instances in processes of their own (SCENARIOS=memory), measured, then ended. */
async function measureInChildren(redis: RedisServer, kind: SideKind, side: Pick<Side, 'name' | 'graceMs' | 'durable'>): Promise<{ figures?: Figures; info?: InfoFigures }> {
  const servers = await startChildSide(kind, redis.url, SCRIPT, { graceMs: GRACE_MS, maxConcurrentRuns: MAX_RUNS, fetch: http });
  return measure(redis, { ...side, a: servers.a, b: servers.b, runs: servers.runs, servers }).finally(() => servers.close());
}

/** The peer's two instances, measured, then closed; `persist`: they save each chat's messages (the AI SDK's recipe). */
async function measurePeer(redis: RedisServer, persist: boolean): Promise<{ figures?: Figures; info?: InfoFigures }> {
  const name = persist ? 'peer + message persistence' : 'peer (AI SDK + resumable-stream)';
  if (IN_CHILDREN) return measureInChildren(redis, persist ? 'persist' : 'peer', { name, durable: ['peer:chat:*:messages'] });
  const peerRuns: ModelRuns = { started: 0, finished: 0 };
  const [pa, pb] = await Promise.all([startPeer(redis.url, SCRIPT, peerRuns, { persist }), startPeer(redis.url, SCRIPT, peerRuns, { persist })]);
  return measure(redis, { name, a: pa, b: pb, runs: peerRuns, durable: ['peer:chat:*:messages'] }).finally(async () => {
    // Every peer run ends (it has no stop); one still writing when its Redis client closes rejects
    // unhandled (resumable-stream's `set`) and ends the bench. On a loaded machine `settle` can return first.
    for (const until = performance.now() + 120_000; peerRuns.finished < peerRuns.started && performance.now() < until; ) await sleep(250);
    await sleep(500);
    await Promise.all([pa.close(), pb.close()]);
  });
}

export async function run(): Promise<void> {
  if (!redisServerPath) return void console.log(REDIS_SKIP_MESSAGE);
  const redis = await startRedisServer();
  try {
    console.log(`${STREAMS} conversations over two instances and one redis-server; a reply is ${TOKENS.length} tokens, ${SCRIPT.tokenDelayMs} ms apart; then ${SSE_CLIENTS} SSE clients.\n`);
    const peers = process.env.SIDES !== 'ours'; // SIDES=ours: ours only (while developing)
    const peer = peers ? await measurePeer(redis, false) : undefined;
    await redis.flush();
    const kept = peers ? await measurePeer(redis, true) : undefined;
    await redis.flush();
    const ours = await measureOurs(redis);
    if (ours.figures) printConversations(ours.figures, peer?.figures ?? ours.figures, kept?.figures ?? ours.figures);
    if (!peer) console.log('\n(SIDES=ours: the peer columns repeat ours.)');
    const capped = ours.info ? await infoAtDefaultCap(redis) : undefined;
    if (ours.info) printInfo(SSE_CLIENTS, [ours.info, capped!, ...(peer?.info ? [peer.info] : []), ...(kept?.info ? [kept.info] : [])], SSE_PER_SECOND);
  } finally {
    await closeClients();
    await redis.stop();
  }
}

/**
 * Scenario 2 again on one instance of ours at the handler's default `maxConcurrentRuns` (64): what a
 * user who sets no cap gets; past the cap a POST is a 429 before its body is read (decision 0420).
 * The peer has no cap to set.
 */
async function infoAtDefaultCap(redis: RedisServer): Promise<InfoFigures> {
  await redis.flush();
  const runs: ModelRuns = { started: 0, finished: 0, endedAt: new Map() };
  const instance = await startOurs(redis.url, SCRIPT, runs, { graceMs: GRACE_MS, fetch: http });
  try {
    return await infoUnderLoad('ours, default maxConcurrentRuns (64)', instance.url, SSE_CLIENTS, SSE_PER_SECOND);
  } finally {
    while (instance.handler.runs > 0) await sleep(100);
    await instance.close();
  }
}

/** Our two instances, measured, then closed. */
async function measureOurs(redis: RedisServer): Promise<{ figures?: Figures; info?: InfoFigures }> {
    const durable = ['rxlc:conversation:*:history', 'rxlc:conversation:*:owner'];
    const name = 'ours (createChatHandler + Redis stores)';
    if (IN_CHILDREN) return measureInChildren(redis, 'ours', { name, graceMs: GRACE_MS, durable });
    const ourRuns: ModelRuns = { started: 0, finished: 0, endedAt: new Map() };
    const cap = MAX_RUNS;
    const [oa, ob] = await Promise.all([startOurs(redis.url, SCRIPT, ourRuns, { graceMs: GRACE_MS, maxConcurrentRuns: cap, fetch: http }), startOurs(redis.url, SCRIPT, ourRuns, { graceMs: GRACE_MS, maxConcurrentRuns: cap, fetch: http })]);
    return measure(redis, { name, a: oa, b: ob, runs: ourRuns, graceMs: GRACE_MS, durable }).finally(async () => {
      while (oa.handler.runs + ob.handler.runs > 0) await sleep(100);
      await Promise.all([oa.close(), ob.close()]);
    });
}
