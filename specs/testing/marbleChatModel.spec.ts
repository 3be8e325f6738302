import { lastValueFrom, mergeMap, retry, take, timeout, toArray } from 'rxjs';
import { AIMessageChunk, HumanMessage, AIMessage, SystemMessage } from '@langchain/core/messages';
import { ChatPromptTemplate, MessagesPlaceholder, PromptTemplate } from '@langchain/core/prompts';
import { StringOutputParser } from '@langchain/core/output_parsers';
import { RunnableLambda } from '@langchain/core/runnables';
import { StreamAbortedError } from '../../src/errors';
import { fromRunnable } from '../../src';
import { collectMessage, collectText, textContent } from '../../src';
import { chunk, chunks, marbleChatModel, providerError } from '../../src/testing';
import { createScheduler } from '../support/marbles';

const HELLO = { a: 'Hel', b: 'lo', c: '!' };

describe('marbleChatModel through fromRunnable (virtual time)', () => {
  it('emits the chunks of the diagram at their frames and logs the subscription like a cold observable', () => {
    createScheduler().run(({ expectObservable, expectSubscriptions }) => {
      const model = marbleChatModel('--a-b--c|', HELLO);
      const expected =              '--a-b--c|';
      const modelSubs =             '^-------!';
      expectObservable(fromRunnable(model, 'hi')).toBe(expected, {
        a: new AIMessageChunk('Hel'),
        b: new AIMessageChunk('lo'),
        c: new AIMessageChunk('!'),
      });
      expectSubscriptions(model.subscriptions).toBe(modelSubs);
    });
  });

  it('keeps chunk values as given (identity), e.g. with usage on the last one', () => {
    const values = chunks({ a: '你好', b: '😀' }, { usage: { input_tokens: 2, output_tokens: 3 } });
    createScheduler().run(({ expectObservable, expectSubscriptions }) => {
      const model = marbleChatModel('-a-b|', values);
      const expected =              '----(m|)';
      const modelSubs =             '^---!';
      expectObservable(fromRunnable(model, 'hi').pipe(collectMessage())).toBe(expected, {
        m: expect.objectContaining({
          content: '你好😀',
          usage_metadata: expect.objectContaining({ input_tokens: 2, output_tokens: 3, total_tokens: 5 }),
        }),
      });
      expectSubscriptions(model.subscriptions).toBe(modelSubs);
    });
  });

  it('an unsubscribe from downstream (take) is logged at the frame it happens: the abort reached the model', () => {
    createScheduler().run(({ expectObservable, expectSubscriptions }) => {
      const model = marbleChatModel('--a-b--c|', HELLO);
      const expected =              '--a-(b|)';
      const modelSubs =             '^---!';
      expectObservable(fromRunnable(model, 'hi').pipe(textContent(), take(2))).toBe(expected, { a: 'Hel', b: 'lo' });
      expectSubscriptions(model.subscriptions).toBe(modelSubs);
    });
  });

  it('is cold: each subscription is a new call with its own log', () => {
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const model = marbleChatModel('-a|', { a: '嗨' });
      const e1 =               cold('a--b|');
      const expected =              '-a--b|';
      const modelSubs =            ['^-!', '---^-!'];
      const source = fromRunnable(model, 'hi');
      const twice = e1.pipe(mergeMap(() => source.pipe(textContent())));
      expectObservable(twice).toBe(expected, { a: '嗨', b: '嗨' });
      expectSubscriptions(model.subscriptions).toBe(modelSubs);
    });
  });

  it('# errors with the given provider error', () => {
    const rateLimited = providerError(429, { retryAfterMs: 2000 });
    createScheduler().run(({ expectObservable, expectSubscriptions }) => {
      const model = marbleChatModel('--a-#', HELLO, { error: rateLimited });
      const expected =              '--a-#';
      const modelSubs =             '^---!';
      expectObservable(fromRunnable(model, 'hi').pipe(textContent())).toBe(expected, { a: 'Hel' }, rateLimited);
      expectSubscriptions(model.subscriptions).toBe(modelSubs);
    });
  });

  it('# defaults to a 500 provider error', () => {
    createScheduler().run(({ expectObservable, expectSubscriptions }) => {
      const model = marbleChatModel('-#', {});
      const expected =              '-#';
      const modelSubs =             '^!';
      expectObservable(fromRunnable(model, 'hi')).toBe(expected, undefined, providerError(500));
      expectSubscriptions(model.subscriptions).toBe(modelSubs);
    });
  });

  it('a diagram without | stalls; an rxjs timeout aborts it at the right frame', () => {
    createScheduler().run(({ expectObservable, expectSubscriptions }) => {
      const model = marbleChatModel('-a-b-', { a: 'Hel', b: 'lo' });
      const expected =              '-a-b----#';
      const modelSubs =             '^-------!';
      const text$ = fromRunnable(model, 'hi').pipe(textContent(), timeout({ each: 5 }));
      expectObservable(text$).toBe(expected, { a: 'Hel', b: 'lo' }, expect.objectContaining({ name: 'TimeoutError' }));
      expectSubscriptions(model.subscriptions).toBe(modelSubs);
    });
  });

  it('an array gives one diagram per call: a 429 then a success, with rxjs retry', () => {
    const rateLimited = providerError(429, { retryAfterMs: 1000 });
    createScheduler().run(({ expectObservable, expectSubscriptions }) => {
      const model = marbleChatModel(['--#', { diagram: '-a-b|', values: { a: '重', b: '试' } }], {}, { error: rateLimited });
      const expected =   '---a-b|';
      const modelSubs = ['^-!', '--^---!'];
      expectObservable(fromRunnable(model, 'hi').pipe(retry(1), textContent())).toBe(expected, { a: '重', b: '试' });
      expectSubscriptions(model.subscriptions).toBe(modelSubs);
    });
  });

  it('a call beyond the array errors with a RangeError that says what to add', () => {
    createScheduler().run(({ expectObservable, expectSubscriptions }) => {
      const model = marbleChatModel(['-#'], {});
      const source = fromRunnable(model, 'hi').pipe(retry(1));
      const expected =   '-#';
      const modelSubs = ['^!', '-(^!)'];
      expectObservable(source).toBe(
        expected,
        undefined,
        new RangeError('marbleChatModel: this is call 2 but only 1 diagram(s) were given; add one per expected call.'),
      );
      expectSubscriptions(model.subscriptions).toBe(modelSubs);
    });
  });

  it('time progression works as in cold()', () => {
    createScheduler().run(({ expectObservable, expectSubscriptions }) => {
      const model = marbleChatModel('a 10ms b|', { a: 'x', b: 'y' });
      const expected =              'a 10ms b|';
      const modelSubs =             '^ 11ms !';
      expectObservable(fromRunnable(model, 'hi').pipe(textContent())).toBe(expected, { a: 'x', b: 'y' });
      expectSubscriptions(model.subscriptions).toBe(modelSubs);
    });
  });

  it('an abort of the caller’s config.signal errors with StreamAbortedError', () => {
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const controller = new AbortController();
      const model = marbleChatModel('-a-b-c|', { a: '1', b: '2', c: '3' });
      const e1 =               cold('---x');
      const expected =              '-a-#';
      const modelSubs =             '^--!';
      e1.subscribe(() => controller.abort('user'));
      expectObservable(fromRunnable(model, 'hi', { signal: controller.signal }).pipe(textContent())).toBe(
        expected,
        { a: '1' },
        new StreamAbortedError('user'),
      );
      expectSubscriptions(model.subscriptions).toBe(modelSubs);
    });
  });
});

