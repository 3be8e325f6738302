import { encodeEntry } from './entryCodec';
import { newIdClock, takeIds } from './entryIds';
import { KEYFRAME_EVERY, newCodec } from './frameCodec';

/** Entries per stream node (Redis' default `stream-node-max-entries`). */
const NODE_ENTRIES = 100;
/** Bytes per stream node (Redis' default `stream-node-max-bytes`). */
const NODE_BYTES = 4096;
/** About what a listpack entry costs beyond its value: id deltas, flags, lengths. */
const ENTRY_OVERHEAD = 10;

/** What to send for one entry of a reply. */
export interface EntryPlan {
  /** Its explicit stream id; its events' ids follow it (src/node/redis/entryIds.ts). */
  id: string;
  /** The `e` field. */
  value: string;
  /** `XADD … MINID <minId>` when the oldest entry to keep moved: at least maxEvents + 32 events stay. */
  minId?: string;
  /** The reply's first entry (its log gets a TTL). */
  first: boolean;
  /** The entry began a stream node: compact after it (decision 0280). */
  compact: boolean;
}

/** A producer's entries: their codec state, ids, the trim point, and where Redis begins its nodes. */
export interface EntryWriter {
  plan(events: readonly string[], now: number): EntryPlan;
  /** The end marker's id: above every id given out. */
  endId(now: number): string;
}

/**
 * The entries of one reply (decision 0320). Trimming counts events, not entries (an entry holds
 * several): the producer knows how many each holds, so it keeps the newest entries that hold
 * `maxEvents` + `KEYFRAME_EVERY` events (every kept event decodable) and trims exactly (`MINID`)
 * below them. A node begins when the last one holds 100 entries or its next entry would pass 4 KB.
 */
export function entryWriter(maxEvents: number): EntryWriter {
  const codec = newCodec();
  const ids = newIdClock();
  const keep = maxEvents + KEYFRAME_EVERY;
  const kept: Array<{ id: string; count: number }> = [];
  let head = 0;
  let events = 0; // in kept[head…]
  let stored = 0;
  let nodeEntries = 0;
  let nodeBytes = 0;
  return {
    plan(batch, now) {
      const id = takeIds(ids, now, batch.length);
      const value = encodeEntry(codec, batch);
      kept.push({ id, count: batch.length });
      events += batch.length;
      const before = head;
      while (events - kept[head].count >= keep) events -= kept[head++].count;
      if (head > 1024 && head * 2 > kept.length) kept.splice(0, head), (head = 0); // forget the trimmed
      const bytes = Buffer.byteLength(value) + ENTRY_OVERHEAD;
      const begins = nodeEntries === 0 || nodeEntries >= NODE_ENTRIES || nodeBytes + bytes > NODE_BYTES;
      nodeEntries = begins ? 1 : nodeEntries + 1;
      nodeBytes = begins ? bytes : nodeBytes + bytes;
      return { id, value, minId: head !== before ? kept[head].id : undefined, first: stored++ === 0, compact: begins };
    },
    endId: (now) => takeIds(ids, now, 1),
  };
}
