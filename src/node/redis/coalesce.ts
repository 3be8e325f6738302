import {
  buffer, catchError, concat, concatMap, connect, defer, EMPTY, filter, map, throttle, throwError, timer,
  type OperatorFunction, type SchedulerLike,
} from 'rxjs';

/** At most this many events in one entry, and this many UTF-16 units (a stream node's 4 KB: bigger entries share nothing). */
const MOST_EVENTS = 64;
const MOST_UNITS = 4096;

/** Splits a batch where an entry would pass {@link MOST_EVENTS} events or {@link MOST_UNITS} units. */
function split(batch: string[]): string[][] {
  const parts: string[][] = [];
  let part: string[] = [];
  let units = 0;
  for (const event of batch) {
    if (part.length > 0 && (part.length === MOST_EVENTS || units + event.length > MOST_UNITS)) {
      parts.push(part);
      part = [];
      units = 0;
    }
    part.push(event);
    units += event.length;
  }
  if (part.length > 0) parts.push(part);
  return parts;
}

/**
 * Groups a producer's events into the entries it stores (decision 0320): an event that comes when no
 * window is open is flushed at once and opens a window of `flushMs` on `scheduler`; events that come
 * inside it are flushed together when it closes (then the next window opens). So no event waits more
 * than `flushMs`, a slow model's tokens are not delayed at all, and a fast one's are stored a window
 * at a time. On the source's end or error the events waiting are flushed first, then it completes or
 * errors: nothing produced before a failure is lost. `flushMs` 0: one event per entry, at once.
 */
export function coalesce(flushMs: number, scheduler: SchedulerLike): OperatorFunction<string, string[]> {
  if (flushMs === 0) return map((event) => [event]);
  return (source) =>
    defer(() => {
      let failure: { error: unknown } | undefined;
      const kept = source.pipe(catchError((error: unknown) => ((failure = { error }), EMPTY)));
      const windows = (shared: typeof kept) =>
        shared.pipe(buffer(shared.pipe(throttle(() => timer(flushMs, scheduler), { leading: true, trailing: true }))));
      return concat(
        kept.pipe(connect(windows)),
        defer(() => (failure ? throwError(() => failure!.error) : EMPTY)),
      ).pipe(
        filter((batch) => batch.length > 0),
        concatMap(split),
      );
    });
}
