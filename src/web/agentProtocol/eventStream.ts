import { asyncScheduler, catchError, filter, map, of, type SchedulerLike } from 'rxjs';
import { framesResponse } from '../toServerSentEventsResponse';
import { SSE_HEADERS, withHeartbeats } from '../serverSentEventFrame';
import type { LangGraphModules } from './langgraph';
import type { ThreadLog } from './threadLog';
import type { WireEvent } from './wireEvents';

/** How an event stream is delivered. */
export interface EventStreamDelivery {
  readonly heartbeatMs: number;
  readonly maxBufferedBytes: number;
  readonly scheduler?: SchedulerLike;
}

/**
 * `POST /threads/:id/stream/events`: the thread's kept events matching the filter, then the live
 * ones, as SSE (`event: <method>`, `data: <event JSON>`, `id: <event_id>`, what langgraph-api
 * writes; the SDK reads only `data:`). The stream stays open between runs, with `: ping`
 * heartbeats; the client's disconnect ends the log read (nothing else: the run goes on).
 * Matching is LangGraph's own `matchesSubscription` (channels, namespace prefixes, depth, since).
 */
export function eventStreamResponse(
  threadLog: ThreadLog,
  threadId: string,
  subscription: { channels: string[]; namespaces?: string[][]; depth?: number; since?: number },
  langgraph: LangGraphModules,
  delivery: EventStreamDelivery,
): Response {
  const definition = subscription as Parameters<LangGraphModules['stream']['matchesSubscription']>[1];
  const frames$ = threadLog.read(threadId).pipe(
    map((data) => ({ data, event: JSON.parse(data) as WireEvent })),
    filter(({ event }) => langgraph.stream.matchesSubscription(event, definition)),
    map(({ data, event }) => `event: ${event.method}\ndata: ${data}\nid: ${event.event_id}\n\n`),
    catchError((error: unknown) => of(errorFrame(error))),
  );
  return framesResponse(
    frames$,
    { maxBufferedBytes: delivery.maxBufferedBytes },
    { frames: withHeartbeats(delivery.heartbeatMs, delivery.scheduler ?? asyncScheduler), closingFrame: errorFrame, headers: SSE_HEADERS },
  );
}

/** The last frame of a stream that broke (the log failed, the reader fell too far behind): the SDK then reconnects. */
function errorFrame(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `: stream ended: ${message.replace(/[\r\n]+/g, ' ')}\n\n`;
}
