import type { ReplyLogEntry } from '../replyLog/types';
import type { StreamMessage } from './replyReader';

/** What a reader of this instance gets from a producer of this instance. */
export interface FeedListener {
  /** Events Redis has stored (the producer's XADD was answered), in order, with their stream ids. */
  entries(entries: readonly ReplyLogEntry[]): void;
  /** The end marker, once Redis has stored it: the entry as `XRANGE` would give it. */
  end(marker: StreamMessage): void;
  /** The reply can no longer be read from this producer: the reader errors with this. */
  fail(error: unknown): void;
}

/**
 * A live reply's local fast path (decision 0375): the producer hands a reader on its own instance
 * what Redis has just acknowledged, so that reader needs no `XREAD` round trip, no decoding and no
 * liveness check; readers on other instances still tail the stream. It passes on only what Redis
 * stored, in the producer's order, so every id it gives is one `Last-Event-ID` resumes from anywhere.
 */
export class LocalFeed {
  readonly #listeners = new Set<FeedListener>();

  /** Adds a listener until the returned removal is called (or the feed ends). */
  listen(listener: FeedListener): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  publish(entries: readonly ReplyLogEntry[]): void {
    for (const listener of this.#listeners) listener.entries(entries);
  }

  end(marker: StreamMessage): void {
    const listeners = [...this.#listeners];
    this.#listeners.clear();
    for (const listener of listeners) listener.end(marker);
  }

  fail(error: unknown): void {
    const listeners = [...this.#listeners];
    this.#listeners.clear();
    for (const listener of listeners) listener.fail(error);
  }
}
