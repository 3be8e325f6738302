/**
 * The server side of a bench child process (bench/agentProtocol.process.ts starts it): answers
 * `memory` lines on stdin with the process's memory after a full GC, and runs `cleanup` then exits
 * when stdin ends (the bench ended it, or died: no orphan server).
 */
import { createInterface } from 'node:readline';

/** What a child reports for `memory`: `process.memoryUsage()` after a full GC (the child runs with --expose-gc). */
export type ChildMemory = NodeJS.MemoryUsage;

/** Prints `listening <urls…>`, then answers the bench's requests on stdin until it ends. */
export function serveBenchRequests(urls: readonly string[], cleanup: () => Promise<unknown>): void {
  process.stdout.write(`listening ${urls.join(' ')}\n`);
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line.trim() !== 'memory') return;
    (globalThis as { gc?: () => void }).gc?.();
    process.stdout.write(`memory ${JSON.stringify(process.memoryUsage())}\n`);
  });
  lines.on('close', () => {
    const exit = (): never => process.exit(0);
    cleanup().then(exit, exit);
  });
}
