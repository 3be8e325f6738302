/**
 * jest's globalTeardown (docs/decisions/0395): when the run is over but something still holds the
 * process open `EXIT_GUARD_MS` later, says what (servers, sockets, child processes, timers) and
 * exits with status 1. A leak used to keep CI alive until its 90-minute limit; now it is a red
 * run that names the leak within seconds. A run that exits by itself never meets the guard (its
 * timer is unref'd), so nothing is hidden: a leak in a passing run turns it red.
 */
import type { Config } from 'jest';
import { describeOpenResources } from './openHandles';

/** How long after the run the process may take to exit on its own. */
export const EXIT_GUARD_MS = Number(process.env.RXLC_EXIT_GUARD_MS ?? 30_000);

export default function exitGuard(globalConfig: { watch?: boolean; watchAll?: boolean; detectOpenHandles?: boolean } & Config): void {
  // --watch keeps the process on purpose; --detectOpenHandles reports them with jest's own stacks.
  if (globalConfig.watch || globalConfig.watchAll || globalConfig.detectOpenHandles) return;
  setTimeout(() => {
    process.stderr.write(
      `\n[exit guard] The test run is over but the process is still held open ${EXIT_GUARD_MS / 1000} s later by:\n` +
        `${describeOpenResources()}\n` +
        'A spec left these open (close them in afterEach/afterAll: specs/support/cleanup.ts). Exiting with status 1.\n',
    );
    process.exit(1);
  }, EXIT_GUARD_MS).unref();
}
