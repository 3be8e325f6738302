import { firstValueFrom, lastValueFrom, Subject, take, takeUntil, toArray, map } from 'rxjs';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { StringOutputParser } from '@langchain/core/output_parsers';
import { fromRunnable } from '../../src/sources/fromRunnable';
import { StreamAbortedError } from '../../src/errors';
import { ScriptedChatModel } from '../../src/offline/ScriptedChatModel';
import { collectText } from '../../src/operators/collectText';
import { probeRunnable, tick } from '../support/probeRunnable';

describe('fromRunnable', () => {
  describe('law 1: cold — one request per subscription', () => {
    it('starts a new request for every subscription', async () => {
      const probe = probeRunnable(['a', 'b']);
      const source = fromRunnable(probe, 'q');
      await lastValueFrom(source);
      await lastValueFrom(source);
      expect(probe.requests).toHaveLength(2);
      expect(probe.requests[0].signal).not.toBe(probe.requests[1].signal);
    });
  });

  describe('law 2: lazy — nothing before subscribe', () => {
    it('sends no request when the Observable is only created', async () => {
      const probe = probeRunnable(['a']);
      const onRequest = jest.fn();
      fromRunnable(probe, 'q');
      fromRunnable(new ScriptedChatModel({ onRequest }), 'q');
      await tick(5);
      expect(probe.requests).toHaveLength(0);
      expect(onRequest).not.toHaveBeenCalled();
    });
  });

  describe('law 3: unicast — each subscriber gets its own complete stream', () => {
    it('gives two concurrent subscribers the full stream each, from separate requests', async () => {
      const probe = probeRunnable(['x', 'y', 'z']);
      const source = fromRunnable(probe, 'q');
      const [a, b] = await Promise.all([lastValueFrom(source.pipe(toArray())), lastValueFrom(source.pipe(toArray()))]);
      expect(a).toEqual(['x', 'y', 'z']);
      expect(b).toEqual(['x', 'y', 'z']);
      expect(probe.requests).toHaveLength(2);
    });
  });

  describe('law 4: teardown aborts the request', () => {
    it('aborts the signal on take(n), and the generator finishes', async () => {
      const probe = probeRunnable(['a', 'b', 'c', 'd']);
      expect(await lastValueFrom(fromRunnable(probe, 'q').pipe(take(2), toArray()))).toEqual(['a', 'b']);
      expect(probe.requests[0].signal?.aborted).toBe(true);
      await tick();
      expect(probe.requests[0].finished).toBe(true);
    });

    it('aborts a stalled stream on unsubscribe, with no next chunk ever arriving', async () => {
      const probe = probeRunnable(['a', 'never'], { stallAfter: 1 });
      const seen: string[] = [];
      const events: string[] = [];
      const sub = fromRunnable(probe, 'q').subscribe({
        next: (v) => seen.push(v),
        error: () => events.push('error'),
        complete: () => events.push('complete'),
      });
      await tick(5);
      expect(seen).toEqual(['a']);
      sub.unsubscribe();
      expect(probe.requests[0].signal?.aborted).toBe(true);
      await tick(5);
      expect(probe.requests[0].finished).toBe(true);
      expect(events).toEqual([]); // cancellation is teardown, not an error
    });

    it('aborts on takeUntil', async () => {
      const probe = probeRunnable(['a', 'b'], { stallAfter: 1 });
      const stop = new Subject<void>();
      const done = lastValueFrom(fromRunnable(probe, 'q').pipe(takeUntil(stop), toArray()));
      await tick(5);
      stop.next();
      expect(await done).toEqual(['a']);
      expect(probe.requests[0].signal?.aborted).toBe(true);
    });

    it('aborts when a downstream operator throws, and reports that error only', async () => {
      const probe = probeRunnable(['a', 'b', 'c'], { stallAfter: 2 });
      const boom = new Error('operator failed');
      const result = lastValueFrom(
        fromRunnable(probe, 'q').pipe(
          map((v) => {
            if (v === 'b') throw boom;
            return v;
          }),
        ),
      );
      await expect(result).rejects.toBe(boom);
      expect(probe.requests[0].signal?.aborted).toBe(true);
    });

    it('swallows an error the stream raises after our own abort', async () => {
      const probe = probeRunnable(['a', 'b'], { stallAfter: 1 });
      const error = jest.fn();
      const sub = fromRunnable(probe, 'q').subscribe({ error });
      await tick(5);
      sub.unsubscribe(); // the stalled generator now rejects with the abort reason
      await tick(5);
      expect(error).not.toHaveBeenCalled();
    });
  });

  describe("the caller's own signal", () => {
    it('errors with StreamAbortedError when the caller aborts, and aborts the request', async () => {
      const probe = probeRunnable(['a', 'b'], { stallAfter: 1 });
      const caller = new AbortController();
      const result = lastValueFrom(fromRunnable(probe, 'q', { signal: caller.signal }));
      await tick(5);
      caller.abort('user left');
      await expect(result).rejects.toBeInstanceOf(StreamAbortedError);
      await expect(result).rejects.toMatchObject({ code: 'STREAM_ABORTED', reason: 'user left' });
      expect(probe.requests[0].signal?.aborted).toBe(true);
    });

    it('errors at once, without a request, when the signal is already aborted', async () => {
      const probe = probeRunnable(['a']);
      const caller = new AbortController();
      caller.abort();
      await expect(lastValueFrom(fromRunnable(probe, 'q', { signal: caller.signal }))).rejects.toBeInstanceOf(StreamAbortedError);
      expect(probe.requests).toHaveLength(0);
    });

    it('removes its listener from the caller signal after completion (no pile-up)', async () => {
      const probe = probeRunnable(['a']);
      const caller = new AbortController();
      const add = jest.spyOn(caller.signal, 'addEventListener');
      const remove = jest.spyOn(caller.signal, 'removeEventListener');
      for (let i = 0; i < 20; i++) await lastValueFrom(fromRunnable(probe, 'q', { signal: caller.signal }));
      expect(add).toHaveBeenCalledTimes(20);
      expect(remove).toHaveBeenCalledTimes(20);
    });
  });

  describe('errors', () => {
    it('passes a provider error through', async () => {
      const failure = Object.assign(new Error('429 Too Many Requests'), { status: 429 });
      const probe = probeRunnable(['a'], { failAfter: 0, failWith: failure });
      await expect(lastValueFrom(fromRunnable(probe, 'q'))).rejects.toBe(failure);
    });

    it('errors (does not throw) when stream() itself rejects', async () => {
      const runnable = { stream: () => Promise.reject(new Error('bad key')) };
      const sub = fromRunnable(runnable, 'q');
      await expect(firstValueFrom(sub)).rejects.toThrow('bad key');
    });

    it('errors (does not throw synchronously at subscribe) when stream() throws synchronously', async () => {
      const runnable = {
        stream: (): never => {
          throw new Error('sync failure');
        },
      };
      await expect(firstValueFrom(fromRunnable(runnable as never, 'q'))).rejects.toThrow('sync failure');
    });

    it.each([
      [null, 'got null'],
      [{}, 'got an object (Object)'],
      ['model', 'got the string "model"'],
    ])('throws a TypeError at call time for runnable %p', (bad, message) => {
      expect(() => fromRunnable(bad as never, 'q')).toThrow(TypeError);
      expect(() => fromRunnable(bad as never, 'q')).toThrow(message);
    });

    it('throws a TypeError at call time for a config that is not an object', () => {
      expect(() => fromRunnable(probeRunnable([]), 'q', 'fast' as never)).toThrow('fromRunnable: config must be an object');
    });
  });

  describe('with LangChain runnables', () => {
    it('streams a chat model as AIMessageChunks whose text is the full reply', async () => {
      const model = new ScriptedChatModel({ reply: 'Python 很好用 🐍' });
      const chunks = await lastValueFrom(fromRunnable(model, 'hi').pipe(toArray()));
      expect(chunks.length).toBeGreaterThan(3);
      expect(chunks.map((c) => c.content).join('')).toBe('Python 很好用 🐍');
    });

    it('streams a prompt → model → parser chain as strings', async () => {
      const prompt = ChatPromptTemplate.fromMessages([['system', '你是{role}'], ['human', '{question}']]);
      const onRequest = jest.fn();
      const chain = prompt.pipe(new ScriptedChatModel({ onRequest })).pipe(new StringOutputParser());
      const text = await lastValueFrom(fromRunnable(chain, { role: '助手', question: '什么是Rust？' }).pipe(collectText()));
      expect(text).toContain('Rust');
      expect(onRequest.mock.calls[0][0][0].content).toBe('你是助手');
    });
  });
});
