import type { ServerResponse } from 'node:http';
import { isObservable, type Observable, type Subscription } from 'rxjs';
import { assertFunction, assertNonNegative, assertObject, assertPositiveInteger, describe } from '../../internal/validate';
import { DEFAULT_MAX_BUFFERED_BYTES, encodeServerSentEvent, SSE_HEADERS, SSE_HEARTBEAT } from '../../web/serverSentEventFrame';
import { replyLogErrorFrame } from '../../replyLog/replyLogErrorFrame';
import type { ServerSentEventsOutcome } from '../sendServerSentEvents';
import type { ReplyLogEntry } from './types';
import { detachedObserver } from '../../internal/linked';

export { replyLogErrorFrame };

/** Options of {@link sendReplyLog}. */
export interface SendReplyLogOptions {
  /** Send a `: ping` comment after this many ms without a frame. Default 15000; 0 turns heartbeats off. */
  heartbeatMs?: number;
  /** Write `retry: retryMs` first, so `EventSource` reconnects after that long. Default: not sent. */
  retryMs?: number;
  /** Extra response headers. */
  headers?: Record<string, string>;
  /**
   * Bytes Node may buffer for a client that reads slowly. Past it the response
   * is closed (the reply log keeps everything: the client resumes with
   * `Last-Event-ID`). Default 256 KiB.
   */
  maxBufferedBytes?: number;
  /** The frame of an entry. Default `id: <entry.id>\n` + `entry.data` (data is a frame without its `id:` line). */
  frame?: (entry: ReplyLogEntry) => string;
  /**
   * The last frame when the read fails (`ReplyProducerGoneError`, `ReplyNotFoundError`, …).
   * Default `event: error` with `{ name, message, code }` and no `id:`, so `Last-Event-ID`
   * stays on the last stored event.
   */
  errorFrame?: (error: unknown) => string;
}

/** Handle of a running reply-log delivery. */
export interface ReplyLogDelivery {
  /** Resolves once the response has ended or closed. Never rejects. */
  readonly finished: Promise<ServerSentEventsOutcome>;
  /** Id of the last entry written, the client's next `Last-Event-ID`. */
  readonly lastEventId: string | undefined;
  /** Stops reading (releasing the reader, not the producer) and ends the response. */
  stop(): void;
}


/**
 * Streams a reply-log reader (`log.read(replyId, { after })`) to a Node
 * `ServerResponse` as Server-Sent Events: each entry's stored frame with its
 * entry id as the `id:` line, so a client that drops reconnects with
 * `Last-Event-ID` (to any instance) and gets exactly the frames it missed.
 * The client's disconnect unsubscribes the reader only: the producer goes on.
 * A failed read ends with one `event: error` frame. A client that reads too
 * slowly (`maxBufferedBytes`) is disconnected instead of buffered without
 * bound; it can resume.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { InMemoryReplyLog, sendReplyLog } from 'rxjs-langchain/node';
 *
 * const log = new InMemoryReplyLog();
 * createServer((req, res) => {
 *   const replyId = new URL(req.url ?? '/', 'http://localhost').searchParams.get('reply') ?? '';
 *   const after = req.headers['last-event-id'];
 *   sendReplyLog(log.read(replyId, { after: typeof after === 'string' ? after : undefined }), res, { retryMs: 1000 });
 * }).listen(3000, '127.0.0.1');
 * ```
 *
 * @see {@link InMemoryReplyLog} and {@link RedisReplyLog}, the logs it reads.
 *
 * @param entries$ A reader of the reply log (`log.read(replyId, { after })`).
 * @param res The response to write to.
 * @param options Heartbeat, `retry:`, headers, buffer cap, framing.
 * @returns The delivery: `finished`, `lastEventId`, `stop()`.
 */
export function sendReplyLog(entries$: Observable<ReplyLogEntry>, res: ServerResponse, options: SendReplyLogOptions = {}): ReplyLogDelivery {
  checkSendReplyLog(entries$, res, options);
  const frame = options.frame ?? ((entry: ReplyLogEntry): string => `id: ${entry.id}\n${entry.data}`);
  const errorFrame = options.errorFrame ?? replyLogErrorFrame;
  const stream = new ReplyLogStream(res, options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES);
  if (res.destroyed || res.writableEnded) return stream.closed();
  stream.open(options.headers, options.heartbeatMs ?? 15_000, options.retryMs);
  // Assigned before the source can emit: an overflow inside a synchronous emission stops it.
  const observer = detachedObserver<ReplyLogEntry>({
    next: (entry) => stream.entry(frame(entry), entry.id),
    error: (error: unknown) => stream.fail(errorText(errorFrame, error)),
    complete: () => stream.complete(),
  });
  stream.subscription = observer;
  entries$.subscribe(observer);
  return stream.delivery;
}

