import { from, lastValueFrom, Observable, take, toArray } from 'rxjs';
import { abortOn } from '../../src/operators/abortOn';
import { ForbiddenContentError } from '../../src/errors';
import type { StreamPart } from '../../src/parts/types';
import { createScheduler } from '../support/marbles';

const P: Record<string, StreamPart> = {
  s: { type: 'step-start', step: 0, node: 'model' },
  a: { type: 'text', text: '我来运', node: 'model' },
  b: { type: 'text', text: '行: ', node: 'model' },
  c: { type: 'tool-call-start', id: 'c1', name: 'shell', index: 0 },
  d: { type: 'tool-call-delta', id: 'c1', argsText: '{"cmd":"rm -' },
  e: { type: 'tool-call-delta', id: 'c1', argsText: 'rf ~"}' },
  k: { type: 'tool-call', id: 'c1', name: 'shell', args: { cmd: 'rm -rf ~' } },
  f: { type: 'step-finish', step: 0 },
};

describe('abortOn(patterns, { toolCallArgs: true })', () => {
  it('stops at a pattern split over two argument deltas: upstream unsubscribed, no part of it emitted', () => {
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-s-a-b-c-d-e-k-f|', P);
      const expected =    '-s-a-b-c-x-#';
      const sourceSubs =  '^----------!';
      expectObservable(source.pipe(abortOn(['rm -rf'], { toolCallArgs: true }))).toBe(
        expected,
        { ...P, a: { ...P.a, text: '我来运' }, x: { type: 'tool-call-delta', id: 'c1', argsText: '{"cmd":"' } },
        new ForbiddenContentError('rm -rf', 8, '{"cmd":"', 'c1'),
      );
      expectSubscriptions(source.subscriptions).toBe(sourceSubs);
    });
  });

  it('the error names the tool call; onMatch gets the same', async () => {
    const matches: unknown[] = [];
    const error = await lastValueFrom(from(Object.values(P)).pipe(abortOn(['RM -RF'], { toolCallArgs: true, caseInsensitive: true, onMatch: (m) => matches.push(m) }))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForbiddenContentError);
    expect(error).toMatchObject({ pattern: 'RM -RF', index: 8, emittedText: '{"cmd":"', toolCallId: 'c1' });
    expect((error as Error).message).toBe('Forbidden content "RM -RF" at index 8 of tool call c1\'s arguments; the stream was stopped.');
    expect(matches).toEqual([{ pattern: 'RM -RF', index: 8, emittedText: '{"cmd":"', toolCallId: 'c1' }]);
  });

  it('watches the answer text across text parts with hold-back, keeping the parts (node included)', async () => {
    const emitted: StreamPart[] = [];
    const error = await lastValueFrom(
      from([P.s, { type: 'text', text: '运行 Ja', node: 'model' }, { type: 'text', text: 'va 吧', node: 'model' }] as StreamPart[]).pipe(
        abortOn(['Java'], { toolCallArgs: true }),
        toArray(),
      ),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ pattern: 'Java', index: 3, emittedText: '运行 ' });
    expect((error as ForbiddenContentError).toolCallId).toBeUndefined();
    from([P.s, { type: 'text', text: '运行 Ja', node: 'model' }, { type: 'text', text: 'va 吧', node: 'model' }] as StreamPart[])
      .pipe(abortOn(['Java'], { toolCallArgs: true, mode: 'complete' }))
      .subscribe((p) => emitted.push(p as StreamPart));
    expect(emitted).toEqual([P.s, { type: 'text', text: '运行 ', node: 'model' }]);
  });

  it('without a match every part passes in order; held text is released before the next other part', async () => {
    const out = await lastValueFrom(from(Object.values(P)).pipe(abortOn(['rm -rf /'], { toolCallArgs: true }), toArray()));
    // '运' could start nothing, but 'r' of 'rm' is held until the next delta decides it.
    expect(out.filter((p) => (p as StreamPart).type !== 'tool-call-delta')).toEqual([P.s, P.a, P.b, P.c, P.k, P.f]);
    const args = out.filter((p) => (p as StreamPart).type === 'tool-call-delta').map((p) => (p as { argsText: string }).argsText).join('');
    expect(args).toBe('{"cmd":"rm -rf ~"}');
    expect(out.findIndex((p) => p === P.k)).toBeGreaterThan(out.map((p) => (p as StreamPart).type).lastIndexOf('tool-call-delta'));
  });

  it('strings still work as before, and a downstream take stops an infinite synchronous source', () => {
    let produced = 0;
    const infinite = new Observable<StreamPart>((subscriber) => {
      while (!subscriber.closed) {
        produced++;
        subscriber.next({ type: 'text', text: '字' });
      }
    });
    const got: unknown[] = [];
    infinite.pipe(abortOn(['x'], { toolCallArgs: true }), take(2)).subscribe((p) => got.push(p));
    expect(got).toHaveLength(2);
    expect(produced).toBeLessThan(5);
    expect(() => abortOn(['x'], { toolCallArgs: 'yes' as unknown as true })).toThrow(new TypeError("abortOn: options.toolCallArgs must be a boolean, got the string \"yes\"."));
  });
});
