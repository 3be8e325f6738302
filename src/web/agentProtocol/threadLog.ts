import { catchError, concat, defer, EMPTY, from, map, merge, NEVER, Observable, of, switchMap, take, tap, filter } from 'rxjs';
import { ReplyNotFoundError, ReplyProducerGoneError } from '../../errors';
import type { ReplyLog } from '../../replyLog/types';
import { encodeWireJson, wireEvent, wireEventId, type UnnumberedEvent } from './wireEvents';
import { RunTooLongError } from './errors';

/** Seq numbers per run: run `k`'s events are `k·SEQ_SPAN + 1 …`; its synthesized failure is the last. */
export const SEQ_SPAN = 1_000_000;

/** The first entry of each run's reply: how to find the runs before it, and where its seq numbers start. */
interface RunHeader {
  readonly type: 'run-header';
  readonly run_id: string;
  readonly seq_base: number;
  readonly graph_name: string;
  /** Reply ids of the earlier runs still kept, oldest first. */
  readonly previous: readonly string[];
}

/** A run about to be appended (what {@link ThreadLog.openRun} decided under the thread's lock). */
export interface OpenedRun {
  readonly threadId: string;
  readonly runId: string;
  readonly replyId: string;
  readonly header: RunHeader;
  /** The reply before it, or `none`: its "after" latch wakes the readers waiting for this run. */
  readonly after: string;
}

function parseHeader(data: string): RunHeader | undefined {
  if (!data.startsWith('{"type":"run-header"')) return undefined;
  return JSON.parse(data) as RunHeader;
}

/**
 * A thread's events in a {@link ReplyLog}: one reply per run (`<prefix><thread>:run:<k>`), found
 * through the thread's latest reply (`latestReply(<prefix><thread>)`) and each run's header, which
 * lists the runs kept before it. Event ids are the seq numbers the producer writes into the
 * stored JSON, so they are the same on every instance that reads the log (decision 0211).
 */
export class ThreadLog {
  constructor(
    readonly log: ReplyLog,
    private readonly prefix: string,
    private readonly maxRuns: number,
    private readonly now: () => number,
  ) {}

  key(threadId: string): string {
    return `${this.prefix}${threadId}`;
  }

  cancelKey(threadId: string, runId: string): string {
    return `${this.key(threadId)}:cancel:${runId}`;
  }

  private afterKey(threadId: string, after: string): string {
    return `${this.key(threadId)}:after:${after}`;
  }

  /**
   * An upper bound of the seq numbers the thread has so far (the end of its latest run's range; 0
   * for none): a run started now numbers its events above it. Sent as `meta.applied_through_seq`,
   * so a client can tell the replay of earlier runs from its own.
   */
  async appliedThroughSeq(threadId: string): Promise<number> {
    const latest = await this.log.latestReply(this.key(threadId));
    const k = latest ? Number(/:run:(\d+)$/.exec(latest.replyId)?.[1] ?? 0) : 0;
    return k === 0 ? 0 : k * SEQ_SPAN + SEQ_SPAN - 1;
  }

  /** The assistant id of the thread's latest kept run, if any. */
  async latestGraphName(threadId: string): Promise<string | undefined> {
    const latest = await this.log.latestReply(this.key(threadId));
    return latest ? (await this.header(latest.replyId))?.graph_name : undefined;
  }

  /** Picks the next run's reply id and seq base (call it holding the thread's lock). */
  async openRun(threadId: string, runId: string, graphName: string): Promise<OpenedRun> {
    const latest = await this.log.latestReply(this.key(threadId));
    let k = Math.floor(this.now() / 1000);
    let previous: string[] = [];
    if (latest) {
      const header = await this.header(latest.replyId);
      previous = [...(header?.previous ?? []), latest.replyId].slice(-(this.maxRuns - 1));
      const last = Number(/:run:(\d+)$/.exec(latest.replyId)?.[1] ?? 0);
      k = Math.max(k, last + 1);
    }
    const header: RunHeader = { type: 'run-header', run_id: runId, seq_base: k * SEQ_SPAN, graph_name: graphName, previous };
    return { threadId, runId, replyId: `${this.key(threadId)}:run:${k}`, header, after: latest?.replyId ?? 'none' };
  }

