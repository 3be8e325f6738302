/**
 * The contract of a ReplyLog, run against InMemoryReplyLog and RedisReplyLog
 * (specs/node/replyLog/InMemoryReplyLog.spec.ts, specs/node/redis/RedisReplyLog.spec.ts).
 */
import { firstValueFrom, lastValueFrom, Observable, Subject, take, takeUntil, toArray, type Subscriber } from 'rxjs';
import {
  ReplyEventNotFoundError,
  ReplyExistsError,
  ReplyNotFoundError,
  ReplyProducerGoneError,
  type ReplyLog,
  type ReplyLogEntry,
  type ReplyLogOptions,
} from '../../../src/node';
import { sleep, until } from '../../support/http';

/** Two instances over one store, and a way to kill a producer. */
export interface ReplyLogFixture {
  /** The instance that runs the producer. */
  a: ReplyLog;
  /** Another instance (Redis: its own client and log; in memory: the same log, the only one there is). */
  b: ReplyLog;
  /** A log whose producers `kill()` ends abruptly: no end is ever written. */
  crashable(): Promise<{ log: ReplyLog; kill(subscription: { unsubscribe(): void }, replyId: string): Promise<void> }>;
  /** What readers of a killed producer see. */
  crashReason: 'no-heartbeat' | 'abandoned';
  close(): Promise<void>;
}

/** A cold source the spec drives by hand; records whether it is subscribed. */
export function controlled(): {
  source$: Observable<string>;
  subscribed: Promise<void>;
  next(value: string): void;
  complete(): void;
  error(error: unknown): void;
  readonly subscriptions: number;
  readonly unsubscribed: boolean;
} {
  let subscriber: Subscriber<string> | undefined;
  let subscriptions = 0;
  let unsubscribed = false;
  let resolve!: () => void;
  const subscribed = new Promise<void>((r) => (resolve = r));
  return {
    source$: new Observable<string>((s) => {
      subscriber = s;
      subscriptions++;
      resolve();
      return () => (unsubscribed = true);
    }),
    subscribed,
    next: (value) => subscriber!.next(value),
    complete: () => subscriber!.complete(),
    error: (error) => subscriber!.error(error),
    get subscriptions() {
      return subscriptions;
    },
    get unsubscribed() {
      return unsubscribed;
    },
  };
}

/** Every entry of a read, and how it ended. */
export async function readAll(entries$: Observable<ReplyLogEntry>): Promise<{ entries: ReplyLogEntry[]; error?: unknown }> {
  const entries: ReplyLogEntry[] = [];
  return new Promise((resolve) => {
    entries$.subscribe({
      next: (entry) => entries.push(entry),
      error: (error: unknown) => resolve({ entries, error }),
      complete: () => resolve({ entries }),
    });
  });
}

/** SSE-like frames with what breaks naive framing: newlines, CRLF, `data:` lines, Chinese, emoji, a NUL. */
export const FRAMES = [
  'event: chunk\ndata: {"text":"你好"}\n\n',
  'event: chunk\ndata: {"text":"😀👨‍👩‍👧🇨🇳"}\n\n',
  'event: chunk\ndata: {"text":"line\\nnext"}\n\n',
  'data: raw\r\ndata: forged\r\n\r\n',
  'event: chunk\ndata: {"text":"\\u0000 end"}\n\n',
  'event: done\ndata: {"chunks":4}\n\n',
];

let sequence = 0;
const newId = (what: string): string => `${what}-${process.pid}-${++sequence}-${Math.random().toString(36).slice(2, 8)}`;

/** Appends FRAMES (or `frames`) and waits for the end; returns the stored entries. */
async function produce(log: ReplyLog, replyId: string, frames = FRAMES, conversationId?: string): Promise<ReplyLogEntry[]> {
  return lastValueFrom(
    log.append(replyId, new Observable<string>((s) => {
      for (const frame of frames) s.next(frame);
      s.complete();
    }), { conversationId }).pipe(toArray()),
  );
}

