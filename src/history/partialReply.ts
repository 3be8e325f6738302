/**
 * What `chatTurns({ onIncomplete: 'keep-partial' })` (and `ChatSession`) save for a turn that
 * did not finish: the reply so far, marked in its `response_metadata`.
 */

/** Why a partial reply ended, as saved in `response_metadata.partial_reason`. */
export type PartialReason = 'stop' | 'cut' | 'timeout' | 'error';

/**
 * The `response_metadata` of a saved partial reply: `partial: true`, why it ended, and for
 * anything but a stop the error's message; never a `finish_reason`.
 *
 * @example
 * ```ts
 * import type { PartialReplyMetadata } from 'rxjs-langchain';
 *
 * const meta = message.response_metadata as Partial<PartialReplyMetadata>;
 * if (meta.partial) console.log(`[partial: ${meta.partial_reason}]`);
 * ```
 */
export interface PartialReplyMetadata {
  readonly partial: true;
  readonly partial_reason: PartialReason;
  /** The error's message (`'cut'`, `'timeout'`, `'error'`). */
  readonly error?: string;
}
