/**
 * The chat handler's CPU per token (issue 22, lever 1 of decision 0345): one instance of ours
 * (bench/chatHandler.ours.ts: `createChatHandler` over Redis stores, `toNodeHandler`) in this process,
 * N clients in a child process (bench/chatHandler.clients.ts, `whole`) that post a turn each and read
 * the whole reply. Prints one line `cpu <json>`: this process's CPU (user + system) per token, the
 * Redis commands per token (`INFO commandstats`), wall time and the event-loop utilisation over the
 * phase. `PROFILE=<file>` also writes a V8 CPU profile of the phase only (open it in Chrome's DevTools,
 * or sum it with `node bench/chatHandler.cpuSummary.mjs <file>`).
 *
 * Not a `*.bench.ts`: a developer's instrument, run directly (`N=100 node -r ts-node/register/transpile-only
 * bench/chatHandler.cpu.ts`) and compared side by side against another checkout on the same machine load.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { performance } from 'node:perf_hooks';
import { startRedisServer } from '../specs/support/redis';
import { SCRIPT } from './chatHandler.bench';
import { startChild } from './chatHandler.info';
import { startOurs } from './chatHandler.ours';
import type { ModelRuns } from './chatHandler.peer';
import { closeClients, http } from './chatHandler.wire';

const N = Number(process.env.N ?? 100);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Calls of each Redis command since the last `CONFIG RESETSTAT`, most called first. */
function commandCalls(info: string): Array<[string, number]> {
  return [...info.matchAll(/cmdstat_([^:]+):calls=(\d+)/g)].map((m): [string, number] => [m[1], Number(m[2])]).sort((a, b) => b[1] - a[1]);
}

/** `count` clients reading whole replies from `url`, in a child process. */
async function load(url: string, count: number): Promise<void> {
  const child = startChild('chatHandler.clients.ts', [url, String(count), 'whole']);
  await child.line('result ');
}

/** A profiler session over `phase`, written to `file` (none without one). */
async function profiled<T>(file: string | undefined, phase: () => Promise<T>): Promise<T> {
  if (!file) return phase();
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object): Promise<unknown> =>
    new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
  try {
    return await phase();
  } finally {
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  }
}

async function main(): Promise<void> {
  const redis = await startRedisServer();
  const runs: ModelRuns = { started: 0, finished: 0 };
  const ours = await startOurs(redis.url, SCRIPT, runs, { graceMs: 5_000, maxConcurrentRuns: N * 2, fetch: http });
  const admin = await redis.client();
  const idle = async (): Promise<void> => {
    while (ours.handler.runs > 0) await sleep(50);
  };
  try {
    await load(ours.url, Math.min(N, 50)); // warm-up: JIT, connections, scripts
    await idle();
    await admin.configResetStat();
    const elu = performance.eventLoopUtilization();
    const cpu = process.cpuUsage();
    const started = performance.now();
    await profiled(process.env.PROFILE, async () => {
      await load(ours.url, N);
      await idle();
    });
    const wallMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const utilisation = performance.eventLoopUtilization(elu).utilization;
    const tokens = N * SCRIPT.tokens.length;
    const calls = commandCalls(await admin.info('commandstats'));
    const commands = calls.reduce((n, [, c]) => n + c, 0);
    const figures = {
      n: N, tokens, cpuUsPerToken: +((used.user + used.system) / tokens).toFixed(1), commandsPerToken: +(commands / tokens).toFixed(3),
      wallMs: Math.round(wallMs), elu: +utilisation.toFixed(2), finished: runs.finished,
      perToken: Object.fromEntries(calls.slice(0, 14).map(([name, c]) => [name, +(c / tokens).toFixed(3)])),
    };
    console.log(`cpu ${JSON.stringify(figures)}`);
  } finally {
    await admin.disconnect();
    await ours.close();
    await closeClients();
    await redis.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
