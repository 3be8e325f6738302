/**
 * Scenario 2 of the chat-handler bench (issue 22): `GET /api/info` on instance A while SSE clients
 * post a turn, read a little and leave. Decision 0345: the SSE clients and the prober run in child
 * processes of their own (bench/chatHandler.clients.ts, bench/chatHandler.probe.ts), so the bench
 * process's event loop is the servers' alone; the prober probes on a fixed schedule; and where a slow
 * probe spent its time is printed: its TCP connect (≥ 1 s: the listen queue was full and a SYN was
 * sent again), the wait from connect to the server's handler (the connection waited to be accepted:
 * libuv accepts one connection per event-loop turn), and the handler to the answer.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import type { ClientsResult } from './chatHandler.clients';
import type { Probe } from './chatHandler.probe';

/** How often the prober sends a probe, whatever the earlier ones' answers. */
const PROBE_EVERY_MS = 50;
/** A probe slower than this is broken down in the second table; also the goal's p99. */
const SLOW_MS = 1000;

/** A bench child under tsx (as bench/agentProtocol.process.ts starts its servers): its first line starting with `prefix`, and its stdin to end it. */
export function startChild(entry: string, args: readonly string[]): { line(prefix: string): Promise<string>; end(): void } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, entry), ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    waiters.splice(0).forEach((wake) => wake());
  });
  child.once('exit', () => waiters.splice(0).forEach((wake) => wake()));
  return {
    async line(prefix) {
      for (;;) {
        const found = lines.find((line) => line.startsWith(prefix));
        if (found !== undefined) return found.slice(prefix.length);
        if (child.exitCode !== null) throw new Error(`${entry} exited with ${child.exitCode} before printing "${prefix}"`);
        await new Promise<void>((wake) => waiters.push(wake));
      }
    },
    end: () => void child.stdin!.end(),
  };
}

const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const ms = (n: number | undefined): string => (n === undefined || Number.isNaN(n) ? '—' : `${n.toFixed(1)} ms`);

/** One side's figures of scenario 2: the latency row, and where slow probes spent their time. */
export interface InfoFigures {
  /** Rows of probes on new connections, then on kept-alive ones. */
  latency: string[];
  breakdown: string;
}

/** Runs scenario 2 against instance `url` of side `name` (its servers in this process), with `clients` SSE clients. */
export async function infoUnderLoad(name: string, url: string, clients: number, perSecond = 0): Promise<InfoFigures> {
  const prober = startChild('chatHandler.probe.ts', [`${url}/api/info`, String(PROBE_EVERY_MS)]);
  await prober.line('probing');
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const load = startChild('chatHandler.clients.ts', [url, String(clients), 'part', String(perSecond)]);
  const result = JSON.parse(await load.line('result ')) as ClientsResult;
  loop.disable();
  prober.end();
  const probes = JSON.parse(await prober.line('probes ')) as Probe[];
  const failed = Object.entries(result.failures).map(([why, n]) => `${n} × ${why}`).join('; ') || 'none';
  const row = (kind: Probe['kind'], label: string): string => {
    const of = probes.filter((p) => p.kind === kind);
    const latencies = of.map((p) => p.answered! - p.sent);
    const errors = of.filter((p) => p.error).length;
    const reconnected = of.filter((p) => p.reconnected).length;
    const notes = [errors && `${errors} failed`, reconnected && `${reconnected} connected anew`].filter(Boolean).join(', ');
    return `| ${name}, ${label} | ${ms(percentile(latencies, 50))} | ${ms(percentile(latencies, 99))} | ${ms(Math.max(...latencies))} | ${of.length}${notes ? ` (${notes})` : ''} | ${result.statuses} | ${failed} |`;
  };
  const slow = probes.filter((p) => p.kind === 'new' && p.answered! - p.sent > SLOW_MS && !p.error);
  const median = (f: (p: Probe) => number | undefined): number => percentile(slow.map(f).filter((x): x is number => x !== undefined), 50);
  const loopMs = (n: number): string => (n / 1e6).toFixed(0);
  const breakdown =
    `| ${name} | ${loopMs(loop.percentile(50))} / ${loopMs(loop.percentile(99))} / ${loopMs(loop.max)} ms | ${slow.length} | ` +
    `${slow.filter((p) => p.connected! - p.sent >= SLOW_MS).length} | ${ms(median((p) => p.connected! - p.sent))} | ` +
    `${ms(median((p) => (p.handled === undefined ? undefined : p.handled - p.connected!)))} | ${ms(median((p) => (p.handled === undefined ? undefined : p.answered! - p.handled)))} |`;
  return { latency: [row('new', 'new connection'), row('kept', 'kept-alive connection')], breakdown };
}

/** Prints both sides' scenario 2 tables. */
export function printInfo(clients: number, sides: readonly InfoFigures[], perSecond = 0): void {
  const when = perSecond > 0 ? `${perSecond} a second` : 'all at once';
  console.log(`\n\`GET /api/info\` on instance A, probed every ${PROBE_EVERY_MS} ms on a new and on a kept-alive connection from a process of its own, while ${clients} SSE clients (another process, ${when}) post a turn, read 200–2,000 bytes and leave (goal: p99 ≤ ${SLOW_MS} ms):\n`);
  console.log(`| side | p50 | p99 | max | probes | SSE answers not 200 | SSE requests failed |`);
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const side of sides) console.log(side.latency.join('\n'));
  console.log(`\nWhere probes on new connections slower than ${SLOW_MS} ms spent their time (medians), and the servers' event-loop delay over the phase:\n`);
  console.log(`| side | event-loop delay p50 / p99 / max | probes > ${SLOW_MS} ms | of which TCP connect ≥ ${SLOW_MS} ms (listen queue full) | connect | connect → handler (waiting to be accepted) | handler → answer |`);
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const side of sides) console.log(side.breakdown);
}
