/**
 * Where a side's Redis memory goes (issue 22): every key's `MEMORY USAGE`, grouped by the key's shape
 * (ids replaced by `{id}` / `*`), plus Redis' own `MEMORY STATS` (what clients' buffers and the
 * dataset take). The bench samples it while the streams run and keeps the sample with the most
 * bytes in keys: the breakdown at (about) the peak.
 */
import type { RedisServer } from '../specs/support/redis';

/** The keys of one shape: how many, their bytes, and for streams their entries. */
export interface KeyKind {
  keys: number;
  bytes: number;
  entries: number;
}

export interface MemoryBreakdown {
  kinds: Map<string, KeyKind>;
  /** Bytes in all keys (sum of MEMORY USAGE). */
  keyBytes: number;
  /** From MEMORY STATS: connections' buffers, the dataset, Redis' own overhead. */
  clients: number;
  dataset: number;
  overhead: number;
  /** Connections open (CLIENT LIST), the bench's own two (this sample's and the used-memory sampler's) not counted. */
  connections: number;
}

/** A key's shape: `rxlc:reply:{id}:producer`, `peer:rs:sentinel:*`. */
export function shapeOf(key: string): string {
  return key
    .replace(/\{[^}]*\}/g, '{id}')
    .split(':')
    .map((part) => (/[0-9a-f]{8}-[0-9a-f]{4}-|^[A-Za-z0-9_-]{16,}$|conversation-\d+/.test(part) ? '*' : part))
    .join(':');
}

/** One breakdown now. */
export async function breakdown(redis: RedisServer): Promise<MemoryBreakdown> {
  const admin = await redis.client();
  try {
    const keys: string[] = [];
    for await (const key of admin.scanIterator({ COUNT: 1000 })) keys.push(key);
    const multi = admin.multi();
    for (const key of keys) multi.memoryUsage(key, { SAMPLES: 0 }).type(key);
    const replies = (await multi.execAsPipeline()) as unknown[];
    const streams = keys.filter((_, i) => replies[2 * i + 1] === 'stream');
    const lengths = streams.length === 0 ? [] : ((await streams.reduce((m, key) => m.xLen(key), admin.multi()).execAsPipeline()) as number[]);
    const length = new Map(streams.map((key, i) => [key, Number(lengths[i] ?? 0)]));
    const kinds = new Map<string, KeyKind>();
    let keyBytes = 0;
    keys.forEach((key, i) => {
      const bytes = Number(replies[2 * i] ?? 0);
      const kind = kinds.get(shapeOf(key)) ?? { keys: 0, bytes: 0, entries: 0 };
      kind.keys++;
      kind.bytes += bytes;
      kind.entries += length.get(key) ?? 0;
      kinds.set(shapeOf(key), kind);
      keyBytes += bytes;
    });
    const stats = (await admin.sendCommand(['MEMORY', 'STATS'])) as unknown[];
    const connections = ((await admin.sendCommand(['CLIENT', 'LIST'])) as string).split('\n').filter((line) => line.startsWith('id=')).length - 2;
    const stat = (name: string): number => Number(stats[stats.indexOf(name) + 1] ?? 0);
    return { kinds, keyBytes, clients: stat('clients.normal'), dataset: stat('dataset.bytes'), overhead: stat('overhead.total'), connections };
  } finally {
    await admin.disconnect();
  }
}

/** Samples the breakdown every `everyMs` until stopped; resolves to the sample with the most bytes in keys. */
export function breakdownAtPeak(redis: RedisServer, everyMs = 1000): { stop(): Promise<MemoryBreakdown | undefined> } {
  return sampleMax(() => breakdown(redis), (b) => b.keyBytes, everyMs);
}