  /**
   * Appends a run: its header, then `events` numbered from the header's seq base. Once the header
   * is stored, `onStored` is called and readers waiting after the previous run are woken (on every
   * instance).
   */
  appendRun(run: OpenedRun, events: Observable<UnnumberedEvent>, onStored?: () => void): Observable<void> {
    const base = run.header.seq_base;
    const frames = concat(
      of(JSON.stringify(run.header)),
      events.pipe(
        map((event, i) => {
          if (i + 1 >= SEQ_SPAN - 1) throw new RunTooLongError(run.runId, SEQ_SPAN - 2);
          const seq = base + i + 1;
          return encodeWireJson({ type: event.type, event_id: wireEventId(seq, event.method, event.params.namespace, run.runId), seq, method: event.method, params: event.params });
        }),
      ),
    );
    let woken = false;
    return this.log.append(run.replyId, frames, { conversationId: this.key(run.threadId) }).pipe(
      tap(() => {
        if (woken) return;
        woken = true;
        onStored?.();
        this.log.stop(this.afterKey(run.threadId, run.after)).catch(() => undefined);
      }),
      map(() => undefined),
      filter(() => false),
    );
  }

  /**
   * Every kept event of the thread (JSON strings, seq order), then each new one as runs append
   * them; never completes (the protocol keeps a thread's stream open between runs).
   */
  read(threadId: string): Observable<string> {
    return defer(() => from(this.log.latestReply(this.key(threadId)))).pipe(
      switchMap((latest) => (latest ? this.readFrom(threadId, undefined, latest.replyId) : this.waitAfter(threadId, 'none'))),
    );
  }

  private readFrom(threadId: string, lastRead: string | undefined, latest: string): Observable<string> {
    return defer(() => from(this.header(latest))).pipe(
      switchMap((header) => {
        const chain = [...(header?.previous ?? []), latest];
        const start = lastRead === undefined ? 0 : chain.indexOf(lastRead) + 1;
        return concat(...chain.slice(start).map((replyId) => this.readRun(replyId)), defer(() => this.waitAfter(threadId, latest)));
      }),
    );
  }

  /** Waits for the run after `after` (the latch first, then a look, so a run started in between is not missed). */
  private waitAfter(threadId: string, after: string): Observable<string> {
    const started = merge(
      this.log.stops(this.afterKey(threadId, after)),
      defer(() => from(this.log.latestReply(this.key(threadId)))).pipe(switchMap((latest) => (latest && latest.replyId !== after ? of(undefined) : EMPTY))),
    ).pipe(take(1));
    return started.pipe(
      switchMap(() => from(this.log.latestReply(this.key(threadId)))),
      switchMap((latest) => (latest && latest.replyId !== after ? this.readFrom(threadId, after === 'none' ? undefined : after, latest.replyId) : NEVER)),
    );
  }

  /** One run's events (header dropped); a run whose instance died ends with a synthesized `failed`. */
  private readRun(replyId: string): Observable<string> {
    let header: RunHeader | undefined;
    return this.log.read(replyId).pipe(
      filter((entry) => {
        const parsed = parseHeader(entry.data);
        if (parsed) header = parsed;
        return parsed === undefined;
      }),
      map((entry) => entry.data),
      catchError((error: unknown) => {
        if (error instanceof ReplyNotFoundError) return EMPTY;
        if (error instanceof ReplyProducerGoneError && header) return of(synthesizedFailure(header, error.message));
        throw error;
      }),
    );
  }

  private header(replyId: string): Promise<RunHeader | undefined> {
    return new Promise((resolve, reject) => {
      this.log
        .read(replyId)
        .pipe(take(1))
        .subscribe({
          next: (entry) => resolve(parseHeader(entry.data)),
          error: (error: unknown) => (error instanceof ReplyNotFoundError || error instanceof ReplyProducerGoneError ? resolve(undefined) : reject(error)),
          complete: () => resolve(undefined),
        });
    });
  }
}

/** The terminal event of a run whose producer is gone: the same id on every instance (from the run's last seq). */
function synthesizedFailure(header: RunHeader, message: string): string {
  const seq = header.seq_base + SEQ_SPAN - 1;
  const event = wireEvent('lifecycle', [], { event: 'failed', graph_name: header.graph_name, error: message }, undefined, 0);
  return JSON.stringify({ type: 'event', event_id: wireEventId(seq, event.method, event.params.namespace, header.run_id), seq, method: event.method, params: event.params });
}
