import type { VirtualTimeScheduler } from 'rxjs';

/**
 * Advances a virtual clock by `ms`, running what falls due. `flush()` alone moves the clock only to
 * the last action it ran, so with nothing due the clock would stand still: set it to the target.
 */
export function advance(scheduler: VirtualTimeScheduler, ms: number): void {
  const target = scheduler.frame + ms;
  scheduler.maxFrames = target;
  scheduler.flush();
  scheduler.frame = target;
}
