/**
 * Leak soak (issue 8): many cycles of subscribe-and-cancel through the real
 * ChatOpenAI against the loopback fake OpenAI server, mixing every way a stream
 * ends early — take, unsubscribe mid-stream, streamTimeout on a stall, a 500
 * before the stream, an abortOn match, a dropped connection, a full reply — all
 * sharing one long-lived caller AbortSignal (LangChain.js has had abort-listener
 * pile-ups and MaxListenersExceededWarning there). Then it checks that nothing
 * is left behind: no warning, listeners on the shared signal back to 0, active
 * handles and server sockets back to the baseline, heap growth after GC.
 *
 * `run()` re-spawns node with --expose-gc when `global.gc` is missing.
 * Figures are counts and a heap delta, never a timed assertion.
 */
import { spawn } from 'node:child_process';
import { getEventListeners } from 'node:events';
import { lastValueFrom, Observable, take, toArray } from 'rxjs';
import { ChatOpenAI } from '@langchain/openai';
import type { AIMessageChunk } from '@langchain/core/messages';
import { fromRunnable } from '../src/sources/fromRunnable';
import { abortOn, collectText, requireCompletion, retryBeforeFirstChunk, streamTimeout, textContent } from '../src';
import { ForbiddenContentError, StreamInterruptedError, StreamTimeoutError } from '../src/errors';
import { startFakeOpenAIServer, type FakeFault, type FakeOpenAIServer } from '../src/testing';

/** The kinds of cycle, run in this order round-robin. */
export const CYCLE_KINDS = ['take', 'unsubscribe', 'timeout', 'server-error', 'abortOn', 'drop', 'complete'] as const;
export type CycleKind = (typeof CYCLE_KINDS)[number];

const REPLY = 'Python 和 Java 都是流行的语言 🐍 — both are used for web services, data work and automation every day.';

const FAULTS: Partial<Record<CycleKind, FakeFault>> = {
  unsubscribe: { type: 'stall', afterChunks: 3 },
  timeout: { type: 'stall', afterChunks: 2 },
  'server-error': { type: 'status', status: 500 },
  drop: { type: 'drop', afterChunks: 2 },
};

export interface SoakOptions {
  cycles: number;
  /** Cycles in flight at once. Default 8. */
  concurrency?: number;
  /** Cycles run before the heap baseline (JIT, module caches). Default 200. */
  warmup?: number;
  /** How long to wait for sockets and handles to return to the baseline, ms. Default 8000. */
  settleMs?: number;
  log?: (line: string) => void;
}

export interface SoakReport {
  cycles: number;
  outcomes: Record<CycleKind, number>;
  /** Mean wall time of one cycle of each kind, ms (informational). */
  meanMs: Record<CycleKind, number>;
  /** Cycles whose outcome was not the one expected for their kind. */
  unexpected: string[];
  requests: number;
  tcpConnections: number;
  maxListenersWarnings: number;
  warnings: string[];
  /** Abort listeners left on the shared caller signal. */
  signalListeners: number;
  /** Server connections open before / after settling. */
  serverSocketsBefore: number;
  serverSocketsAfter: number;
  /** Active resources (process.getActiveResourcesInfo) by type, before and after settling. */
  resourcesBefore: Record<string, number>;
  resourcesAfter: Record<string, number>;
  /** Requests the server still saw open after settling. */
  requestsStillOpen: number;
  /** How long every request took to close and the sockets to go after the last cycle, ms. */
  settleWaitMs: number;
  heapBeforeMB: number;
  heapMidMB: number;
  heapAfterMB: number;
  /** heapAfter - heapBefore, both after GC; NaN without --expose-gc. */
  heapGrowthMB: number;
  gc: boolean;
  durationMs: number;
}

function countResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
}

async function collectGarbage(): Promise<boolean> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') return false;
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  return true;
}

