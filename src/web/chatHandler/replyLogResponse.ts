import { asyncScheduler, catchError, map, of, type Observable } from 'rxjs';
import type { ReplyLogEntry } from '../../replyLog/types';
import { SSE_HEADERS, withHeartbeats } from '../serverSentEventFrame';
import { framesResponse } from '../toServerSentEventsResponse';

/** How a reply-log reader becomes a streaming Web `Response`. */
export interface ReplyLogResponseOptions {
  heartbeatMs: number;
  /** `retry:` first (EventSource's reconnect delay), ms. */
  retryMs?: number;
  headers: Readonly<Record<string, string>>;
  /** The last frame when the read fails (a producer gone, the log lost). */
  errorFrame(error: unknown): string;
}

/**
 * A reply-log reader (`log.read(replyId, { after })`) as a pull-based SSE `Response`: each
 * entry's stored frame with its id as the `id:` line (the client's next `Last-Event-ID`),
 * `: ping` on silence, `errorFrame` last when the read fails. Cancelling the body (the client
 * went away) unsubscribes the reader only; the producer is not the response's.
 * The Web counterpart of `sendReplyLog` (`rxjs-langchain/node`).
 */
export function replyLogResponse(entries$: Observable<ReplyLogEntry>, options: ReplyLogResponseOptions): Response {
  const frames = (source: Observable<ReplyLogEntry>): Observable<string> =>
    source.pipe(
      map((entry) => `id: ${entry.id}\n${entry.data}`),
      catchError((error: unknown) => of(options.errorFrame(error))),
      withHeartbeats(options.heartbeatMs, asyncScheduler),
    );
  const retry = options.retryMs === undefined ? '' : `retry: ${Math.round(options.retryMs)}\n\n`;
  return framesResponse(entries$, {}, {
    frames: retry === '' ? frames : (source) => frames(source).pipe(map((frame, i) => (i === 0 ? retry + frame : frame))),
    closingFrame: (error) => options.errorFrame(error),
    headers: { ...SSE_HEADERS, ...options.headers },
  });
}
