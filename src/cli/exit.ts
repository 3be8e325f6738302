/**
 * Ending a command-line program without losing output: `process.exit()` drops
 * what a pipe has not taken yet (a slow reader, `| less`, `| (sleep 12; wc -c)`).
 * Set the exit code, wait until stdout and stderr have flushed everything written
 * so far, then exit.
 */

/** Resolves once every write made to `stream` before this call has been handed to the OS. */
export function flushed(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    const s = stream as NodeJS.WritableStream & { writableLength?: number; destroyed?: boolean };
    if (s.destroyed) return resolve();
    // Writes complete in order, so the callback of an empty write comes after all earlier ones.
    s.write('', () => resolve());
  });
}

/**
 * Sets `process.exitCode`, waits for stdout and stderr to drain, then exits
 * (timers or sockets a library left open cannot keep the process alive).
 */
export async function exitWhenFlushed(code: number): Promise<void> {
  process.exitCode = code;
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}

/** The one line a program prints for an error it did not expect: `<program>: <message>`, one prefix. */
export function crashLine(program: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `${program}: ${message.replace(/^(?:Error:\s*)+/, '')}\n`;
}
