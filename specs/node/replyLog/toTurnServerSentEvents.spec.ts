import { AIMessage, AIMessageChunk } from '@langchain/core/messages';
import { of, Subject } from 'rxjs';
import { chatTurns, type TurnEvent } from '../../../src';
import { toTurnServerSentEvents } from '../../../src/node';
import { createScheduler } from '../../support/marbles';

const base = { turn: 0, question: 'q', durationMs: 5, firstChunkMs: 1 };
const chunk = (text: string): TurnEvent => ({ type: 'chunk', turn: 0, question: 'q', chunk: new AIMessageChunk(text), text });

describe('toTurnServerSentEvents', () => {
  it('frames chunks and the end without an id: line (the reply log gives the ids); empty chunks are skipped', () => {
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-c-d|', {
        a: chunk('第一行\ndata: forged'),
        b: chunk(''),
        c: chunk('😀'),
        d: { ...base, type: 'done', text: '第一行\ndata: forged😀', message: new AIMessage('x'), chunks: 2 } as TurnEvent,
      });
      const expected =    '-a---c-d|';
      const sourceSubs =  '^-------!';
      expectObservable(source.pipe(toTurnServerSentEvents())).toBe(expected, {
        a: 'event: chunk\ndata: {"text":"第一行\\ndata: forged","turn":0}\n\n',
        c: 'event: chunk\ndata: {"text":"😀","turn":0}\n\n',
        d: 'event: done\ndata: {"turn":0,"chunks":2,"stopped":false}\n\n',
      });
      expectSubscriptions(source.subscriptions).toBe(sourceSubs);
    });
  });

  it('a stopped turn ends with done {stopped: true, saved}; a failed one with error (errorData can redact it)', () => {
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-s-e|', {
        s: { ...base, type: 'stopped', partialText: 'ab', chunks: 1, saved: true } as TurnEvent,
        e: { ...base, turn: 1, type: 'error', partialText: '', chunks: 0, saved: false, error: Object.assign(new Error('secret 401'), { code: 'E401' }) } as TurnEvent,
      });
      const expected =    '-s-e|';
      const expected2 =   '-s-e|';
      const sourceSubs = ['^---!', '^---!'];
      expectObservable(source.pipe(toTurnServerSentEvents())).toBe(expected, {
        s: 'event: done\ndata: {"turn":0,"chunks":1,"stopped":true,"saved":true}\n\n',
        e: 'event: error\ndata: {"turn":1,"name":"Error","message":"secret 401","code":"E401"}\n\n',
      });
      expectObservable(source.pipe(toTurnServerSentEvents({ errorData: () => ({ message: 'The model failed.' }) }))).toBe(expected2, {
        s: 'event: done\ndata: {"turn":0,"chunks":1,"stopped":true,"saved":true}\n\n',
        e: 'event: error\ndata: {"turn":1,"message":"The model failed."}\n\n',
      });
      expectSubscriptions(source.subscriptions).toBe(sourceSubs);
    });
  });

  it('a downstream take stops the turn (synchronous unsubscription)', () => {
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-a-a-a-a-|', { a: chunk('x') });
      const expected =    '-a-';
      const subs =        '^--!';
      const unsub =       '^--!';
      expectObservable(source.pipe(toTurnServerSentEvents()), unsub).toBe(expected, { a: 'event: chunk\ndata: {"text":"x","turn":0}\n\n' });
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it('frames a real chatTurns session, stop included', async () => {
    const stop$ = new Subject<void>();
    const got: string[] = [];
    const sub = of('a', 'b')
      .pipe(chatTurns(({ turn }) => (turn === 0 ? of('你', '好') : new Subject<string>()), { stop$, requireCompletion: false }), toTurnServerSentEvents())
      .subscribe((f) => got.push(f));
    await new Promise((resolve) => setTimeout(resolve, 10));
    stop$.next();
    await new Promise((resolve) => setTimeout(resolve, 10));
    sub.unsubscribe();
    expect(got).toEqual([
      'event: chunk\ndata: {"text":"你","turn":0}\n\n',
      'event: chunk\ndata: {"text":"好","turn":0}\n\n',
      'event: done\ndata: {"turn":0,"chunks":2,"stopped":false}\n\n',
      'event: done\ndata: {"turn":1,"chunks":0,"stopped":true,"saved":false}\n\n',
    ]);
  });

  it('checks its options', () => {
    expect(() => toTurnServerSentEvents({ errorData: 'x' as never })).toThrow(TypeError);
  });
});
