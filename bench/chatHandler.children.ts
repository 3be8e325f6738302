/**
 * A side of the chat-handler bench whose two instances run in processes of their own
 * (bench/chatHandler.server.ts), for `SCENARIOS=memory` (issue 22, decision 0385): the bench process
 * keeps only the clients, so the servers' heap can be measured alone and alike for both sides. The
 * side looks to scenario 1 as an in-process one does: two instances (ours stop over HTTP), model
 * runs counted from the children's reports; plus the servers' heap after a full GC and their CPU.
 */
import { join } from 'node:path';
import { startServerProcess, type ServerProcess } from './agentProtocol.process';
import { stopOn, type ChatInstance } from './chatHandler.ours';
import type { ModelRuns, Script } from './chatHandler.peer';
import type { Fetch } from './chatHandler.wire';

export type SideKind = 'ours' | 'peer' | 'persist';

/** Two instances in child processes, their model runs, and what the bench reads of the processes. */
export interface ChildSide {
  a: ChatInstance;
  b: ChatInstance;
  runs: ModelRuns;
  /** The instances' heap used, summed, each after a full GC in its process (bytes). */
  heap(): Promise<number>;
  /** Heap snapshots of both processes: `<prefix>-a.heapsnapshot`, `<prefix>-b.heapsnapshot`. */
  snapshot(prefix: string): Promise<void>;
  /** CPU both processes used so far (ms, from /proc). */
  cpuMs(): number;
  /** Ends both processes (each waits for its runs to end first). */
  close(): Promise<void>;
}

/** Starts side `kind`'s two instances, each in a process, on `redisUrl`. */
export async function startChildSide(kind: SideKind, redisUrl: string, script: Script, options: { graceMs: number; maxConcurrentRuns: number; fetch: Fetch }): Promise<ChildSide> {
  const counts = [
    { started: 0, finished: 0 },
    { started: 0, finished: 0 },
  ];
  const runs: ModelRuns = { started: 0, finished: 0, endedAt: new Map() };
  const onLine = (child: number) => (line: string) => {
    const [what, first, second] = line.split(' ');
    if (what === 'runs') {
      counts[child] = { started: Number(first), finished: Number(second) };
      runs.started = counts[0].started + counts[1].started;
      runs.finished = counts[0].finished + counts[1].finished;
    } else if (what === 'ended') runs.endedAt!.set(first, Number(second) - performance.timeOrigin); // the child's epoch ms as this process's clock
  };
  const args = [kind, redisUrl, JSON.stringify(script), String(options.graceMs), String(options.maxConcurrentRuns)];
  const entry = join(__dirname, 'chatHandler.server.ts');
  const processes: ServerProcess[] = await Promise.all([0, 1].map((child) => startServerProcess(entry, args, {}, onLine(child))));
  const instance = ({ urls: [url] }: ServerProcess): ChatInstance => ({
    url,
    ...(kind === 'ours' && { stop: (id: string) => stopOn(url, id, options.fetch) }),
    close: async () => undefined, // the side's close ends the process
  });
  return {
    a: instance(processes[0]),
    b: instance(processes[1]),
    runs,
    heap: async () => (await Promise.all(processes.map((p) => p.memory()))).reduce((sum, memory) => sum + memory.heapUsed, 0),
    snapshot: async (prefix) => void (await Promise.all(processes.map((p, i) => p.snapshot(`${prefix}-${'ab'[i]}.heapsnapshot`)))),
    cpuMs: () => processes.reduce((sum, p) => sum + p.cpuMs(), 0),
    close: async () => void (await Promise.all(processes.map((p) => p.stop()))),
  };
}