describe('replies chosen by prompt, and the recorded calls', () => {
  it('an object picks the diagram by the last human message, * for any other', () => {
    createScheduler().run(({ expectObservable, expectSubscriptions }) => {
      const model = marbleChatModel({ 你好: '-a|', '*': '--b|' }, { a: '你好！', b: '嗯？' });
      const expected =   '-a|';
      const expected2 =  '--b|';
      const modelSubs = ['^-!', '^--!'];
      expectObservable(fromRunnable(model, '你好').pipe(textContent())).toBe(expected, { a: '你好！' });
      expectObservable(fromRunnable(model, [new HumanMessage('再见')]).pipe(textContent())).toBe(expected2, { b: '嗯？' });
      expectSubscriptions(model.subscriptions).toBe(modelSubs);
    });
    const model = marbleChatModel({ hi: '-a|' }, {});
    return expect(model.invoke('bye')).rejects.toThrow(
      `marbleChatModel: no diagram for the prompt "bye"; known prompts: "hi" (add a '*' entry for any other prompt).`,
    );
  });

  it('a function gets the prompt and the call index; calls and transcript record the prompts', () => {
    const model = marbleChatModel((messages, call) => ({ diagram: '-a|', values: { a: `${call}:${messages.length}` } }));
    createScheduler().run(({ expectObservable, expectSubscriptions }) => {
      const expected =  '-a|';
      const modelSubs = '^-!';
      expectObservable(fromRunnable(model, [new SystemMessage('sys'), new HumanMessage('q')]).pipe(textContent())).toBe(expected, {
        a: '0:2',
      });
      expectSubscriptions(model.subscriptions).toBe(modelSubs);
    });
    expect(model.transcript()).toEqual([
      ['system', 'sys'],
      ['human', 'q'],
    ]);
    expect(model.calls).toHaveLength(1);
  });
});