/** Call-time checks of {@link sendReplyLog}'s arguments. */
function checkSendReplyLog(entries$: unknown, res: unknown, options: SendReplyLogOptions): void {
  if (!isObservable(entries$)) throw new TypeError(`sendReplyLog: entries$ must be an Observable of reply-log entries (log.read(…)), got ${describe(entries$)}.`);
  if (typeof res !== 'object' || res === null || typeof (res as { write?: unknown }).write !== 'function') {
    throw new TypeError(`sendReplyLog: res must be a Node http.ServerResponse, got ${describe(res)}.`);
  }
  assertObject('sendReplyLog: options', options);
  assertNonNegative('sendReplyLog: heartbeatMs', options.heartbeatMs);
  assertNonNegative('sendReplyLog: retryMs', options.retryMs);
  assertObject('sendReplyLog: headers', options.headers);
  assertPositiveInteger('sendReplyLog: maxBufferedBytes', options.maxBufferedBytes);
  assertFunction('sendReplyLog: frame', options.frame, true);
  assertFunction('sendReplyLog: errorFrame', options.errorFrame, true);
}

/** The last frame of a failed read: the caller's, or the default one if theirs throws. */
function errorText(errorFrame: (error: unknown) => string, error: unknown): string {
  try {
    return errorFrame(error);
  } catch {
    return replyLogErrorFrame(new Error('The reply could not be read.'));
  }
}

/** One response of a reply-log delivery: heartbeat, buffer cap, end, client disconnect, stop. */
class ReplyLogStream {
  readonly delivery: ReplyLogDelivery;
  subscription: Subscription | undefined;
  private outcome: ServerSentEventsOutcome | undefined;
  private lastEventId: string | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private settle!: (outcome: ServerSentEventsOutcome) => void;

  constructor(
    private readonly res: ServerResponse,
    private readonly maxBuffered: number,
  ) {
    const finished = new Promise<ServerSentEventsOutcome>((resolve) => (this.settle = resolve));
    const lastEventId = (): string | undefined => this.lastEventId;
    this.delivery = {
      finished,
      get lastEventId() {
        return lastEventId();
      },
      stop: () => this.stop(),
    };
  }

  /** The delivery of a response that had already closed. */
  closed(): ReplyLogDelivery {
    this.settle('client-closed');
    return this.delivery;
  }

  /** Listens for the client's disconnect, sends the headers, starts the heartbeat, writes `retry:`. */
  open(headers: Record<string, string> | undefined, heartbeatMs: number, retryMs: number | undefined): void {
    const { res } = this;
    res.on('close', () => {
      clearTimeout(this.heartbeat);
      this.subscription?.unsubscribe(); // the reader only: the producer is not ours
      this.settle(this.outcome ?? 'client-closed');
    });
    if (!res.headersSent) {
      res.writeHead(res.statusCode || 200, { ...SSE_HEADERS, ...headers });
      res.flushHeaders();
    }
    if (heartbeatMs > 0) {
      // Every write (this ping too) refreshes the timer: a ping only after heartbeatMs of silence.
      this.heartbeat = setTimeout(() => this.write(SSE_HEARTBEAT), heartbeatMs);
    }
    if (retryMs !== undefined) this.write(encodeServerSentEvent({ retry: Math.round(retryMs) }));
  }

  entry(frame: string, id: string): void {
    this.write(frame);
    this.lastEventId = id;
  }

  fail(frame: string): void {
    this.write(frame);
    this.outcome ??= 'error';
    this.end();
  }

  complete(): void {
    this.outcome ??= 'done';
    this.end();
  }

  private stop(): void {
    if (this.outcome || this.res.writableEnded) return;
    this.outcome = 'stopped';
    this.subscription?.unsubscribe();
    this.end();
  }

  private end(): void {
    clearTimeout(this.heartbeat);
    if (!this.res.writableEnded) this.res.end();
  }

  private write(text: string): void {
    const { res } = this;
    if (res.destroyed || res.writableEnded) return;
    res.write(text);
    this.heartbeat?.refresh();
    if (res.writableLength > this.maxBuffered) {
      this.outcome = 'overflow';
      this.subscription?.unsubscribe();
      clearTimeout(this.heartbeat);
      res.destroy(); // it resumes from its Last-Event-ID; the log kept everything
    }
  }
}
