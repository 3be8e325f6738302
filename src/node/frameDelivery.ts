import type { ServerResponse } from 'node:http';
import { tap, type Observable } from 'rxjs';
import { SlowConsumerError } from '../errors';
import { detachedObserver, type LinkedObserver } from '../internal/linked';
import { SSE_HEARTBEAT, type FrameEncoding } from '../web/serverSentEventFrame';
import type { ServerSentEventsDelivery, ServerSentEventsOutcome, ServerSentEventsStats } from './sendServerSentEvents';

/** Fresh delivery statistics, all zero. */
export function emptyStats(): ServerSentEventsStats {
  return {
    framesWritten: 0, bytesWritten: 0, queuedFrames: 0, queuedBytes: 0,
    peakQueuedBytes: 0, peakQueuedFrames: 0, peakBufferedBytes: 0, heartbeatsSkipped: 0,
  };
}

/**
 * One running delivery of frames to a Node response (after the request check and headers):
 * backpressure with a bounded queue, overflow (a closing frame, then the response is
 * destroyed after a grace period), client disconnect, stop.
 */
export class FrameDelivery<T> {
  readonly stats = emptyStats();
  readonly finished: Promise<ServerSentEventsOutcome>;
  private settle!: (outcome: ServerSentEventsOutcome) => void;
  private readonly queue: string[] = [];
  private waitingForDrain = false;
  private sourceEnded = false;
  private sourceErrored = false;
  private outcome: ServerSentEventsOutcome | undefined;
  private subscription: LinkedObserver<string> | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  private events = 0;

  constructor(
    private readonly res: ServerResponse,
    private readonly encoding: FrameEncoding<T>,
    private readonly maxBufferedBytes: number,
    private readonly overflowGraceMs: number,
  ) {
    this.finished = new Promise<ServerSentEventsOutcome>((resolve) => (this.settle = resolve));
  }

  /** Listens to the response, sends the headers, then subscribes the source through the encoding's framing. */
  start(source$: Observable<T>, headers: Record<string, string> | undefined): ServerSentEventsDelivery {
    const { res } = this;
    res.on('drain', this.onDrain);
    res.on('close', this.onClose);
    if (!res.headersSent) {
      res.writeHead(res.statusCode || 200, { ...this.encoding.headers, ...headers });
      res.flushHeaders();
    }
    const done = (): void => {
      this.sourceEnded = true;
      this.endIfDone();
    };
    // Assigned before the source can emit: an overflow inside a synchronous emission stops it.
    const observer = (this.subscription = detachedObserver<string>({
      next: (frame) => this.push(frame),
      complete: done,
      error: () => ((this.sourceErrored = true), done()),
    }));
    source$.pipe(tap({ error: () => (this.sourceErrored = true) }), this.encoding.frames).subscribe(observer);
    return { stats: this.stats, finished: this.finished, stop: () => this.stop() };
  }

  private stop(): void {
    if (this.outcome || this.res.writableEnded) return;
    this.outcome = 'stopped';
    this.subscription?.unsubscribe();
    this.queue.length = 0;
    this.stats.queuedBytes = 0;
    this.measure();
    this.res.end();
  }

  private push(frame: string): void {
    const { res, stats } = this;
    if (res.destroyed || res.writableEnded || this.outcome === 'overflow') return;
    if (frame !== SSE_HEARTBEAT) this.events++;
    if (!this.waitingForDrain) return this.write(frame);
    if (frame === SSE_HEARTBEAT) {
      stats.heartbeatsSkipped++;
      return;
    }
    this.queue.push(frame);
    stats.queuedBytes += Buffer.byteLength(frame);
    this.measure();
    if (stats.queuedBytes > this.maxBufferedBytes) this.overflow();
  }

  private write(frame: string): void {
    this.stats.framesWritten++;
    this.stats.bytesWritten += Buffer.byteLength(frame);
    if (!this.res.write(frame)) this.waitingForDrain = true;
    this.measure();
  }

  private measure(): void {
    const { stats, queue } = this;
    stats.queuedFrames = queue.length;
    stats.peakQueuedBytes = Math.max(stats.peakQueuedBytes, stats.queuedBytes);
    stats.peakQueuedFrames = Math.max(stats.peakQueuedFrames, queue.length);
    stats.peakBufferedBytes = Math.max(stats.peakBufferedBytes, stats.queuedBytes + (this.res.writableLength ?? 0));
  }

  private endIfDone(): void {
    if (this.sourceEnded && !this.waitingForDrain && this.queue.length === 0 && !this.res.writableEnded) {
      this.outcome ??= this.sourceErrored ? 'error' : 'done';
      this.res.end();
    }
  }

  private overflow(): void {
    this.outcome = 'overflow';
    this.subscription?.unsubscribe(); // aborts the model request
    this.sourceEnded = true;
    const error = new SlowConsumerError(this.stats.queuedBytes, this.maxBufferedBytes);
    // One last frame so a reader that catches up learns why the stream stopped.
    const closing = this.encoding.closingFrame(error, this.events);
    this.queue.push(closing);
    this.stats.queuedBytes += Buffer.byteLength(closing);
    this.measure();
    this.graceTimer = setTimeout(() => this.res.destroy(), this.overflowGraceMs);
    this.graceTimer.unref?.();
  }

  private readonly onDrain = (): void => {
    this.waitingForDrain = false;
    while (this.queue.length > 0 && !this.waitingForDrain) {
      const frame = this.queue.shift()!;
      this.stats.queuedBytes -= Buffer.byteLength(frame);
      this.write(frame);
    }
    this.measure();
    this.endIfDone();
  };

  private readonly onClose = (): void => {
    this.subscription?.unsubscribe();
    const { outcome } = this;
    if (this.res.writableFinished && outcome) return this.finish(outcome);
    this.finish(outcome === 'stopped' || outcome === 'overflow' ? outcome : 'client-closed');
  };

  private finish(result: ServerSentEventsOutcome): void {
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.res.off('drain', this.onDrain);
    this.res.off('close', this.onClose);
    this.settle(result);
  }
}