export function replyLogContract(make: (options?: ReplyLogOptions) => Promise<ReplyLogFixture>): void {
  let fx: ReplyLogFixture;
  beforeEach(async () => {
    fx = await make();
  });
  afterEach(async () => {
    await fx.close();
  });

  describe('append and read', () => {
    it('stores every event byte for byte and a reader on another instance gets them all, in order, with the ids append emitted', async () => {
      const replyId = newId('r');
      const stored = await produce(fx.a, replyId);
      expect(stored.map((e) => e.data)).toEqual(FRAMES);
      expect(new Set(stored.map((e) => e.id)).size).toBe(FRAMES.length);
      const { entries, error } = await readAll(fx.b.read(replyId));
      expect(error).toBeUndefined();
      expect(entries).toEqual(stored);
    });

    it('replays what is stored, then follows the live tail until the end; the model runs once', async () => {
      const replyId = newId('r');
      const src = controlled();
      const stored: ReplyLogEntry[] = [];
      fx.a.append(replyId, src.source$).subscribe((e) => stored.push(e));
      await src.subscribed;
      src.next(FRAMES[0]);
      src.next(FRAMES[1]);
      await until(() => stored.length === 2, 'two stored events');
      const got: ReplyLogEntry[] = [];
      let completed = false;
      fx.b.read(replyId).subscribe({ next: (e) => got.push(e), complete: () => (completed = true) });
      await until(() => got.length === 2, 'the replay');
      for (const frame of FRAMES.slice(2)) src.next(frame);
      src.complete();
      await until(() => completed, 'the reader to complete');
      expect(got).toEqual(stored);
      expect(got.map((e) => e.data)).toEqual(FRAMES);
      expect(src.subscriptions).toBe(1);
    });

    it('a reader that resumes after an event id gets exactly the events it missed: prefix + resumed = the whole reply', async () => {
      const replyId = newId('r');
      const src = controlled();
      const stored: ReplyLogEntry[] = [];
      fx.a.append(replyId, src.source$).subscribe((e) => stored.push(e));
      await src.subscribed;
      // First client: reads three events, then drops.
      for (const frame of FRAMES.slice(0, 4)) src.next(frame);
      const prefix = await firstValueFrom(fx.a.read(replyId).pipe(take(3), toArray()));
      // Second client, on the other instance, resumes with the id of the last event it saw.
      const resumed = readAll(fx.b.read(replyId, { after: prefix[2].id }));
      for (const frame of FRAMES.slice(4)) src.next(frame);
      src.complete();
      const rest = await resumed;
      expect(rest.error).toBeUndefined();
      expect([...prefix, ...rest.entries]).toEqual(stored);
      expect([...prefix, ...rest.entries].map((e) => `id: ${e.id}\n${e.data}`).join('')).toBe(stored.map((e) => `id: ${e.id}\n${e.data}`).join(''));
    });

    it('the producer keeps writing while no reader is connected, and the finished reply stays readable', async () => {
      const replyId = newId('r');
      const src = controlled();
      let appended = 0;
      let done = false;
      fx.a.append(replyId, src.source$).subscribe({ next: () => appended++, complete: () => (done = true) });
      await src.subscribed;
      for (const frame of FRAMES) src.next(frame); // nobody is reading
      src.complete();
      await until(() => done, 'the producer to finish');
      expect(appended).toBe(FRAMES.length);
      const { entries, error } = await readAll(fx.b.read(replyId));
      expect(error).toBeUndefined();
      expect(entries.map((e) => e.data)).toEqual(FRAMES);
    });

    it("a reader's teardown does not touch the producer; concurrent readers all get the same entries", async () => {
      const replyId = newId('r');
      const src = controlled();
      const stored: ReplyLogEntry[] = [];
      let done = false;
      fx.a.append(replyId, src.source$).subscribe({ next: (e) => stored.push(e), complete: () => (done = true) });
      await src.subscribed;
      const quitter = firstValueFrom(fx.b.read(replyId).pipe(take(2), toArray()));
      const readers = [readAll(fx.a.read(replyId)), readAll(fx.b.read(replyId)), readAll(fx.b.read(replyId))];
      for (const frame of FRAMES) {
        src.next(frame);
        await sleep(1);
      }
      src.complete();
      expect((await quitter).map((e) => e.data)).toEqual(FRAMES.slice(0, 2));
      for (const reader of await Promise.all(readers)) expect(reader).toEqual({ entries: stored });
      await until(() => done, 'the producer to finish');
      expect(src.unsubscribed).toBe(true); // by its own completion
    });

    it('is cold and lazy: append without a subscription stores nothing and never subscribes the source', async () => {
      const replyId = newId('r');
      const src = controlled();
      fx.a.append(replyId, src.source$);
      fx.b.read(replyId);
      await sleep(20);
      expect(src.subscriptions).toBe(0);
      expect((await readAll(fx.b.read(replyId))).error).toBeInstanceOf(ReplyNotFoundError);
    });
  });

  describe('errors', () => {
    it('an unknown reply is ReplyNotFoundError', async () => {
      const { entries, error } = await readAll(fx.b.read(newId('missing')));
      expect(entries).toEqual([]);
      expect(error).toBeInstanceOf(ReplyNotFoundError);
      expect((error as ReplyNotFoundError).code).toBe('REPLY_NOT_FOUND');
    });

    it('resuming after an id that is not an event of this reply is ReplyEventNotFoundError, and nothing is replayed', async () => {
      const replyId = newId('r');
      await produce(fx.a, replyId);
      for (const after of ['garbage', '0-0', '99999999999999-0', '1\n2']) {
        const { entries, error } = await readAll(fx.b.read(replyId, { after }));
        expect(entries).toEqual([]);
        expect(error).toBeInstanceOf(ReplyEventNotFoundError);
        expect((error as ReplyEventNotFoundError).after).toBe(after);
      }
    });

    it('a reply id in use (live or kept after its end) is ReplyExistsError, and the new source is never subscribed', async () => {
      const replyId = newId('r');
      const live = controlled();
      fx.a.append(replyId, live.source$).subscribe();
      await live.subscribed;
      const second = controlled();
      await expect(lastValueFrom(fx.b.append(replyId, second.source$))).rejects.toBeInstanceOf(ReplyExistsError);
      live.complete();
      await until(() => live.unsubscribed, 'the first reply to end');
      await sleep(20);
      await expect(lastValueFrom(fx.b.append(replyId, second.source$))).rejects.toBeInstanceOf(ReplyExistsError);
      expect(second.subscriptions).toBe(0);
    });

    it('bad arguments are TypeErrors at call time; a non-string event errors the append and the source is unsubscribed', async () => {
      expect(() => fx.a.read('')).toThrow(TypeError);
      expect(() => fx.a.read('x\ny')).toThrow(TypeError);
      expect(() => fx.a.read('x', { after: 5 as unknown as string })).toThrow(/Last-Event-ID/);
      expect(() => fx.a.append('x', 'frames' as unknown as Observable<string>)).toThrow(/Observable/);
      const src = controlled();
      const appended = lastValueFrom(fx.a.append(newId('r'), src.source$ as unknown as Observable<string>));
      await src.subscribed;
      src.next(42 as unknown as string);
      await expect(appended).rejects.toThrow(/must be a string/);
      expect(src.unsubscribed).toBe(true);
      const lone = controlled();
      const appendedLone = lastValueFrom(fx.a.append(newId('r'), lone.source$));
      await lone.subscribed;
      lone.next('data: \ud83d\n\n');
      await expect(appendedLone).rejects.toThrow(/lone surrogate/);
    });
  });

  describe('a producer that goes away', () => {
    it('a failing source: the append errors with it, readers get every stored event then ReplyProducerGoneError("failed")', async () => {
      const replyId = newId('r');
      const src = controlled();
      const appendError = lastValueFrom(fx.a.append(replyId, src.source$)).catch((e: unknown) => e);
      await src.subscribed;
      const reader = readAll(fx.b.read(replyId));
      src.next(FRAMES[0]);
      src.next(FRAMES[1]);
      const boom = new Error('provider exploded');
      src.error(boom);
      expect(await appendError).toBe(boom);
      const { entries, error } = await reader;
      expect(entries.map((e) => e.data)).toEqual(FRAMES.slice(0, 2));
      expect(error).toBeInstanceOf(ReplyProducerGoneError);
      expect((error as ReplyProducerGoneError).reason).toBe('failed');
      expect((error as Error).message).toContain('provider exploded');
    });

    it('unsubscribing the append aborts the source; readers get every stored event then ReplyProducerGoneError("abandoned")', async () => {
      const replyId = newId('r');
      const src = controlled();
      const stored: ReplyLogEntry[] = [];
      const producer = fx.a.append(replyId, src.source$).subscribe((e) => stored.push(e));
      await src.subscribed;
      src.next(FRAMES[0]);
      await until(() => stored.length === 1, 'one stored event');
      const reader = readAll(fx.b.read(replyId));
      producer.unsubscribe();
      expect(src.unsubscribed).toBe(true);
      const { entries, error } = await reader;
      expect(entries).toEqual(stored);
      expect(error).toBeInstanceOf(ReplyProducerGoneError);
      expect((error as ReplyProducerGoneError).reason).toBe('abandoned');
    });

    it('a killed producer: a resuming reader gets everything stored, then ReplyProducerGoneError, never a hang', async () => {
      const replyId = newId('r');
      const crash = await fx.crashable();
      const src = controlled();
      const stored: ReplyLogEntry[] = [];
      const producer = crash.log.append(replyId, src.source$).subscribe({ next: (e) => stored.push(e), error: () => undefined });
      await src.subscribed;
      src.next(FRAMES[0]);
      src.next(FRAMES[1]);
      await until(() => stored.length === 2, 'two stored events');
      const live = readAll(fx.b.read(replyId)); // connected when it dies
      await crash.kill(producer, replyId);
      src.next(FRAMES[2]); // the dead instance's model goes on; nothing reaches the log
      const resumed = await readAll(fx.b.read(replyId, { after: stored[0].id }));
      expect(resumed.entries).toEqual(stored.slice(1));
      expect(resumed.error).toBeInstanceOf(ReplyProducerGoneError);
      expect((resumed.error as ReplyProducerGoneError).reason).toBe(fx.crashReason);
      const connected = await live;
      expect(connected.entries).toEqual(stored);
      expect(connected.error).toBeInstanceOf(ReplyProducerGoneError);
    });
  });

  describe('stop from any instance', () => {
    it('stop(replyId) on another instance reaches stops(replyId) of the producer; stop() tells whether a producer ran it', async () => {
      const replyId = newId('r');
      const src = controlled();
      let done = false;
      fx.a.append(replyId, src.source$.pipe(takeUntil(fx.a.stops(replyId)))).subscribe({ complete: () => (done = true) });
      await src.subscribed;
      src.next(FRAMES[0]);
      const reader = readAll(fx.b.read(replyId));
      await sleep(20); // let stops() subscribe (the flag covers a stop before it anyway)
      expect(await fx.b.stop(replyId)).toBe(true);
      await until(() => done, 'the stopped producer to end');
      expect(src.unsubscribed).toBe(true); // the model was aborted
      const { entries, error } = await reader;
      expect(error).toBeUndefined(); // a stop is not an error: the reply ended
      expect(entries.map((e) => e.data)).toEqual([FRAMES[0]]);
      expect(await fx.b.stop(replyId)).toBe(false); // nothing runs it any more
    });

    it('a stop sent before the producer listens is not lost', async () => {
      const replyId = newId('r');
      const src = controlled();
      fx.a.append(replyId, src.source$).subscribe();
      await src.subscribed;
      await fx.b.stop(replyId);
      await expect(firstValueFrom(fx.a.stops(replyId))).resolves.toBeUndefined();
      src.complete();
      await until(() => src.unsubscribed, 'the end');
      await readAll(fx.a.read(replyId)); // stored to the end
    });

    it('stops() emits once and completes; unsubscribing it before a stop leaves nothing behind', async () => {
      const replyId = newId('r');
      const src = controlled();
      fx.a.append(replyId, src.source$).subscribe();
      await src.subscribed;
      let early = 0;
      const gone = fx.a.stops(replyId).subscribe(() => early++);
      const values: number[] = [];
      let completed = false;
      fx.a.stops(replyId).subscribe({ next: () => values.push(1), complete: () => (completed = true) });
      await sleep(20);
      gone.unsubscribe();
      await fx.b.stop(replyId);
      await fx.b.stop(replyId);
      await until(() => completed, 'stops() to complete');
      expect(values).toEqual([1]);
      expect(early).toBe(0);
      src.complete();
      await readAll(fx.a.read(replyId)); // stored to the end
    });
  });

  describe('conversations, grace period, bounds', () => {
    it('latestReply finds the reply of a conversation, live while it runs', async () => {
      const conversationId = newId('c');
      expect(await fx.b.latestReply(conversationId)).toBeNull();
      const replyId = newId('r');
      const src = controlled();
      let done = false;
      fx.a.append(replyId, src.source$, { conversationId }).subscribe({ complete: () => (done = true) });
      await src.subscribed;
      src.next(FRAMES[0]);
      expect(await fx.b.latestReply(conversationId)).toEqual({ replyId, live: true });
      src.complete();
      await until(() => done, 'the end');
      expect(await fx.b.latestReply(conversationId)).toEqual({ replyId, live: false });
      const next = newId('r');
      await produce(fx.a, next, FRAMES, conversationId);
      expect(await fx.b.latestReply(conversationId)).toEqual({ replyId: next, live: false });
    });

    it('a finished reply is deleted after graceMs', async () => {
      const short = await make({ graceMs: 150 });
      try {
        const replyId = newId('r');
        const conversationId = newId('c');
        await produce(short.a, replyId, FRAMES, conversationId);
        // Deleted once graceMs has passed: watched for, not timed (a loaded machine may read it
        // whole first, or not). Kept until then is the other specs' business (default graceMs).
        const gone = async (): Promise<boolean> =>
          (await readAll(short.b.read(replyId))).error instanceof ReplyNotFoundError && (await short.b.latestReply(conversationId)) === null;
        while (!(await gone())) await sleep(20);
        expect((await readAll(short.b.read(replyId))).error).toBeInstanceOf(ReplyNotFoundError);
      } finally {
        await short.close();
      }
    });

    it('keeps about maxEvents events per reply; resuming before them is ReplyEventNotFoundError', async () => {
      const bounded = await make({ maxEvents: 10 });
      try {
        const replyId = newId('r');
        const frames = Array.from({ length: 1000 }, (_, i) => `data: ${i} 😀\n\n`);
        const stored = await produce(bounded.a, replyId, frames);
        const { entries, error } = await readAll(bounded.b.read(replyId));
        expect(error).toBeUndefined();
        expect(entries.length).toBeGreaterThanOrEqual(10);
        expect(entries.length).toBeLessThanOrEqual(10 + 100 + 1); // Redis trims whole nodes of 100 entries (MAXLEN ~)
        expect(entries).toEqual(stored.slice(-entries.length)); // the newest ones, in order
        expect((await readAll(bounded.b.read(replyId, { after: stored[0].id }))).error).toBeInstanceOf(ReplyEventNotFoundError);
      } finally {
        await bounded.close();
      }
    });
  });
}
