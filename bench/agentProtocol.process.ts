/**
 * The bench's handle on a server child process (bench/agentProtocol.child.ts is its other end):
 * spawns `node --expose-gc --import tsx <entry> …args` (both sides run under the same loader), waits
 * for its `listening` line, reads its resident set from /proc (no request: it can be sampled while
 * the child is busy), asks it for its memory after a full GC, and stops it by ending its stdin.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { ChildMemory } from './agentProtocol.child';
import { cpuMsOf } from './agentProtocol.cpu';

export interface ServerProcess {
  /** The base URLs it printed (one per instance). */
  readonly urls: readonly string[];
  /** Its resident set size now, bytes (VmRSS of /proc/<pid>/status). */
  rss(): number;
  /** CPU time it used so far, ms (user + system, from /proc). */
  cpuMs(): number;
  /** Its `process.memoryUsage()` after a full GC in the child. */
  memory(): Promise<ChildMemory>;
  /** Writes a heap snapshot of the child to `path` (after a full GC); resolves once written. */
  snapshot(path: string): Promise<void>;
  /** Ends its stdin; resolves when it exited. */
  stop(): Promise<void>;
}

/** Starts `entry` with `args` and `env` added to ours; rejects if it exits before listening. `onLine`: its other stdout lines (reports of its own). */
export async function startServerProcess(entry: string, args: readonly string[], env: Record<string, string> = {}, onLine?: (line: string) => void): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', entry, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  child.stderr!.on('data', (part: Buffer) => {
    stderr = (stderr + part.toString()).slice(-4000);
    if (process.env.BENCH_SERVER_STDERR) process.stderr.write(part); // to see what a server says while it runs
  });
  const memoryWaiters: Array<(memory: ChildMemory) => void> = [];
  const snapshotWaiters: Array<() => void> = [];
  const urls = await new Promise<string[]>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('listening ')) resolve(line.slice('listening '.length).split(' '));
      else if (line.startsWith('memory ')) memoryWaiters.shift()?.(JSON.parse(line.slice('memory '.length)) as ChildMemory);
      else if (line === 'snapshot-written') snapshotWaiters.shift()?.();
      else onLine?.(line);
    });
    child.once('exit', (code) => reject(new Error(`${entry} exited with ${code} before it listened:\n${stderr}`)));
  });
  return {
    urls,
    cpuMs: () => cpuMsOf(child.pid!),
    rss: () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) * 1024,
    memory() {
      return new Promise((resolve) => {
        memoryWaiters.push(resolve);
        child.stdin!.write('memory\n');
      });
    },
    snapshot(path) {
      return new Promise((resolve) => {
        snapshotWaiters.push(resolve);
        child.stdin!.write(`snapshot ${path}\n`);
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.stdin!.end();
      await exited;
    },
  };
}
