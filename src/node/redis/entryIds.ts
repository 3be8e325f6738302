/**
 * Stream ids of coalesced entries (decision 0320): an entry of `k` events gets the explicit id
 * `ms-s`, and its events the ids `ms-s` … `ms-(s+k-1)`; the next entry's id is above the last of
 * them. Entries and events share one ordered id space, so an event id is a stream id as before:
 * `XRANGE`/`XREAD` after it start at the next event's entry, and the entry holding it is the last
 * one at or before it (`XREVRANGE id - COUNT 1`).
 */

/** The last id a producer gave out: the next one is above it. */
export interface IdClock {
  ms: number;
  seq: number;
}

/** Before the first entry: `0-0` (no stream id may be `0-0`). */
export const newIdClock = (): IdClock => ({ ms: 0, seq: 0 });

/**
 * The id of a new entry of `count` events (count ≥ 1; an end marker is one) at time `now`, ms:
 * `now-0` once the clock passed the last id's ms, else the next sequence numbers of that ms.
 */
export function takeIds(clock: IdClock, now: number, count: number): string {
  const ms = Math.floor(now);
  const first = ms > clock.ms ? 0 : clock.seq + 1;
  if (ms > clock.ms) clock.ms = ms;
  clock.seq = first + count - 1;
  return `${clock.ms}-${first}`;
}

/** The id of the `j`-th event (from 0) of the entry `entryId`. */
export function eventIdAt(entryId: string, j: number): string {
  if (j === 0) return entryId;
  const dash = entryId.indexOf('-');
  return `${entryId.slice(0, dash)}-${Number(entryId.slice(dash + 1)) + j}`;
}

/** Stream ids `ms-seq` in order. */
export function compareIds(a: string, b: string): number {
  const ai = a.indexOf('-');
  const bi = b.indexOf('-');
  return Number(a.slice(0, ai)) - Number(b.slice(0, bi)) || Number(a.slice(ai + 1)) - Number(b.slice(bi + 1));
}

/** Which event of the entry `entryId` the id `eventId` is (from 0); -1 when it is of no entry at that ms. */
export function indexInEntry(entryId: string, eventId: string): number {
  const ei = entryId.indexOf('-');
  const vi = eventId.indexOf('-');
  if (Number(entryId.slice(0, ei)) !== Number(eventId.slice(0, vi))) return -1;
  return Number(eventId.slice(vi + 1)) - Number(entryId.slice(ei + 1));
}