describe('chains in virtual time', () => {
  it('formats a ChatPromptTemplate synchronously (history placeholder included) and records the prompt', () => {
    const prompt = ChatPromptTemplate.fromMessages([
      ['system', '你是{role}'],
      new MessagesPlaceholder('history'),
      ['human', '{question}'],
    ]);
    createScheduler().run(({ expectObservable, expectSubscriptions }) => {
      const model = marbleChatModel('--a-b|', { a: '从前', b: '…' });
      const expected =              '--a-b|';
      const modelSubs =             '^----!';
      const input = { role: '故事讲述者', history: [new HumanMessage('嗨'), new AIMessage('你好 👋')], question: '讲个故事' };
      expectObservable(fromRunnable(prompt.pipe(model), input).pipe(textContent())).toBe(expected, { a: '从前', b: '…' });
      expectSubscriptions(model.subscriptions).toBe(modelSubs);
    });
  });

  it('the prompt the model received is exactly what LangChain formats', async () => {
    const prompt = ChatPromptTemplate.fromMessages([
      ['system', '你是{role}'],
      new MessagesPlaceholder('history'),
      ['human', '{question}'],
    ]);
    const input = { role: '故事讲述者', history: [new HumanMessage('嗨'), new AIMessage('你好 👋')], question: '讲个故事' };
    const model = marbleChatModel('-a|', { a: 'x' });
    createScheduler().run(({ expectObservable, expectSubscriptions }) => {
      const expected =  '-a|';
      const modelSubs = '^-!';
      expectObservable(fromRunnable(prompt.pipe(model), input).pipe(textContent())).toBe(expected, { a: 'x' });
      expectSubscriptions(model.subscriptions).toBe(modelSubs);
    });
    expect(model.calls[0]).toEqual(await prompt.formatMessages(input));
    expect(model.transcript(0)).toEqual([
      ['system', '你是故事讲述者'],
      ['human', '嗨'],
      ['ai', '你好 👋'],
      ['human', '讲个故事'],
    ]);
  });

  it('prompt | model | StringOutputParser emits strings per chunk', () => {
    const model = marbleChatModel('-a-b|', { a: 'Py', b: 'thon' });
    createScheduler().run(({ expectObservable, expectSubscriptions }) => {
      const chain = PromptTemplate.fromTemplate('介绍一下{lang}').pipe(model).pipe(new StringOutputParser());
      const expected =  '-a-b|';
      const modelSubs = '^---!';
      expectObservable(fromRunnable(chain, { lang: 'Python' })).toBe(expected, { a: 'Py', b: 'thon' });
      expectSubscriptions(model.subscriptions).toBe(modelSubs);
    });
    expect(model.transcript()).toEqual([['human', '介绍一下Python']]);
  });

  it('a missing template variable errors like LangChain, before the model is called', () => {
    createScheduler().run(({ expectObservable, expectSubscriptions }) => {
      const model = marbleChatModel('-a|', { a: 'x' });
      const expected =              '#';
      const chain = ChatPromptTemplate.fromMessages([['human', '{question}']]).pipe(model);
      expectObservable(fromRunnable(chain, {} as never)).toBe(expected, undefined, new Error('Missing value for input variable `question`'));
      expectSubscriptions(model.subscriptions).toBe([]);
    });
  });

  it('a step that cannot run synchronously errors with a TypeError inside run()', () => {
    createScheduler().run(({ expectObservable, expectSubscriptions }) => {
      const model = marbleChatModel('-a|', { a: 'x' });
      const expected =              '#';
      const chain = RunnableLambda.from((q: string) => q.toUpperCase()).pipe(model);
      expectObservable(fromRunnable(chain, 'hi')).toBe(
        expected,
        undefined,
        expect.objectContaining({ name: 'TypeError', message: expect.stringContaining('cannot run in virtual time because RunnableLambda') }),
      );
      expectSubscriptions(model.subscriptions).toBe([]);
    });
  });

  it('outside run() the same chain falls back to stream() and works with real timers', async () => {
    const model = marbleChatModel('-a-b|', { a: 'x', b: 'y' });
    const chain = RunnableLambda.from((q: string) => q.toUpperCase()).pipe(model);
    expect(await lastValueFrom(fromRunnable(chain, 'hi').pipe(collectText()))).toBe('xy');
    expect(model.transcript()).toEqual([['human', 'HI']]);
    // The stream() path logs each call too, in the scheduler's time (epoch ms on asyncScheduler).
    expect(model.subscriptions).toHaveLength(1);
    expect(model.subscriptions[0].unsubscribedFrame - model.subscriptions[0].subscribedFrame).toBeGreaterThanOrEqual(2);
  });
});

