import { Observable, bufferCount, filter, lastValueFrom, map, mergeMap, of } from 'rxjs';
import type { RunHelpers } from 'rxjs/testing';
import { collectResults } from '../../src/concurrency/collectResults';
import { mergeStreams, type LabelledEvent } from '../../src/concurrency/mergeStreams';
import { createScheduler } from '../support/marbles';

type E = LabelledEvent<string, string>;
type Cold = ReturnType<RunHelpers['cold']>;
interface SubscriptionLog { subscribedFrame: number; unsubscribedFrame: number }
const v = (index: number, input: string, value: string): E => ({ type: 'value', index, input, value });
const c = (index: number, input: string): E => ({ type: 'complete', index, input });
const e = (index: number, input: string, error: unknown): E => ({ type: 'error', index, input, error });

/** Largest number of subscriptions open at the same frame. */
function maxActive(logs: SubscriptionLog[]): number {
  const edges = logs.flatMap((l) => [[l.subscribedFrame, 1], [l.unsubscribedFrame, -1]] as const);
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]); // an unsubscribe frees its slot before a subscribe in the same frame
  let active = 0, max = 0;
  for (const [, d] of edges) max = Math.max(max, (active += d));
  return max;
}

describe('mergeStreams', () => {
  it('caps active streams at `concurrency`: the third starts when the first ends', () => {
    let streams: Record<string, Cold> = {};
    createScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const a =     cold('------x------|');
      const b =     cold('--y--|');
      const c2 =    cold('----z----|');
      const d =     cold('---w|');
      streams = { a, b, c: c2, d };
      const inputs = hot('(abcd)|');
      const expected =   '--Y--BX--Z---AC-W(D|)';
      const inputsSubs = '^-----!';
      const aSubs =      '^------------!';
      const bSubs =      '^----!';
      const cSubs =      '-----^--------!';
      const dSubs =      '-------------^---!';
      expectObservable(inputs.pipe(mergeStreams((q) => streams[q], { concurrency: 2 }))).toBe(expected, {
        Y: v(1, 'b', 'y'), B: c(1, 'b'), X: v(0, 'a', 'x'), Z: v(2, 'c', 'z'),
        A: c(0, 'a'), C: c(2, 'c'), W: v(3, 'd', 'w'), D: c(3, 'd'),
      });
      expectSubscriptions(inputs.subscriptions).toBe(inputsSubs);
      expectSubscriptions(streams.a.subscriptions).toBe(aSubs);
      expectSubscriptions(streams.b.subscriptions).toBe(bSubs);
      expectSubscriptions(streams.c.subscriptions).toBe(cSubs);
      expectSubscriptions(streams.d.subscriptions).toBe(dSubs);
    });
    expect(maxActive(Object.values(streams).flatMap((s) => s.subscriptions))).toBe(2);
  });

  it("never over its cap: the next stream subscribes after the finished one's teardown, as mergeMap(…, 3) does", () => {
    const peaks: number[] = [];
    for (const run of ['mergeStreams', 'mergeMap'] as const) {
      let live = 0;
      let peak = 0;
      const stream = (i: number) =>
        new Observable<number>((s) => {
          peak = Math.max(peak, ++live);
          s.next(i);
          s.complete();
          return () => void live--;
        });
      const inputs = of(0, 1, 2, 3, 4, 5);
      const merged: Observable<unknown> = run === 'mergeStreams'
        ? inputs.pipe(mergeStreams(stream, { concurrency: 3 }))
        : inputs.pipe(mergeMap(stream, 3));
      merged.subscribe();
      expect(live).toBe(0);
      peaks.push(peak);
    }
    expect(peaks).toEqual([1, 1]);
  });

  it('counts a slot free only after the stream is torn down (asynchronous streams, concurrency 3)', () => {
    let live = 0;
    let peak = 0;
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const inner    = cold('--x|');
      const inputs   = cold('(abcd|)');
      const expected =      '---x--(y|)';
      const innerSub =     ['^--!', '^--!', '^--!', '---^--!'];
      const stream = () =>
        new Observable<string>((s) => {
          peak = Math.max(peak, ++live);
          const sub = inner.subscribe(s);
          return () => {
            sub.unsubscribe();
            live--;
          };
        });
      const ended = inputs.pipe(
        mergeStreams(stream, { concurrency: 3 }),
        filter((ev) => ev.type === 'complete'),
        bufferCount(3),
        map((evs) => evs.map((ev) => ev.input).join('')),
      );
      expectObservable(ended).toBe(expected, { x: 'abc', y: 'd' });
      expectSubscriptions(inner.subscriptions).toBe(innerSub);
    });
    expect(peak).toBe(3);
  });

  it('passes (input, index) to project and subscribes everything at once with Infinity', () => {
    const seen: [string, number][] = [];
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const inputs = cold('(ab|)');
      const a =      cold('-x|');
      const b =      cold('-----y|');
      const expected =    '-XA--Y(B|)';
      const inputsSubs =  '(^!)';
      const aSubs =       '^-!';
      const bSubs =       '^-----!';
      const inner = { a, b };
      expectObservable(inputs.pipe(mergeStreams((q, i) => {
        seen.push([q, i]);
        return inner[q as 'a' | 'b'];
      }, { concurrency: Infinity }))).toBe(expected, {
        X: v(0, 'a', 'x'), A: c(0, 'a'), Y: v(1, 'b', 'y'), B: c(1, 'b'),
      });
      expectSubscriptions(inputs.subscriptions).toBe(inputsSubs);
      expectSubscriptions(inner.a.subscriptions).toBe(aSubs);
      expectSubscriptions(inner.b.subscriptions).toBe(bSubs);
    });
    expect(seen).toEqual([['a', 0], ['b', 1]]);
  });

  describe('errors', () => {
    it("isolates a stream's error as its error event; the others go on", () => {
      createScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
        const boom = new Error('429');
        const a =     cold('-x-#', undefined, boom);
        const b =     cold('--y--|');
        const streams = { a, b };
        const inputs = hot('(ab)|');
        const expected =   '-XYE-(B|)';
        const inputsSubs = '^---!';
        const aSubs =      '^--!';
        const bSubs =      '^----!';
        expectObservable(inputs.pipe(mergeStreams((q) => streams[q as 'a' | 'b']))).toBe(expected, {
          X: v(0, 'a', 'x'), Y: v(1, 'b', 'y'), E: e(0, 'a', boom), B: c(1, 'b'),
        });
        expectSubscriptions(inputs.subscriptions).toBe(inputsSubs);
        expectSubscriptions(streams.a.subscriptions).toBe(aSubs);
        expectSubscriptions(streams.b.subscriptions).toBe(bSubs);
      });
    });

    it('a project that throws is that input’s error event', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const inputs = cold('ab|');
        const ok =     cold('-y|');
        const expected =    'E-Y(B|)';
        const inputsSubs =  '^-!';
        const okSubs =      '-^-!';
        const bad = new TypeError('no prompt');
        expectObservable(inputs.pipe(mergeStreams((q) => {
          if (q === 'a') throw bad;
          return ok;
        }))).toBe(expected, { E: e(0, 'a', bad), Y: v(1, 'b', 'y'), B: c(1, 'b') });
        expectSubscriptions(inputs.subscriptions).toBe(inputsSubs);
        expectSubscriptions(ok.subscriptions).toBe(okSubs);
      });
    });

    it('failFast: emits the error event, then errors and unsubscribes the others', () => {
      createScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
        const boom = new Error('429');
        const a =     cold('-x-#', undefined, boom);
        const b =     cold('--y--|');
        const streams = { a, b };
        const inputs = hot('(ab)-----|');
        const expected =   '-XY(E#)';
        const inputsSubs = '^--!';
        const aSubs =      '^--!';
        const bSubs =      '^--!';
        expectObservable(inputs.pipe(mergeStreams((q) => streams[q as 'a' | 'b'], { failFast: true }))).toBe(
          expected,
          { X: v(0, 'a', 'x'), Y: v(1, 'b', 'y'), E: e(0, 'a', boom) },
          boom,
        );
        expectSubscriptions(inputs.subscriptions).toBe(inputsSubs);
        expectSubscriptions(streams.a.subscriptions).toBe(aSubs);
        expectSubscriptions(streams.b.subscriptions).toBe(bSubs);
      });
    });
  });

  describe('collectResults', () => {
    it('gathers results in input order, not completion order, once everything ends', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const boom = new Error('down');
        const slow =   cold('-a--b|');
        const fast =   cold('-c|');
        const bad =    cold('-#', undefined, boom);
        const empty =  cold('|');
        const streams = { slow, fast, bad, empty };
        const inputs = cold('(abcd|)', { a: 'slow', b: 'fast', c: 'bad', d: 'empty' });
        const expected =    '-----(r|)';
        const inputsSubs =  '(^!)';
        const slowSubs =    '^----!';
        const fastSubs =    '^-!';
        const badSubs =     '^!';
        const emptySubs =   '(^!)';
        expectObservable(inputs.pipe(mergeStreams((q) => streams[q as keyof typeof streams]), collectResults())).toBe(expected, {
          r: [
            { index: 0, input: 'slow', status: 'complete', values: ['a', 'b'], value: 'b' },
            { index: 1, input: 'fast', status: 'complete', values: ['c'], value: 'c' },
            { index: 2, input: 'bad', status: 'error', values: [], value: undefined, error: boom },
            { index: 3, input: 'empty', status: 'complete', values: [], value: undefined },
          ],
        });
        expectSubscriptions(inputs.subscriptions).toBe(inputsSubs);
        expectSubscriptions(streams.slow.subscriptions).toBe(slowSubs);
        expectSubscriptions(streams.fast.subscriptions).toBe(fastSubs);
        expectSubscriptions(streams.bad.subscriptions).toBe(badSubs);
        expectSubscriptions(streams.empty.subscriptions).toBe(emptySubs);
      });
    });

    it('keeps no state between subscriptions and gives [] for no inputs', async () => {
      const results$ = of('x', 'y').pipe(mergeStreams((q) => of(q.toUpperCase())), collectResults());
      expect((await lastValueFrom(results$)).map((r) => r.value)).toEqual(['X', 'Y']);
      expect((await lastValueFrom(results$)).map((r) => r.value)).toEqual(['X', 'Y']);
      expect(await lastValueFrom(of<string>().pipe(mergeStreams((q) => of(q)), collectResults()))).toEqual([]);
    });
  });

  describe('bad input', () => {
    it('throws at call time with messages that say what to fix', () => {
      const p = (): Observable<never> => of();
      for (const bad of [0, -1, 1.5, NaN, '2']) {
        expect(() => mergeStreams(p, { concurrency: bad as number })).toThrow(RangeError);
      }
      expect(() => mergeStreams(p, { concurrency: 0 })).toThrow(
        new RangeError('mergeStreams: options.concurrency must be an integer >= 1 or Infinity, got the number 0.'),
      );
      expect(() => mergeStreams(p, { concurrency: Infinity })).not.toThrow();
      expect(() => mergeStreams('x' as never)).toThrow(new TypeError('mergeStreams: project must be a function, got the string "x".'));
      expect(() => mergeStreams(p, null as never)).toThrow(new TypeError('mergeStreams: options must be an object, got null.'));
      expect(() => mergeStreams(p, { failFast: 'yes' as never })).toThrow(
        new TypeError('mergeStreams: options.failFast must be a boolean, got the string "yes".'),
      );
    });
  });
});