const heapMB = (): number => process.memoryUsage().heapUsed / 2 ** 20;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One cycle; resolves with a description of an unexpected outcome, or undefined. */
async function cycle(kind: CycleKind, model: ChatOpenAI, signal: AbortSignal): Promise<string | undefined> {
  const source = fromRunnable(model, `soak #${kind}`, { signal }) as Observable<AIMessageChunk>;
  const expectError = async (run: Promise<unknown>, check: (e: unknown) => boolean): Promise<string | undefined> => {
    try {
      await run;
      return `${kind}: completed, expected an error`;
    } catch (err) {
      return check(err) ? undefined : `${kind}: unexpected error ${(err as Error)?.name}: ${(err as Error)?.message}`;
    }
  };
  switch (kind) {
    case 'take': {
      const chunks = await lastValueFrom(source.pipe(take(3), toArray()));
      return chunks.length === 3 ? undefined : `take: got ${chunks.length} chunks`;
    }
    case 'unsubscribe':
      return new Promise((resolve) => {
        let seen = 0;
        const subscription = source.pipe(textContent()).subscribe({
          next: () => {
            if (++seen === 2) {
              queueMicrotask(() => subscription.unsubscribe());
              resolve(undefined);
            }
          },
          error: (e: Error) => resolve(`unsubscribe: error ${e.message}`),
          complete: () => resolve('unsubscribe: completed before the stall'),
        });
      });
    case 'timeout':
      return expectError(lastValueFrom(source.pipe(streamTimeout({ idleMs: 5 }), collectText())), (e) => e instanceof StreamTimeoutError && e.kind === 'idle');
    case 'server-error':
      return expectError(
        lastValueFrom(source.pipe(retryBeforeFirstChunk({ count: 1, delay: 0 }), collectText())),
        (e) => (e as { status?: number }).status === 500,
      );
    case 'abortOn':
      return expectError(lastValueFrom(source.pipe(textContent(), abortOn(['Java']))), (e) => e instanceof ForbiddenContentError && e.pattern === 'Java');
    case 'drop':
      return expectError(lastValueFrom(source.pipe(requireCompletion(), collectText())), (e) => e instanceof StreamInterruptedError);
    case 'complete': {
      const text = await lastValueFrom(source.pipe(requireCompletion(), collectText()));
      return text === REPLY ? undefined : `complete: wrong text ${JSON.stringify(text)}`;
    }
  }
}

/** The fake server: the reply, and the fault a cycle's kind (`#kind` in the question) asks for. */
function startSoakServer(): Promise<FakeOpenAIServer> {
  return startFakeOpenAIServer({
    reply: REPLY,
    recordRequests: false, // the request log would otherwise be the biggest heap growth
    fault: (request) => {
      const last = JSON.stringify(request.messages.at(-1)?.content ?? '');
      const kind = CYCLE_KINDS.find((k) => last.includes(`#${k}`));
      return kind ? FAULTS[kind] ?? null : null;
    },
  });
}