describe('outside TestScheduler (real timers, 1 ms per frame)', () => {
  it('works with invoke, stream and fromRunnable', async () => {
    const values = chunks({ a: 'Hel', b: 'lo' }, { usage: { input_tokens: 1, output_tokens: 2 } });
    const model = marbleChatModel('-a-b|', values);
    const reply = await model.invoke('hi');
    expect(reply.content).toBe('Hello');
    expect(reply.usage_metadata).toMatchObject({ input_tokens: 1, output_tokens: 2, total_tokens: 3 });
    const streamed: string[] = [];
    for await (const c of await model.stream('hi')) streamed.push(c.content as string);
    expect(streamed).toEqual(['Hel', 'lo']);
    expect(await lastValueFrom(fromRunnable(model, 'hi').pipe(collectText()))).toBe('Hello');
    expect(model.calls).toHaveLength(3);
  });

  it('invoke of a prompt chain and a # rejects with the provider error', async () => {
    const model = marbleChatModel(['-a|', '-#'], { a: '好' }, { error: providerError(429, { retryAfterMs: 10 }) });
    const chain = ChatPromptTemplate.fromMessages([['human', '{q}']]).pipe(model);
    expect((await chain.invoke({ q: '你好' })).content).toBe('好');
    await expect(chain.invoke({ q: '你好' })).rejects.toMatchObject({ status: 429, name: 'RateLimitError' });
  });

  it('a stall in stream() ends promptly when the signal aborts', async () => {
    const model = marbleChatModel('a-', { a: 'x' });
    const controller = new AbortController();
    const stream = await model.stream('hi', { signal: controller.signal });
    const got: string[] = [];
    const done = (async () => {
      for await (const c of stream) {
        got.push(c.content as string);
        controller.abort();
      }
    })();
    await expect(done).rejects.toBeDefined();
    expect(got).toEqual(['x']);
  });

  it('fromRunnable unsubscribe stops a stalled stream (real time)', async () => {
    const model = marbleChatModel('a-', { a: 'x' });
    const got = await lastValueFrom(fromRunnable(model, 'hi').pipe(take(1), toArray()));
    expect(got.map((c) => c.content)).toEqual(['x']);
    expect(model.subscriptions[0].unsubscribedFrame).not.toBe(Infinity);
  });
});

describe('bad input', () => {
  it('throws TypeErrors at creation for bad diagrams and replies', () => {
    expect(() => marbleChatModel('^-a|', {})).toThrow(
      new TypeError(`marbleChatModel: "^-a|" has '^', but the model's stream is cold: it starts when subscribed. Remove the '^'.`),
    );
    expect(() => marbleChatModel(42 as never)).toThrow(TypeError);
    expect(() => marbleChatModel([], {})).toThrow('marbleChatModel: the array of diagrams is empty; give one diagram per call.');
    expect(() => marbleChatModel('-a|', { a: 5 as never })).toThrow(
      new TypeError('marbleChatModel: value 5 must be a string or an AIMessageChunk, got the number 5.'),
    );
    expect(() => marbleChatModel('-a|', {}, { scheduler: {} as never })).toThrow(TypeError);
  });

  it('a chunk built with chunk() passes through', () => {
    createScheduler().run(({ expectObservable, expectSubscriptions }) => {
      const a = chunk('🇨🇳');
      const model = marbleChatModel('a|', { a });
      const expected =              'a|';
      const modelSubs =             '^!';
      expectObservable(fromRunnable(model, 'hi')).toBe(expected, { a });
      expectSubscriptions(model.subscriptions).toBe(modelSubs);
    });
  });
});
