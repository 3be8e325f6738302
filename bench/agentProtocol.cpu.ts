/**
 * CPU time of processes from /proc (Linux): a process's own user + system time, and with its reaped
 * children's (`cutime`, `cstime`) and its live children's, for a server made of several processes
 * (Postgres: a postmaster and a backend per connection).
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** utime, stime, cutime, cstime and ppid of `pid` (the fields after the command name's closing paren). */
function stat(pid: number): { self: number; children: number; ppid: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // gone
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const tick = (i: number): number => Number(fields[i]) * TICK_MS;
  return { ppid: Number(fields[1]), self: tick(11) + tick(12), children: tick(13) + tick(14) };
}

/** ms of CPU `pid` used so far. */
export const cpuMsOf = (pid: number): number => stat(pid)?.self ?? 0;

/** ms of CPU `pid`, its reaped children and its live children used so far. */
export function treeCpuMsOf(pid: number): number {
  const root = stat(pid);
  if (!root) return 0;
  let total = root.self + root.children;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const child = stat(Number(entry));
    if (child?.ppid === pid) total += child.self;
  }
  return total;
}