/** Runs cycles `from` … `to − 1` (kinds in turn) on `concurrency` workers. */
async function runConcurrently(from: number, to: number, concurrency: number, run: (kind: CycleKind) => Promise<void>): Promise<void> {
  let next = from;
  const worker = async (): Promise<void> => {
    while (next < to) await run(CYCLE_KINDS[next++ % CYCLE_KINDS.length]);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/**
 * Waits (at most `settleMs`) until every request is closed and server sockets and handles are back
 * to the baseline (keep-alive sockets expire); returns how long it waited.
 */
async function settle(server: FakeOpenAIServer, serverSocketsBefore: number, resourcesBefore: Record<string, number>, settleMs: number): Promise<number> {
  const started = performance.now();
  const deadline = started + settleMs;
  const settled = (): boolean =>
    server.openResponses === 0 &&
    server.openConnections <= serverSocketsBefore &&
    (countResources().TCPSocketWrap ?? 0) <= (resourcesBefore.TCPSocketWrap ?? 0);
  // Requests first: an in-flight (leaked) request keeps its socket busy, so closing idle ones cannot hide it.
  while (server.openResponses > 0 && performance.now() < deadline) await sleep(20);
  while (!settled() && performance.now() < deadline) {
    server.closeIdleConnections(); // the client's keep-alive pool would otherwise linger ~4 s
    await sleep(20);
  }
  return performance.now() - started;
}

/** Runs the soak and returns its figures (the spec asserts on them, the bench prints them). */
export async function soak(options: SoakOptions): Promise<SoakReport> {
  const { cycles, concurrency = 8, warmup = 200, settleMs = 8000, log = () => undefined } = options;
  const started = performance.now();
  const warnings: string[] = [];
  const onWarning = (w: Error): void => void warnings.push(`${w.name}: ${w.message}`);
  process.on('warning', onWarning);

  const resourcesBefore = countResources();
  const server = await startSoakServer();
  const serverSocketsBefore = server.openConnections;
  const model = new ChatOpenAI({ apiKey: 'test', model: 'gpt-4o-mini', maxRetries: 0, configuration: { baseURL: server.baseURL } });
  const shared = new AbortController(); // the caller's long-lived signal, passed to every cycle
  const outcomes = Object.fromEntries(CYCLE_KINDS.map((k) => [k, 0])) as Record<CycleKind, number>;
  const totalMs = Object.fromEntries(CYCLE_KINDS.map((k) => [k, 0])) as Record<CycleKind, number>;
  const unexpected: string[] = [];

  const runCycles = (from: number, to: number): Promise<void> =>
    runConcurrently(from, to, concurrency, async (kind) => {
      const t0 = performance.now();
      const problem = await cycle(kind, model, shared.signal).catch((e: Error) => `${kind}: threw ${e?.name}: ${e?.message}`);
      totalMs[kind] += performance.now() - t0;
      outcomes[kind]++;
      if (problem && unexpected.length < 20) unexpected.push(problem);
      else if (problem) unexpected.push('…');
    });

  let gc = false;
  try {
    await runCycles(0, Math.min(warmup, cycles));
    gc = await collectGarbage();
    const heapBeforeMB = heapMB();
    const half = Math.min(cycles, warmup + Math.floor((cycles - warmup) / 2));
    await runCycles(Math.min(warmup, cycles), half);
    await collectGarbage();
    const heapMidMB = heapMB();
    log(`  ${half} cycles, heap ${heapMidMB.toFixed(1)} MB`);
    await runCycles(half, cycles);

    const settleWaitMs = await settle(server, serverSocketsBefore, resourcesBefore, settleMs);
    const serverSocketsAfter = server.openConnections;
    const requestsStillOpen = server.openResponses;
    await server.close();
    await sleep(20);
    await collectGarbage();
    const heapAfterMB = heapMB();

    return {
      cycles,
      outcomes,
      meanMs: Object.fromEntries(CYCLE_KINDS.map((k) => [k, outcomes[k] ? totalMs[k] / outcomes[k] : 0])) as Record<CycleKind, number>,
      unexpected,
      requests: server.requestCount,
      tcpConnections: server.totalConnections,
      maxListenersWarnings: warnings.filter((w) => w.startsWith('MaxListenersExceededWarning')).length,
      warnings,
      signalListeners: getEventListeners(shared.signal, 'abort').length,
      serverSocketsBefore,
      serverSocketsAfter,
      resourcesBefore,
      resourcesAfter: countResources(),
      requestsStillOpen,
      settleWaitMs,
      heapBeforeMB,
      heapMidMB,
      heapAfterMB,
      heapGrowthMB: gc ? heapAfterMB - heapBeforeMB : Number.NaN,
      gc,
      durationMs: performance.now() - started,
    };
  } finally {
    process.off('warning', onWarning);
    await server.close();
  }
}

function print(report: SoakReport): void {
  const o = report.outcomes;
  console.log(`cycles                 ${report.cycles} in ${(report.durationMs / 1000).toFixed(1)} s (${CYCLE_KINDS.map((k) => `${k} ${o[k]}`).join(', ')})`);
  console.log(`requests / TCP conns   ${report.requests} / ${report.tcpConnections}`);
  console.log(`unexpected outcomes    ${report.unexpected.length}${report.unexpected.length ? ': ' + report.unexpected.slice(0, 5).join('; ') : ''}`);
  console.log(`MaxListeners warnings  ${report.maxListenersWarnings} (all warnings: ${report.warnings.length})`);
  console.log(`listeners on signal    ${report.signalListeners}`);
  console.log(`mean cycle, ms         ${CYCLE_KINDS.map((k) => `${k} ${report.meanMs[k].toFixed(1)}`).join(', ')}`);
  console.log(`server sockets         ${report.serverSocketsBefore} before → ${report.serverSocketsAfter} after (settled in ${report.settleWaitMs.toFixed(0)} ms); requests still open ${report.requestsStillOpen}`);
  console.log(`active resources       before ${JSON.stringify(report.resourcesBefore)}`);
  console.log(`                       after  ${JSON.stringify(report.resourcesAfter)}`);
  console.log(
    report.gc
      ? `heap after GC          ${report.heapBeforeMB.toFixed(2)} MB → ${report.heapMidMB.toFixed(2)} MB (mid) → ${report.heapAfterMB.toFixed(2)} MB: growth ${report.heapGrowthMB.toFixed(2)} MB (goal < 5 MB)`
      : 'heap                   not measured (no --expose-gc)',
  );
}

/** `npm run bench -- soak`: 10,000 cycles; re-spawns node with --expose-gc if needed. */
export async function run(): Promise<void> {
  if (typeof (globalThis as { gc?: unknown }).gc !== 'function') {
    console.log('(re-spawning node with --expose-gc)');
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, ['--expose-gc', '-r', 'ts-node/register/transpile-only', __filename, '--soak-child'], {
        stdio: 'inherit',
        env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' },
      });
      child.on('error', reject);
      child.on('exit', resolve);
    });
    if (code !== 0) throw new Error(`soak child exited with ${code}`);
    return;
  }
  const report = await soak({ cycles: 10_000, log: console.log });
  print(report);
}

if (require.main === module && process.argv.includes('--soak-child')) {
  soak({ cycles: 10_000, log: console.log }).then(
    (report) => {
      print(report);
      process.exit(0);
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
