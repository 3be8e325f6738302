import { lastValueFrom, toArray } from 'rxjs';
import { AIMessage, HumanMessage, SystemMessage } from '@langchain/core/messages';
import { ScriptedChatModel, REALISTIC_LATENCY } from '../../src/offline/ScriptedChatModel';
import { CANNED_REPLIES, replyTo } from '../../src/offline/cannedReplies';
import { tokenize } from '../../src/offline/tokenize';
import { fromRunnable } from '../../src/sources/fromRunnable';
import { collectMessage } from '../../src/operators/collectMessage';

describe('ScriptedChatModel', () => {
  describe('replies', () => {
    it.each([
      ['讲一个关于Python的笑话', /笑话/],
      ['讲一个关于程序员的故事', /程序员/],
      ['Python的特点是什么？', /特点/],
      ['Python有什么特点？', /特点/],
      ['介绍一下Python', /Java/],
      ['详细介绍Python的历史和发展', /Guido van Rossum/],
      ['什么是Python？', /Python/],
      ['什么是JavaScript？', /JavaScript/],
      ['什么是Rust？', /Rust/],
      ['适合什么场景？', /场景/],
      ['Tell me a joke about Python', /Python/],
    ])('answers the tutorial question %p from the canned set', (question, expected) => {
      const reply = replyTo(question);
      expect(reply).toMatch(expected);
      expect(CANNED_REPLIES.some((c) => c.reply === reply)).toBe(true);
    });

    it('generates a deterministic reply for anything else, in the language of the question', () => {
      expect(replyTo('How do observables work?')).toBe(replyTo('How do observables work?'));
      expect(replyTo('How do observables work?')).toMatch(/^About "How do observables work\?"/);
      expect(replyTo('观察者模式是什么意思')).toMatch(/^关于“观察者模式是什么意思”/);
      expect(replyTo('question one')).not.toBe(replyTo('question two'));
    });

    it('answers the last human message of a conversation', async () => {
      const model = new ScriptedChatModel();
      const reply = await model.invoke([
        new SystemMessage('你是助手'),
        new HumanMessage('讲一个关于Python的笑话'),
        new AIMessage('…'),
        new HumanMessage('什么是Rust？'),
      ]);
      expect(reply.content).toBe(replyTo('什么是Rust？'));
    });
  });

  describe('streaming', () => {
    it('streams the tokenizer tokens, with usage_metadata on the last chunk only', async () => {
      const model = new ScriptedChatModel({ reply: 'Python 是 🐍 语言。' });
      const chunks = await lastValueFrom(fromRunnable(model, 'hi').pipe(toArray()));
      expect(chunks.map((c) => c.content)).toEqual(tokenize('Python 是 🐍 语言。'));
      expect(chunks.slice(0, -1).every((c) => c.usage_metadata === undefined)).toBe(true);
      expect(chunks.at(-1)?.usage_metadata).toMatchObject({ output_tokens: chunks.length, input_tokens: 1 });
      expect(chunks.at(-1)?.response_metadata).toMatchObject({ finish_reason: 'stop', model_name: 'scripted-offline' });
    });

    it('invoke returns the same text as the merged stream, as an AIMessage with usage', async () => {
      const model = new ScriptedChatModel();
      const streamed = await lastValueFrom(fromRunnable(model, '什么是Python？').pipe(collectMessage()));
      const invoked = await model.invoke('什么是Python？');
      expect(invoked).toBeInstanceOf(AIMessage);
      expect(invoked.content).toBe(streamed.content);
      expect(invoked.usage_metadata?.total_tokens).toBe(streamed.usage_metadata?.total_tokens);
    });

    it('streams an empty reply as one empty chunk with usage', async () => {
      const chunks = await lastValueFrom(fromRunnable(new ScriptedChatModel({ reply: '' }), 'hi').pipe(toArray()));
      expect(chunks).toHaveLength(1);
      expect(chunks[0].content).toBe('');
      expect(chunks[0].usage_metadata?.output_tokens).toBe(0);
    });

    it('uses no timer at all when latency is 0', async () => {
      const setTimeoutSpy = jest.spyOn(global, 'setTimeout');
      try {
        const model = new ScriptedChatModel();
        setTimeoutSpy.mockClear();
        const chunks = await lastValueFrom(fromRunnable(model, '详细介绍Python的历史和发展').pipe(toArray()));
        expect(chunks.length).toBeGreaterThan(200);
        expect(setTimeoutSpy).not.toHaveBeenCalled();
      } finally {
        setTimeoutSpy.mockRestore();
      }
    });

    it('paces tokens with firstChunkDelayMs and chunkDelayMs', async () => {
      const model = new ScriptedChatModel({ reply: 'a b c d', firstChunkDelayMs: 40, chunkDelayMs: 15 });
      const stamps: number[] = [];
      const start = performance.now();
      await new Promise<void>((resolve) =>
        fromRunnable(model, 'hi').subscribe({ next: () => stamps.push(performance.now() - start), complete: resolve }),
      );
      expect(stamps).toHaveLength(4);
      // Lower bounds only: load can delay chunks (and a buffered stream can deliver two at once), never hurry them.
      expect(stamps[0]).toBeGreaterThanOrEqual(39); // timers may fire up to 1 ms early
      expect(stamps[3]).toBeGreaterThanOrEqual(39 + 3 * 14);
    });

    it('stops promptly when aborted in the middle of a long delay, clearing its timer', async () => {
      // Fake timers: the 10 s delay can only end if the test advances the clock, which it never does,
      // so a rejection proves the abort ended the wait; no pending timer proves it was cleared.
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
      try {
        const model = new ScriptedChatModel({ reply: 'a b', firstChunkDelayMs: 10_000 });
        const controller = new AbortController();
        const pending = model.invoke('hi', { signal: controller.signal });
        for (let i = 0; i < 20 && jest.getTimerCount() === 0; i++) await new Promise((r) => setImmediate(r));
        expect(jest.getTimerCount()).toBe(1); // waiting on its first-token delay
        controller.abort(new Error('user stopped'));
        await expect(pending).rejects.toThrow();
        expect(jest.getTimerCount()).toBe(0);
      } finally {
        jest.useRealTimers();
      }
    });

    it('has realistic demo latency', () => {
      expect(REALISTIC_LATENCY.firstChunkDelayMs).toBeGreaterThan(0);
      expect(REALISTIC_LATENCY.chunkDelayMs).toBeGreaterThan(0);
    });

    it('calls onRequest with the prompt messages', async () => {
      const onRequest = jest.fn();
      await new ScriptedChatModel({ onRequest }).invoke([new SystemMessage('sys'), new HumanMessage('q')]);
      expect(onRequest).toHaveBeenCalledTimes(1);
      expect(onRequest.mock.calls[0][0].map((m: { content: string }) => m.content)).toEqual(['sys', 'q']);
    });

    it('fires LangChain callbacks for each token', async () => {
      const tokens: string[] = [];
      await new ScriptedChatModel({ reply: 'x y z' }).invoke('q', {
        callbacks: [{ handleLLMNewToken: (t: string) => void tokens.push(t) }],
      });
      expect(tokens.join('')).toBe('x y z');
    });
  });

  describe('bad input', () => {
    it.each([
      [{ chunkDelayMs: -1 }, 'ScriptedChatModel: chunkDelayMs must be a number >= 0, got the number -1.'],
      [{ firstChunkDelayMs: 'fast' }, 'ScriptedChatModel: firstChunkDelayMs must be a number >= 0, got the string "fast".'],
      [{ reply: 42 }, 'ScriptedChatModel: reply must be a function, got the number 42.'],
      [{ onRequest: 'log' }, 'ScriptedChatModel: onRequest must be a function, got the string "log".'],
    ])('rejects %p with a message that says what to fix', (params, message) => {
      expect(() => new ScriptedChatModel(params as never)).toThrow(message);
    });
  });
});
