import { PART_TYPES } from '../parts/events';
import type { ResumedCalls } from './assembly/interrupts';
import { decodeModelEvent } from './assembly/contentBlocks';
import { decodeTuple } from './assembly/graph';
import { decodeChunk, decodeMessage } from './assembly/messages';
import { passPart } from './assembly/parts';
import { isStreamPart, notParts, str, type MessageLike, type PartSink } from './assembly/shapes';
import { Assembly } from './assembly/steps';
import { decodeString } from './assembly/strings';

export { isMessageLike, isMessagePair, isStreamPart, mergeUsage, parseArgs, type MessageLike, type PartSink } from './assembly/shapes';

/**
 * Turns model chunks, content-block events, LangGraph stream tuples and tool
 * messages into {@link StreamPart}s, one value at a time. One assembler per
 * subscription; `push` for each value, `end` on completion.
 *
 * It only recognises a value's shape and hands it to that shape's decoder in
 * `assembly/` (strings, messages and chunks, content-block events, LangGraph
 * tuples and updates, parts); the decoders share the {@link Assembly}: its steps
 * and tool calls.
 *
 * Steps: a step opens at the first chunk (or event, or complete message) of an
 * AI message and closes when the message is over for sure: its node sends the
 * whole message in an `updates` tuple, a tool result or the next message of
 * the same node arrives, or the stream completes. (A finish reason alone does
 * not close it: providers send usage after it.)
 */
export class PartAssembler {
  private readonly assembly: Assembly;

  constructor(sink: PartSink, resumed?: ResumedCalls) {
    this.assembly = new Assembly(sink, resumed);
  }

  /** Converts one value; throws a TypeError for a value of no known shape. */
  push(value: unknown): void {
    const a = this.assembly;
    if (typeof value === 'object' && value !== null && (value as MessageLike).type === 'ai' && (value as MessageLike).tool_call_chunks !== undefined) {
      // The hot path: an AIMessageChunk (fromRunnable(model), the bulk of any stream).
      a.assembled = true;
      return decodeChunk(a, value as MessageLike, str((value as MessageLike).id), '', undefined);
    }
    if (typeof value === 'string') return decodeString(a, value);
    if (typeof value !== 'object' || value === null) throw notParts(value);
    if (Array.isArray(value)) return decodeTuple(a, value);
    if ('content' in value && !('event' in value)) {
      const type = (value as { type?: unknown }).type;
      if (type === undefined || typeof type !== 'string' || !PART_TYPES.has(type) || 'lc_serializable' in value) {
        return decodeMessage(a, value as MessageLike, '', undefined);
      }
    }
    const event = (value as { event?: unknown }).event;
    if (typeof event === 'string') return decodeModelEvent(a, value as Record<string, unknown>, event);
    if (isStreamPart(value)) return passPart(a, value);
    throw notParts(value);
  }

  /** The source completed: closes open steps and reports the run's `finish`. */
  end(): void {
    this.assembly.end();
  }
}
