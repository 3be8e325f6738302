import { STREAM_MODES } from '../parts/events';

/**
 * LangGraph's stream shapes, recognised in one place (issue 26): `[message, metadata]`
 * (`messages` mode alone), `[mode, data]` (several modes), `[namespace, mode, data]` and
 * `[namespace, data]` (`subgraphs: true`).
 */
export interface GraphTuple {
  /** The subgraph path; undefined at the top level (an empty namespace is the top level). */
  readonly namespace: readonly string[] | undefined;
  /** The stream mode; undefined for `[namespace, data]` whose data is no message pair. */
  readonly mode: string | undefined;
  readonly data: unknown;
}

/** A LangChain message or a plain `{ content }` object, as the graph tuples carry it. */
export interface GraphMessage {
  readonly content: unknown;
  readonly type?: unknown;
  readonly role?: unknown;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A message: an object with `content` that is not a content-block event (parts are told apart by the caller). */
const isMessageShaped = (value: unknown): value is GraphMessage => isPlainObject(value) && 'content' in value && !('event' in value);

/** `[message, metadata]` as LangGraph's `messages` mode yields it. */
export function isGraphMessagePair(value: unknown, isMessage: (v: unknown) => boolean = isMessageShaped): value is [GraphMessage, Record<string, unknown> | undefined] {
  return Array.isArray(value) && value.length === 2 && isMessage(value[0]) && (value[1] === undefined || isPlainObject(value[1]));
}

/** The tuple's parts, or undefined when `value` is none of LangGraph's shapes. */
export function graphTuple(value: readonly unknown[], isMessage: (v: unknown) => boolean = isMessageShaped): GraphTuple | undefined {
  let namespace: readonly string[] | undefined;
  let mode: string | undefined;
  let data: unknown;
  if (value.length === 3 && Array.isArray(value[0]) && typeof value[1] === 'string') {
    [namespace, mode, data] = value as [string[], string, unknown];
  } else if (value.length === 2 && typeof value[0] === 'string' && STREAM_MODES.has(value[0])) {
    [mode, data] = value as [string, unknown];
  } else if (value.length === 2 && Array.isArray(value[0]) && value[0].every((s) => typeof s === 'string')) {
    namespace = value[0] as string[];
    data = value[1];
    mode = isGraphMessagePair(data, isMessage) ? 'messages' : undefined;
  } else if (isGraphMessagePair(value, isMessage)) {
    mode = 'messages';
    data = value;
  } else {
    return undefined;
  }
  return { namespace: namespace !== undefined && namespace.length > 0 ? namespace : undefined, mode, data };
}

/**
 * The model message in a LangGraph tuple: the message of a `messages` pair from the model;
 * `null` for a tuple without model output (other modes, tool and human messages); undefined
 * when `value` is no tuple.
 */
export function graphMessage(value: readonly unknown[]): GraphMessage | null | undefined {
  const tuple = graphTuple(value);
  if (tuple === undefined) return undefined;
  if (tuple.mode !== 'messages') return null;
  if (!isGraphMessagePair(tuple.data)) return undefined;
  const message = tuple.data[0];
  const type = message.type ?? message.role;
  return type === undefined || type === 'ai' || type === 'assistant' ? message : null;
}
