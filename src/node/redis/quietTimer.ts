import type { SchedulerLike, Subscription } from 'rxjs';

/** A timer that fires after a quiet spell; see {@link quietTimer}. */
export interface QuietTimer {
  /** Something happened: the quiet spell starts again (re-arms the timer after it fired, never after `cancel`). */
  refresh(): void;
  cancel(): void;
}

/**
 * Calls `fire` once `ms` pass on `scheduler` without a `refresh()`: a refreshed `setTimeout`, but on
 * the injected scheduler, so virtual time drives it in specs (decision 0255). A refresh only notes the
 * time; the pending action, when due, schedules itself again for the rest of the spell, so a busy
 * reader costs no timer per event.
 *
 * @param scheduler Tells the time and runs the timer.
 * @param ms The quiet spell, ms.
 * @param fire Called once per quiet spell; `refresh()` arms the next one.
 * @returns The timer, armed.
 */
export function quietTimer(scheduler: SchedulerLike, ms: number, fire: () => void): QuietTimer {
  let last = scheduler.now();
  let action: Subscription | undefined;
  let cancelled = false;
  const arm = (delay: number): void => {
    action = scheduler.schedule(() => {
      const quiet = scheduler.now() - last;
      if (quiet < ms) return arm(ms - quiet);
      action = undefined;
      fire();
    }, delay);
  };
  arm(ms);
  return {
    refresh: () => {
      last = scheduler.now();
      if (!action && !cancelled) arm(ms);
    },
    cancel: () => {
      cancelled = true;
      action?.unsubscribe();
      action = undefined;
    },
  };
}
