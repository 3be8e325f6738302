/**
 * Measures one side of the agent-protocol bench: an unmeasured warm-up, then `size` concurrent
 * clients at once (client i on instance i mod instances; every `dropEvery`-th drops mid-run and
 * reconnects to the next instance), with the server process's memory and the side's services'
 * memory before and after, and each dropper's events checked against a fresh read of its thread.
 */
import type { Event } from '@langchain/protocol';
import { median } from './measure';
import { BENCH_ANSWER } from './agentProtocol.graph';
import { readThread, runClient, type ClientRun } from './agentProtocol.client';
import { ClientLink } from './agentProtocol.link';
import type { ServerProcess } from './agentProtocol.process';
import { describeStuck } from './agentProtocol.stuck';

/** Bytes a side keeps outside its server process (ours: Redis `used_memory`, Postgres database size). */
export type ServiceBytes = Record<string, number>;

export interface Side {
  readonly name: string;
  readonly server: ServerProcess;
  /** What its services hold now; undefined: it has none (the peer keeps everything in its process). */
  services?(): Promise<ServiceBytes>;
  /** CPU its services used so far, ms (ours: redis-server and the Postgres cluster); undefined: none. */
  servicesCpuMs?(): Promise<number>;
}

export interface SideFigures {
  readonly runs: number;
  readonly failed: number;
  /** How many runs ended each way other than `completed` (`failed: <error>`, `interrupted`, `stuck`). */
  readonly otherEnds: Record<string, number>;
  /** Runs whose streamed text is not the answer. */
  readonly wrongText: number;
  readonly wallMs: number;
  readonly clientMedianMs: number;
  /** CPU used during the measured runs, ms: the server process, and the side's services. */
  readonly serverCpuMs: number;
  readonly servicesCpuMs: number;
  /** Server process: RSS before (idle, after GC), peak RSS while running, RSS and heap after (after GC). */
  readonly rssBefore: number;
  readonly rssPeak: number;
  readonly rssAfter: number;
  /** heapUsed + external + arrayBuffers after a full GC, before and after the runs. */
  readonly heapBefore: number;
  readonly heapAfter: number;
  readonly servicesBefore?: ServiceBytes;
  readonly servicesAfter?: ServiceBytes;
  readonly droppers: number;
  readonly reconnectToFirstEventMs: number[];
  readonly dropToFirstNewEventMs: number[];
  /** Events of droppers' threads a fresh read has and the dropper never heard / heard twice (by event_id). */
  readonly lost: number;
  readonly duplicated: number;
  readonly eventsPerRun: number;
  /** Runs whose client never heard the end (`stuck`), and one line each on the first 10. */
  readonly stuckCount: number;
  readonly stuck: string[];
}

interface Measured extends ClientRun {
  readonly link: ClientLink;
  readonly dropTo?: string;
}

/** `count` clients at once over `urls`; every `dropEvery`-th (0, dropEvery, …) drops and reconnects to the next URL. */
export function clients(urls: readonly string[], count: number, dropEvery: number): Promise<Measured[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const link = new ClientLink(urls[i % urls.length]);
      const dropTo = i % dropEvery === 0 ? urls[(i + 1) % urls.length] : undefined;
      return { ...(await runClient(link, dropTo)), link, dropTo };
    }),
  );
}

/** Samples `rss()` every 50 ms until stopped; resolves to the peak. */
function peakOf(rss: () => number): { stop(): number } {
  let peak = rss();
  const timer = setInterval(() => (peak = Math.max(peak, rss())), 50);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, rss());
    },
  };
}

const heapOf = (m: NodeJS.MemoryUsage): number => m.heapUsed + m.external + m.arrayBuffers;

/** The server's heap after a full GC, its RSS a moment later (V8 returns freed pages lazily), and its services' bytes. */
async function snapshot(side: Side): Promise<{ heap: number; rss: number; services?: ServiceBytes }> {
  const heap = heapOf(await side.server.memory());
  await new Promise((resolve) => setTimeout(resolve, 500));
  return { heap, rss: side.server.rss(), services: await side.services?.() };
}

/** Lost and duplicated events of the droppers, by event_id, against a fresh read of each thread on the instance it reconnected to. */
async function dropperLosses(runs: readonly Measured[]): Promise<{ lost: number; duplicated: number }> {
  let lost = 0;
  let duplicated = 0;
  for (const run of runs.filter((r) => r.dropTo !== undefined && r.outcome !== 'stuck')) {
    const heard = run.events.map((e: Event) => e.event_id);
    const heardSet = new Set(heard);
    duplicated += heard.length - heardSet.size;
    const all = await readThread(new ClientLink(run.dropTo!), run.threadId);
    lost += all.filter((e) => !heardSet.has(e.event_id)).length;
  }
  return { lost, duplicated };
}

/** The warm-up (unmeasured), then the measured runs. */
export async function measureSide(side: Side, size: number, warmup: number, dropEvery: number): Promise<SideFigures> {
  await clients(side.server.urls, warmup, dropEvery);
  const before = await snapshot(side);
  const peak = peakOf(side.server.rss);
  const cpuBefore = [side.server.cpuMs(), (await side.servicesCpuMs?.()) ?? 0];
  const started = performance.now();
  const runs = await clients(side.server.urls, size, dropEvery);
  const wallMs = performance.now() - started;
  const cpuAfter = [side.server.cpuMs(), (await side.servicesCpuMs?.()) ?? 0];
  const rssPeak = peak.stop();
  const after = await snapshot(side);
  const droppers = runs.filter((r) => r.dropTo !== undefined);
  return {
    runs: runs.length,
    failed: runs.filter((r) => r.outcome !== 'completed').length,
    otherEnds: runs.reduce<Record<string, number>>((ends, r) => (r.outcome === 'completed' ? ends : { ...ends, [r.outcome]: (ends[r.outcome] ?? 0) + 1 }), {}),
    wrongText: runs.filter((r) => r.text !== BENCH_ANSWER).length,
    wallMs,
    clientMedianMs: median(runs.map((r) => r.ms)),
    serverCpuMs: cpuAfter[0] - cpuBefore[0],
    servicesCpuMs: cpuAfter[1] - cpuBefore[1],
    rssBefore: before.rss, rssPeak, rssAfter: after.rss,
    heapBefore: before.heap, heapAfter: after.heap,
    servicesBefore: before.services, servicesAfter: after.services,
    droppers: droppers.length,
    reconnectToFirstEventMs: droppers.flatMap((r) => (r.link.reconnectToFirstEventMs === undefined ? [] : [r.link.reconnectToFirstEventMs])),
    dropToFirstNewEventMs: droppers.flatMap((r) => (r.dropToFirstNewEventMs === undefined ? [] : [r.dropToFirstNewEventMs])),
    ...(await dropperLosses(runs)),
    eventsPerRun: runs.reduce((n, r) => n + r.events.length, 0) / runs.length,
    stuckCount: runs.filter((r) => r.outcome === 'stuck').length,
    stuck: await Promise.all(runs.filter((r) => r.outcome === 'stuck').slice(0, 10).map((r) => describeStuck(r, r.link, r.dropTo))),
  };
}
