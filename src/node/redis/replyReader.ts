import type { Subscriber } from 'rxjs';
import { ReplyProducerGoneError } from '../../errors';
import type { ReplyLogEntry } from '../replyLog/types';
import { eventsOf } from './entryCodec';
import { compareIds, eventIdAt, indexInEntry } from './entryIds';
import { newCodec, type FrameCodec } from './frameCodec';

export { compareIds } from './entryIds';

/** A stream entry as node-redis gives it. */
export type StreamMessage = { id: string; message: Record<string, string> };

/** One `RedisReplyLog.read` subscription's state: what it delivered last and how its stored events decode. */
export interface ReplyReader {
  /** The id of the last event handled (`0-0` before the first). */
  last: string;
  readonly codec: FrameCodec;
  /** The reader ended or went away. */
  over(): boolean;
  /** Its subscriber went away. */
  tear(): void;
  /** Emits the events after `last` of these entries (an end marker ends it); true when it is over. */
  emit(messages: StreamMessage[]): boolean;
  /** Emits the events after `last` of a producer of this instance, decoded already (decision 0375); true when it is over. */
  take(entries: readonly ReplyLogEntry[]): boolean;
  /**
   * Starts after the event `after`: `back` are the entries at or before it, newest first (the first
   * holds it; the others reach back to a keyframe, decision 0280). Decodes them and emits the events
   * after `after` in its entry; false (nothing emitted) when `after` is no event of theirs, or one
   * whose keyframe is gone.
   */
  resume(back: StreamMessage[], after: string): boolean;
  /** Errors the reader unless it is over. */
  fail(error: unknown): void;
}

/**
 * The state of a reader of `replyId` emitting to `subscriber`. Entries come in id order, and may
 * repeat ones handled already (the shared tail and a liveness check can overlap): their events are
 * decoded again (a run ending at `last` leaves the codec as it was) and not emitted twice.
 */
export function replyReader(replyId: string, subscriber: Subscriber<ReplyLogEntry>): ReplyReader {
  let torn = false;
  let finished = false;
  const over = (): boolean => torn || finished;
  const end = ({ end, m }: Record<string, string>): true => {
    finished = true;
    if (end === 'done') subscriber.complete();
    else subscriber.error(new ReplyProducerGoneError(replyId, end === 'failed' ? 'failed' : 'abandoned', m));
    return true;
  };
  /** Emits the events of one entry after `last`. */
  const deliver = (id: string, events: Array<string | undefined>): void => {
    for (let j = 0; j < events.length && !over(); j++) {
      const eventId = eventIdAt(id, j);
      if (compareIds(eventId, reader.last) <= 0) continue;
      reader.last = eventId;
      const data = events[j];
      // undefined: its keyframe was trimmed (maxEvents), so it goes with it.
      if (data !== undefined) subscriber.next({ id: eventId, data });
    }
  };
  const reader: ReplyReader = {
    last: '0-0',
    codec: newCodec(),
    over,
    tear: () => void (torn = true),
    emit: (messages) => {
      for (const { id, message } of messages) {
        if (over()) break;
        if (message.end !== undefined) return compareIds(id, reader.last) > 0 ? end(message) : over();
        deliver(id, eventsOf(reader.codec, message));
      }
      return over();
    },
    take: (entries) => {
      for (const entry of entries) {
        if (over()) break;
        if (compareIds(entry.id, reader.last) <= 0) continue;
        reader.last = entry.id;
        subscriber.next(entry);
      }
      return over();
    },
    resume: (back, after) => {
      const [holder] = back;
      if (!holder || holder.message.end !== undefined) return false; // the end marker's id is no event
      for (const { message } of back.slice(1).reverse()) eventsOf(reader.codec, message);
      const events = eventsOf(reader.codec, holder.message);
      const at = indexInEntry(holder.id, after);
      if (at < 0 || at >= events.length || events[at] === undefined) return false;
      reader.last = after;
      deliver(holder.id, events);
      return true;
    },
    fail: (error) => {
      if (!over()) subscriber.error(error);
    },
  };
  return reader;
}
