import { Observable, Subject, concat, of, throwError } from 'rxjs';
import { fromRunnable, textContent } from '../../src';
import { ScriptedChatModel } from '../../src/testing';
import { eachValueFrom } from '../../demos/lib/eachValueFrom';

describe('eachValueFrom (Observable → for await)', () => {
  it('yields every value in order, including values that arrive while the loop body awaits', async () => {
    const subject = new Subject<string>();
    const seen: string[] = [];
    const loop = (async () => {
      for await (const v of eachValueFrom(subject)) {
        seen.push(v);
        await new Promise((r) => setTimeout(r, 5)); // a slow consumer
      }
    })();
    await Promise.resolve();
    await new Promise((r) => setTimeout(r, 0));
    subject.next('你');
    subject.next('好');
    subject.next('🌏');
    subject.complete();
    await loop;
    expect(seen).toEqual(['你', '好', '🌏']);
  });

  it('is lazy: subscribes on the first next(), not when created', async () => {
    let subscriptions = 0;
    const source = new Observable<number>((s) => {
      subscriptions++;
      s.next(1);
      s.complete();
    });
    const it = eachValueFrom(source);
    expect(subscriptions).toBe(0);
    expect(await it.next()).toEqual({ value: 1, done: false });
    expect(subscriptions).toBe(1);
    expect(await it.next()).toEqual({ value: undefined, done: true });
  });

  it('throws the error after the values that preceded it', async () => {
    const seen: number[] = [];
    const boom = new Error('boom');
    await expect(
      (async () => {
        for await (const v of eachValueFrom(concat(of(1, 2), throwError(() => boom)))) seen.push(v);
      })(),
    ).rejects.toBe(boom);
    expect(seen).toEqual([1, 2]);
  });

  it('unsubscribes on break, which aborts a model request mid-stream', async () => {
    let signal: AbortSignal | undefined;
    const model = new ScriptedChatModel({ reply: '一二三四五六七八九十', chunkDelayMs: 5 });
    const original = model._streamResponseChunks.bind(model);
    model._streamResponseChunks = (messages, options, runManager) => {
      signal = options.signal;
      return original(messages, options, runManager);
    };
    let got = '';
    for await (const text of eachValueFrom(fromRunnable(model, 'q').pipe(textContent()))) {
      got += text;
      if (got.length >= 2) break;
    }
    expect(got.length).toBeLessThan('一二三四五六七八九十'.length);
    expect(signal?.aborted).toBe(true);
  });

  it('unsubscribes when the loop body throws', async () => {
    let unsubscribed = false;
    const source = new Observable<number>((s) => {
      s.next(1);
      return () => (unsubscribed = true);
    });
    await expect(
      (async () => {
        for await (const _ of eachValueFrom(source)) throw new Error('consumer failed');
      })(),
    ).rejects.toThrow('consumer failed');
    expect(unsubscribed).toBe(true);
  });
});
