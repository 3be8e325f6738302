import { concatMap, defer, from, type Observable, type OperatorFunction } from 'rxjs';
import type { Event as ProtocolWireEvent, InputRequestedData, Namespace } from '@langchain/protocol';

/**
 * One event as LangGraph's `graph.streamEvents(input, { version: 'v3' })` yields it (core's
 * `ProtocolEvent`): the protocol shape already, before the server numbers it. Structural, so
 * nothing here imports `@langchain/langgraph` (the root entry must not load it).
 */
export interface GraphProtocolEvent {
  readonly method: string;
  readonly params: { readonly namespace: Namespace; readonly timestamp?: number; readonly node?: string; readonly data: unknown };
}

/** A wire event before the log numbers it: `type`, `method`, `params` (no `seq` / `event_id` yet). */
export interface UnnumberedEvent {
  readonly type: 'event';
  readonly method: string;
  readonly params: { namespace: Namespace; timestamp: number; node?: string; data: unknown };
}

/** A numbered wire event, what the SSE `data:` carries (`@langchain/protocol`'s `Event`). */
export type WireEvent = ProtocolWireEvent & { event_id: string; seq: number };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `graph.streamEvents` v3 data carries LangChain message objects: encode them as dicts (`{ type, id, content, tool_calls, … }`). */
export function encodeWireJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, replaced: unknown) {
    const raw = this[key] as { toDict?: () => { type: string; data: Record<string, unknown> } } | null | undefined;
    if (raw !== null && typeof raw === 'object' && typeof raw.toDict === 'function') {
      const { type, data } = raw.toDict();
      return { ...data, type };
    }
    return replaced;
  });
}

/** `{ id, value }` interrupt entries (LangGraph's `__interrupt__`) as `input.requested` data. */
export function inputRequests(value: unknown): InputRequestedData[] {
  const entries = Array.isArray(value) ? value : isRecord(value) && Array.isArray(value.__interrupt__) ? value.__interrupt__ : [];
  return entries.flatMap((entry: unknown) =>
    isRecord(entry) && typeof entry.id === 'string' ? [{ interrupt_id: entry.id, payload: 'value' in entry ? entry.value : undefined }] : [],
  );
}

/**
 * The `event_id` of event `seq` of run `runId`: `synth:<run_id>:<seq>` for the run's root
 * lifecycle (the form of the Python agent server, the only place the SDK's `StreamController`
 * learns which run an event belongs to: it is how `stop()` after `respond()` finds the resumed run
 * to cancel, and how a submit tells its own run's terminal from a replayed one), else `String(seq)`.
 * Either is stored with the event, so every instance sends the same id (decision 0301).
 */
export function wireEventId(seq: number, method: string, namespace: readonly string[], runId: string): string {
  return method === 'lifecycle' && namespace.length === 0 ? `synth:${runId}:${seq}` : String(seq);
}

export function wireEvent(method: string, namespace: Namespace, data: unknown, node?: string, timestamp = Date.now()): UnnumberedEvent {
  return { type: 'event', method, params: { namespace, timestamp, ...(node !== undefined ? { node } : {}), data } };
}

/**
 * What the server adds to LangGraph's own protocol events, as `@langchain/langgraph-api` 1.5.1
 * does (`RunProtocolSession`): the root lifecycle is the server's (core's root `lifecycle` is
 * dropped: the run's `running` and terminal events come from the run, which knows about cancels
 * and pending interrupts); `__interrupt__` in `updates` / `values` becomes one `input.requested`
 * per interrupt id; `updates` carry the node's values with `params.node`; an empty `values` is
 * dropped. Every other event (messages, tools, custom, checkpoints, tasks, child lifecycle) passes
 * unchanged. `onInterrupt` hears each interrupt id once.
 */
export function shapeGraphEvents(onInterrupt: (id: string) => void): OperatorFunction<GraphProtocolEvent, UnnumberedEvent> {
  return (events) =>
    defer(() => {
      const seen = new Set<string>();
      const requests = (namespace: Namespace, value: unknown): UnnumberedEvent[] =>
        inputRequests(value).flatMap((request) => {
          if (seen.has(request.interrupt_id)) return [];
          seen.add(request.interrupt_id);
          onInterrupt(request.interrupt_id);
          return [wireEvent('input.requested', namespace, request)];
        });
      return events.pipe(concatMap((event) => from(shapeOne(event, requests))));
    });
}

function shapeOne(event: GraphProtocolEvent, requests: (namespace: Namespace, value: unknown) => UnnumberedEvent[]): UnnumberedEvent[] {
  const { method, params } = event;
  const namespace = [...params.namespace];
  const timestamp = params.timestamp ?? Date.now();
  switch (method) {
    case 'lifecycle':
      return namespace.length === 0 ? [] : [wireEvent(method, namespace, params.data, undefined, timestamp)];
    case 'updates': {
      const data = params.data as { node?: string; values?: unknown } | undefined;
      if (data?.node === '__interrupt__') return requests(namespace, data.values);
      if (isRecord(data) && 'values' in data) return [wireEvent(method, namespace, data.values, data.node ?? params.node, timestamp)];
      return [wireEvent(method, namespace, data, params.node, timestamp)];
    }
    case 'values': {
      const asked = requests(namespace, params.data);
      if (!isRecord(params.data)) return [...asked, wireEvent(method, namespace, params.data, undefined, timestamp)];
      const { __interrupt__: _, ...values } = params.data;
      return Object.keys(values).length === 0 ? asked : [...asked, wireEvent(method, namespace, values, undefined, timestamp)];
    }
    case 'debug':
      return [];
    default:
      return [wireEvent(method, namespace, params.data, params.node, timestamp)];
  }
}

/** The events of one graph run, from `graph.streamEvents(…, { version: 'v3' })`. */
export type GraphEvents = Observable<GraphProtocolEvent>;