/** Samples every `everyMs` until stopped; resolves to the sample of the largest `size` (the peak, to within a sample). */
function sampleMax<T>(sample: () => Promise<T>, size: (t: T) => number, everyMs: number): { stop(): Promise<T | undefined> } {
  let best: T | undefined;
  let running = true;
  const loop = (async () => {
    while (running) {
      const now = await sample();
      if (best === undefined || size(now) > size(best)) best = now;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return best;
    },
  };
}

/** The breakdown as markdown rows: shape, keys, bytes, bytes per key, entries (streams). */
export function printBreakdown(side: string, at: MemoryBreakdown | undefined, when = 'at the peak sample'): void {
  if (!at) return;
  const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;
  console.log(`\n${side}, Redis memory by key shape ${when} (MEMORY USAGE; keys ${kb(at.keyBytes)}, clients' buffers ${kb(at.clients)} for ${at.connections} connections of two instances, Redis overhead ${kb(at.overhead)}):\n`);
  console.log('| key shape | keys | bytes | per key | stream entries | bytes per entry |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const [shape, kind] of [...at.kinds].sort((a, b) => b[1].bytes - a[1].bytes)) {
    const perEntry = kind.entries > 0 ? (kind.bytes / kind.entries).toFixed(1) : '';
    console.log(`| \`${shape}\` | ${kind.keys} | ${kb(kind.bytes)} | ${(kind.bytes / kind.keys).toFixed(0)} B | ${kind.entries || ''} | ${perEntry} |`);
  }
}

/** Memory a side keeps, all places: its servers' heap (after a full GC) and Redis' used memory, bytes above the baseline. */
export interface AllPlaces {
  heap: number;
  redis: number;
}

/** What scenario 1 reads to measure all places: the servers' heap (child processes) and Redis' used memory. */
export interface Places {
  heap(): Promise<number>;
  redis(): Promise<number>;
}

/** All places now, above `baseline` (both read at once). */
export async function allPlaces(places: Places, baseline: AllPlaces): Promise<AllPlaces> {
  const [heap, redis] = await Promise.all([places.heap(), places.redis()]);
  return { heap: heap - baseline.heap, redis: redis - baseline.redis };
}

/**
 * Samples all places every `everyMs` (each sample a full GC in every server process) until stopped;
 * resolves to the sample with the most bytes in total: the peak, to within a sample.
 */
export function allPlacesAtPeak(places: Places, baseline: AllPlaces, everyMs = 1000): { stop(): Promise<AllPlaces> } {
  const sampler = sampleMax(() => allPlaces(places, baseline), (p) => p.heap + p.redis, everyMs);
  return { stop: async () => (await sampler.stop()) ?? { heap: 0, redis: 0 } };
}

/** Scenario 1's all-places figures of one side: at the peak sample, after the end, after expiry (ours only). */
export interface AllPlacesFigures {
  peak: AllPlaces;
  afterEnd: AllPlaces;
  afterExpiry?: AllPlaces;
  /** HEAP_SNAPSHOTS: the heaps' data growth (snapshots, compiled code left out) + Redis, after expiry (peer: after the end). */
  dataKept?: number;
}

/**
 * The all-places rows of scenario 1's table (ours, peer, ours / peer, peer + persistence, ours / it),
 * or one line saying how to get them when the servers ran in the bench process (their heap would
 * hold the clients' too).
 */
export function printAllPlaces(sides: ReadonlyArray<AllPlacesFigures | undefined>, ratio: (o: number, p: number) => string): void {
  const [ours, peer, kept] = sides;
  if (!ours || !peer || !kept) {
    console.log('| memory, all places (servers\' heap + Redis) | run `SCENARIOS=memory` (servers in child processes) | | | | |');
    return;
  }
  const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(2)} MB`;
  const total = (at: AllPlaces): number => at.heap + at.redis;
  const row = (figure: string, f: (s: AllPlacesFigures) => number): void =>
    console.log(`| ${figure} | ${mb(f(ours))} | ${mb(f(peer))} | ${ratio(f(ours), f(peer))} | ${mb(f(kept))} | ${ratio(f(ours), f(kept))} |`);
  row('**memory, all places (servers\' heap after a full GC + Redis), peak sample**', (s) => total(s.peak));
  row('… of which the servers\' heap', (s) => s.peak.heap);
  row('… of which Redis', (s) => s.peak.redis);
  row('memory, all places, after the end', (s) => total(s.afterEnd));
  row('… after expiry (ours: graceMs; peer: the end, its sentinels keep 24 h)', (s) => total(s.afterExpiry ?? s.afterEnd));
  // heapUsed after expiry moves by ±0.5 MB with the JIT's compiled code (decision 0402): the snapshots tell the data.
  if (ours.dataKept !== undefined && peer.dataKept !== undefined && kept.dataKept !== undefined) {
    row('**data kept after expiry, all places (heap snapshots without compiled code + Redis)**', (s) => s.dataKept!);
  }
}
