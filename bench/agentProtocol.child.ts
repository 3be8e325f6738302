/**
 * The server side of a bench child process (bench/agentProtocol.process.ts starts it): answers
 * `memory` lines on stdin with the process's memory after a full GC, `snapshot <path>` with a heap
 * snapshot written there, and runs `cleanup` then exits
 * when stdin ends (the bench ended it, or died: no orphan server).
 */
import { createInterface } from 'node:readline';
import { writeHeapSnapshot } from 'node:v8';

/** What a child reports for `memory`: `process.memoryUsage()` after a full GC (the child runs with --expose-gc). */
export type ChildMemory = NodeJS.MemoryUsage;

/** Prints `listening <urls…>`, then answers the bench's requests on stdin until it ends. */
export function serveBenchRequests(urls: readonly string[], cleanup: () => Promise<unknown>): void {
  process.stdout.write(`listening ${urls.join(' ')}\n`);
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line.startsWith('snapshot ')) {
      // A heap snapshot (it collects garbage first) for a diff of what a side keeps: bench/chatHandler.heapDiff.ts.
      writeHeapSnapshot(line.slice('snapshot '.length));
      return void process.stdout.write('snapshot-written\n');
    }
    if (line.trim() !== 'memory') return;
    (globalThis as { gc?: () => void }).gc?.();
    process.stdout.write(`memory ${JSON.stringify(process.memoryUsage())}\n`);
  });
  lines.on('close', () => {
    const exit = (): never => process.exit(0);
    cleanup().then(exit, exit);
  });
}
