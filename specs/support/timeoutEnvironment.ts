/**
 * Jest's node environment, plus a report when a test or hook times out (docs/decisions/0395):
 *
 * - at the timeout, what the process was waiting on (its open servers, sockets, child processes,
 *   timers): a hang's next CI log says where to look;
 * - after the file's afterEach/afterAll hooks ran, what the file still left open: the handles
 *   that would keep jest alive after the run (a timed-out test's own `finally` never runs, so only
 *   closers registered with hooks, see specs/support/cleanup.ts, release them).
 *
 * Reports go to stderr; nothing else changes: a passing run prints nothing more. With
 * `RXLC_REPORT_LEFT_OPEN=1`, every file that leaves something open says what (to find a leak that
 * makes Jest force-exit a worker).
 */
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import type { Circus } from '@jest/types';
import { TestEnvironment } from 'jest-environment-node';
import { relative } from 'node:path';
import { describeOpenResources, settleClosing, snapshotOpen, type OpenSnapshot } from './openHandles';

/** jest-circus rejects a timed-out test or hook with this message (a string, not an Error). */
export const isTimeout = (error: unknown): boolean =>
  /^Exceeded timeout of .* for a (test|hook)/.test(typeof error === 'string' ? error : String((error as Error | undefined)?.message));

type Named = { name: string; parent?: Named };
const fullName = (block: Named | undefined): string => {
  const names: string[] = [];
  for (let b = block; b?.parent; b = b.parent) names.unshift(b.name); // the root block has no parent
  return names.join(' › ');
};

/**
 * With `RXLC_REPORT_LEFT_OPEN`, in a Jest worker: what still holds the worker 400 ms after Jest
 * asked it to end (Jest's worker removes its 'message' listener then, and force-exits a worker still
 * there at 500 ms: "A worker process has failed to exit gracefully"). A worker that exits by itself
 * never meets the unref'd timer.
 */
function reportWhatHoldsTheWorkerAtItsEnd(): void {
  const watched = process as NodeJS.Process & { rxlcWatchingEnd?: true };
  if (!process.env.RXLC_REPORT_LEFT_OPEN || !process.send || watched.rxlcWatchingEnd) return;
  watched.rxlcWatchingEnd = true;
  process.on('removeListener', (event) => {
    if (event !== 'message' || process.listenerCount('message') > 0) return;
    const asked = snapshotOpen();
    setTimeout(() => report(`worker ${process.pid}: Jest asked it to end 400 ms ago, and it is still held open by:\n${describeOpenResources()}\n  (of these, open when it was asked: ${[...asked.kinds].map(([kind, n]) => `${kind} ×${n}`).join(', ')})`), 400).unref();
  });
}

export default class TimeoutReportingEnvironment extends TestEnvironment {
  private readonly file: string;
  private opened: OpenSnapshot | undefined;
  private timedOut = false;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    this.file = relative(config.globalConfig.rootDir, context.testPath);
  }

  override async setup(): Promise<void> {
    reportWhatHoldsTheWorkerAtItsEnd();
    await super.setup();
    this.opened = snapshotOpen();
  }

  handleTestEvent(event: Circus.Event): void {
    if (event.name !== 'test_fn_failure' && event.name !== 'hook_failure') return;
    if (!isTimeout(event.error)) return;
    this.timedOut = true;
    const what = event.name === 'hook_failure' ? `${event.hook.type} hook of "${fullName(event.describeBlock)}"` : `"${fullName(event.test)}"`;
    report(`${this.file}: ${what} timed out. The process was waiting with these open:\n${describeOpenResources()}`);
  }

  override async teardown(): Promise<void> {
    if (!this.timedOut && process.env.RXLC_REPORT_LEFT_OPEN) {
      // Asked for (finding the file that leaves a worker open): what every file leaves, if anything.
      await settleClosing();
      const left = describeOpenResources(this.opened);
      if (left !== '') report(`${this.file}: after its hooks ran, it still leaves open:\n${left}`);
    }
    if (this.timedOut) {
      await settleClosing(); // what the hooks already asked to close goes first
      const left = describeOpenResources(this.opened);
      report(left === '' ? `${this.file}: after its hooks ran, nothing it opened is still open.` : `${this.file}: after its hooks ran, it still leaves open (these keep its process alive):\n${left}`);
    }
    await super.teardown();
  }
}

function report(text: string): void {
  process.stderr.write(`\n[timeout report] ${text}\n`);
}
