import type { Subscriber } from 'rxjs';
import { ReplyProducerGoneError } from '../../errors';
import type { ReplyLogEntry } from '../replyLog/types';
import { eventOf, newCodec, type FrameCodec } from './frameCodec';

/** A stream entry as node-redis gives it. */
export type StreamMessage = { id: string; message: Record<string, string> };

/** Stream ids `ms-seq` in order. */
export function compareIds(a: string, b: string): number {
  const ai = a.indexOf('-');
  const bi = b.indexOf('-');
  return Number(a.slice(0, ai)) - Number(b.slice(0, bi)) || Number(a.slice(ai + 1)) - Number(b.slice(bi + 1));
}

/** One `RedisReplyLog.read` subscription's state: what it delivered last and how its stored events decode. */
export interface ReplyReader {
  /** The id of the last entry handled (`0-0` before the first). */
  last: string;
  readonly codec: FrameCodec;
  /** The reader ended or went away. */
  over(): boolean;
  /** Its subscriber went away. */
  tear(): void;
  /** Emits the entries after `last` (the end marker ends it); true when it is over. */
  emit(messages: StreamMessage[]): boolean;
  /** Errors the reader unless it is over. */
  fail(error: unknown): void;
}

/**
 * The state of a reader of `replyId` emitting to `subscriber`. Entries come in id order, and may
 * repeat ones handled already (the shared tail and a liveness check can overlap): those are skipped.
 */
export function replyReader(replyId: string, subscriber: Subscriber<ReplyLogEntry>): ReplyReader {
  let torn = false;
  let finished = false;
  const over = (): boolean => torn || finished;
  const reader: ReplyReader = {
    last: '0-0',
    codec: newCodec(),
    over,
    tear: () => void (torn = true),
    emit: (messages) => {
      let from = 0;
      while (from < messages.length && compareIds(messages[from].id, reader.last) <= 0) from++;
      for (let i = from; i < messages.length && !over(); i++) {
        const { id, message } = messages[i];
        if (message.end !== undefined) {
          finished = true;
          if (message.end === 'done') subscriber.complete();
          else subscriber.error(new ReplyProducerGoneError(replyId, message.end === 'failed' ? 'failed' : 'abandoned', message.m));
          return true;
        }
        reader.last = id;
        const data = eventOf(reader.codec, message);
        // undefined: its keyframe was trimmed (maxEvents), so it goes with it.
        if (data !== undefined) subscriber.next({ id, data });
      }
      return over();
    },
    fail: (error) => {
      if (!over()) subscriber.error(error);
    },
  };
  return reader;
}
