// Observable-native runnables (decision 0330): a runnable of the user's own (not the marble model)
// that produces its stream as an Observable goes through fromRunnable under the four laws of a
// source, and declining falls back to stream(). Marble diagrams in virtual time: an Observable path
// has no promise in it, so it runs inside TestScheduler.run.
import { from, lastValueFrom, map, Observable, of, take, toArray } from 'rxjs';
import { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessageChunk, type BaseMessage } from '@langchain/core/messages';
import { ChatGenerationChunk, type ChatResult } from '@langchain/core/outputs';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { RunnableLambda, type RunnableConfig } from '@langchain/core/runnables';
import { createChatHandler, fromRunnable, observeSequence, observeStream, StreamAbortedError, textContent } from '../../src/index';
import type { ObservableRunnable, SequenceObserver } from '../../src/index';
import { createScheduler } from '../support/marbles';
import { newChatId, readAll, textOf, transport, user } from '../support/chatHandler';
import { useCleanup } from '../support/cleanup';

const cleanup = useCleanup();

type Reply = (input: unknown) => Observable<AIMessageChunk> | undefined;

/** What the runnable was asked: the input and the config `fromRunnable` gave it. */
interface Observation {
  input: unknown;
  config: Partial<RunnableConfig>;
}

/** A user's RxJS-native chat model: its reply is an Observable; `stream()` is LangChain's real path. */
class RxModel extends BaseChatModel implements ObservableRunnable<unknown, AIMessageChunk> {
  readonly observations: Observation[] = [];
  streamed = 0;

  constructor(private readonly reply: Reply) {
    super({});
  }

  _llmType(): string {
    return 'rx';
  }

  [observeStream](input: unknown, config: Partial<RunnableConfig>): Observable<AIMessageChunk> | undefined {
    this.observations.push({ input, config });
    return this.reply(input);
  }

  override async *_streamResponseChunks(): AsyncGenerator<ChatGenerationChunk> {
    this.streamed++;
    yield new ChatGenerationChunk({ text: '流式', message: new AIMessageChunk('流式') });
  }

  override async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    void messages;
    throw new Error('not used');
  }
}

const v = { a: new AIMessageChunk('你好'), b: new AIMessageChunk('，世界 🌏') };

describe('observeStream: an Observable-native runnable through fromRunnable', () => {
  it("streams what [observeStream] returns and never calls stream()", () => {
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const reply    = cold('-a-b|', v);
      const subs     =      '^---!';
      const expected =      '-a-b|';
      const model = new RxModel(() => reply);
      expectObservable(fromRunnable(model, '你好')).toBe(expected, v);
      expectSubscriptions(reply.subscriptions).toBe(subs);
      expect(model.streamed).toBe(0);
    });
  });

  it('law 1, cold: each subscription asks the runnable once, with its own signal', () => {
    let reply: Observable<AIMessageChunk> | undefined;
    const model = new RxModel(() => reply);
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const chunks = cold('-a-b|', v);
      const sub1 =        '^---!';
      const sub2 =        '--^---!';
      const expected =    '-a-b|';
      const expected2 =   '---a-b|';
      const unsub =       '--^';
      reply = chunks;
      const source = fromRunnable(model, '你好');
      expectObservable(source).toBe(expected, v);
      expectObservable(source, unsub).toBe(expected2, v);
      expectSubscriptions(chunks.subscriptions).toBe([sub1, sub2]);
    });
    expect(model.observations.map((o) => o.input)).toEqual(['你好', '你好']);
    expect(model.observations[0].config.signal).not.toBe(model.observations[1].config.signal);
  });

  it('law 2, lazy: creating the Observable asks nothing', () => {
    const model = new RxModel(() => of(v.a));
    fromRunnable(model, '你好');
    expect(model.observations).toEqual([]);
    expect(model.streamed).toBe(0);
  });

  it('law 3, unicast: a late subscriber gets the whole stream of its own', () => {
    createScheduler().run(({ cold, expectObservable }) => {
      const e1 =   cold('-a-b|', v);
      const model = new RxModel(() => e1);
      const source = fromRunnable(model, '你好');
      const early =     '^';
      const late =      '---^';
      const expected =  '-a-b|';
      const expected2 = '----a-b|';
      expectObservable(source.pipe(textContent()), early).toBe(expected, { a: '你好', b: '，世界 🌏' });
      expectObservable(source.pipe(textContent()), late).toBe(expected2, { a: '你好', b: '，世界 🌏' });
    });
  });

  it('law 4: unsubscribing unsubscribes the runnable and aborts its signal, not an error', () => {
    let reply: Observable<AIMessageChunk> | undefined;
    const model = new RxModel(() => reply);
    const openAtFrame1: Array<boolean | undefined> = [];
    const scheduler = createScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const chunks   = cold('-a-b-|', v);
      const unsub    =      '--!';
      const expected =      '-a-';
      const subs     =      '^-!';
      reply = chunks;
      scheduler.schedule(() => openAtFrame1.push(model.observations[0].config.signal?.aborted), 1);
      expectObservable(fromRunnable(model, '你好'), unsub).toBe(expected, v);
      expectSubscriptions(chunks.subscriptions).toBe(subs);
    });
    expect(openAtFrame1).toEqual([false]);
    expect(model.observations[0].config.signal?.aborted).toBe(true);
  });

  it('law 4: take(n) and a downstream error unsubscribe the runnable and abort its signal', () => {
    let reply: Observable<AIMessageChunk> | undefined;
    const model = new RxModel(() => reply);
    const abortedWhenThrown: Array<boolean | undefined> = [];
    const boom = new Error('下游出错');
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const chunks   = cold('-a-b-|', v);
      const taken    =      '-(a|)';
      const failed   =      '-#';
      const subs     =      '^!';
      reply = chunks;
      expectObservable(fromRunnable(model, 'q').pipe(take(1))).toBe(taken, v);
      const throwing = fromRunnable(model, 'q').pipe(
        map(() => {
          abortedWhenThrown.push(model.observations[1].config.signal?.aborted);
          throw boom;
        }),
      );
      expectObservable(throwing).toBe(failed, undefined, boom);
      expectSubscriptions(chunks.subscriptions).toBe([subs, subs]);
    });
    expect(abortedWhenThrown).toEqual([false]);
    expect(model.observations.map((o) => o.config.signal?.aborted)).toEqual([true, true]);
  });

  it("the caller's own signal: an abort errors with StreamAbortedError at its frame and aborts the runnable's signal", () => {
    const caller = new AbortController();
    let reply: Observable<AIMessageChunk> | undefined;
    const model = new RxModel(() => reply);
    const scheduler = createScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const chunks   = cold('-a-b-|', v);
      const expected =      '-a#';
      const subs     =      '^-!';
      reply = chunks;
      scheduler.schedule(() => caller.abort('用户取消'), 2);
      expectObservable(fromRunnable(model, '你好', { signal: caller.signal })).toBe(expected, v, new StreamAbortedError('用户取消'));
      expectSubscriptions(chunks.subscriptions).toBe(subs);
    });
    const signal = model.observations[0].config.signal!;
    expect(signal).not.toBe(caller.signal);
    expect([signal.aborted, signal.reason]).toEqual([true, '用户取消']);
  });

  it("an already aborted caller's signal errors at once, without asking the runnable", () => {
    const caller = new AbortController();
    caller.abort('早就取消了');
    const model = new RxModel(() => of(v.a));
    createScheduler().run(({ expectObservable }) => {
      const expected = '#';
      expectObservable(fromRunnable(model, '你好', { signal: caller.signal })).toBe(expected, undefined, new StreamAbortedError('早就取消了'));
    });
    expect(model.observations).toEqual([]);
  });

  it('stops an infinite synchronous Observable at once (synchronous unsubscription): take(3) pulls 3', () => {
    let pulled = 0;
    function* forever(): Generator<AIMessageChunk> {
      for (;;) yield new AIMessageChunk(`第${++pulled}块 `);
    }
    const model = new RxModel(() => from(forever()));
    const seen: string[] = [];
    fromRunnable(model, '重放').pipe(textContent(), take(3)).subscribe((text) => seen.push(text));
    expect(seen).toEqual(['第1块 ', '第2块 ', '第3块 ']);
    expect([pulled, model.observations[0].config.signal?.aborted]).toEqual([3, true]);
  });

  it("gives the runnable the caller's config with the subscription's own signal", async () => {
    const model = new RxModel(() => of(v.a));
    const caller = new AbortController();
    await lastValueFrom(fromRunnable(model, '你好', { tags: ['测试'], metadata: { user: 'u1' }, signal: caller.signal }));
    const { config } = model.observations[0];
    expect(config).toEqual(expect.objectContaining({ tags: ['测试'], metadata: { user: 'u1' } }));
    expect(config.signal).toBeInstanceOf(AbortSignal);
    expect(config.signal).not.toBe(caller.signal);
    expect(config.signal!.aborted).toBe(true); // completed: the subscription is over
  });

  it('declining (undefined) falls back to stream(), per subscription', async () => {
    let decline = true;
    const model = new RxModel(() => (decline ? undefined : of(v.a, v.b)));
    const source = fromRunnable(model, '你好').pipe(textContent(), toArray());
    expect(await lastValueFrom(source)).toEqual(['流式']);
    decline = false;
    expect(await lastValueFrom(source)).toEqual(['你好', '，世界 🌏']);
    expect([model.observations.length, model.streamed]).toEqual([2, 1]);
  });

  it('behind createChatHandler({ model }): the reply is the Observable, and stream() is never called', async () => {
    const done = new AIMessageChunk({ content: '', response_metadata: { finish_reason: 'stop' } });
    const model = new RxModel(() => of(v.a, v.b, done));
    const handler = createChatHandler({ model });
    cleanup(() => handler.close());
    const t = transport('http://localhost/api/chat', (input, init) => handler.fetch(new Request(input, init)));
    const chatId = newChatId();
    const { message } = await readAll(await t.sendMessages({ chatId, messages: [user('你好')], trigger: 'submit-message', messageId: undefined, abortSignal: undefined }));
    expect(textOf(message)).toBe('你好，世界 🌏');
    expect([model.observations.length, model.streamed]).toEqual([1, 0]);
    expect((model.observations[0].input as BaseMessage[]).map((m) => m.text)).toEqual(['你好']);
  });

  it('errors (does not throw) when [observeStream] throws, or returns something that is not an Observable', () => {
    const broken = new Error('坏了');
    createScheduler().run(({ expectObservable }) => {
      const throwing = new RxModel(() => {
        throw broken;
      });
      const expected = '#';
      expectObservable(fromRunnable(throwing, 'q')).toBe(expected, undefined, broken);
    });
    const promised = new RxModel(() => Promise.resolve(v.a) as never);
    let error: unknown;
    fromRunnable(promised, 'q').subscribe({ error: (e: unknown) => (error = e) });
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/fromRunnable: runnable\[observeStream\]\(\) must return an Observable or undefined \(to decline\), got/);
  });
});

/** A user's step that observes the chain it ends: `prompt.pipe(tail)`. */
class RxTail extends RunnableLambda<unknown, string> implements SequenceObserver {
  readonly asked: Array<{ steps: readonly unknown[]; index: number; input: unknown; config: Partial<RunnableConfig> }> = [];

  constructor(private readonly reply: (input: unknown) => Observable<string> | undefined) {
    super({ func: (prompt: unknown) => `链:${String((prompt as { toString(): string }).toString())}` });
  }

  [observeSequence](steps: readonly unknown[], index: number, input: unknown, config: Partial<RunnableConfig>): Observable<unknown> | undefined {
    this.asked.push({ steps, index, input, config });
    return this.reply(input);
  }
}

const prompt = ChatPromptTemplate.fromMessages([['human', '介绍一下{lang}']]);

describe('observeSequence: a step that observes the chain it is part of', () => {
  it('is asked for the whole sequence with its steps, its index and the chain input', () => {
    let reply: Observable<string> | undefined;
    const tail = new RxTail(() => reply);
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const chunks   = cold('-a-b|', { a: 'Python ', b: '简单 🐍' });
      const subs     =      '^---!';
      const expected =      '-a-b|';
      reply = chunks;
      expectObservable(fromRunnable(prompt.pipe(tail), { lang: 'Python' })).toBe(expected, { a: 'Python ', b: '简单 🐍' });
      expectSubscriptions(chunks.subscriptions).toBe(subs);
    });
    const [{ steps, index, input }] = tail.asked;
    expect(steps).toHaveLength(2);
    expect([steps[0], steps[1], index, input]).toEqual([prompt, tail, 1, { lang: 'Python' }]);
  });

  it('obeys the laws: lazy, one observation per subscription, teardown unsubscribes and aborts', () => {
    let reply: Observable<string> | undefined;
    const tail = new RxTail(() => reply);
    const source = fromRunnable(prompt.pipe(tail), { lang: 'Go' });
    expect(tail.asked).toEqual([]);
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const chunks = cold('-a-b-c|');
      const unsub1 =      '---!';
      const unsub2 =      '^-----!';
      const subs =       ['^--!', '^-----!'];
      const expected =    '-a-';
      const expected2 =   '-a-b-c';
      reply = chunks;
      expectObservable(source, unsub1).toBe(expected);
      expectObservable(source, unsub2).toBe(expected2);
      expectSubscriptions(chunks.subscriptions).toBe(subs);
    });
    expect(tail.asked.map((a) => a.config.signal?.aborted)).toEqual([true, true]);
    expect(tail.asked[0].config.signal).not.toBe(tail.asked[1].config.signal);
  });

  it("an abort of the caller's signal errors with StreamAbortedError", () => {
    const caller = new AbortController();
    const scheduler = createScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const reply    = cold('-a-b-|');
      const expected =      '-a-#';
      const subs     =      '^--!';
      scheduler.schedule(() => caller.abort('停'), 3);
      expectObservable(fromRunnable(prompt.pipe(new RxTail(() => reply)), { lang: 'Go' }, { signal: caller.signal })).toBe(
        expected,
        undefined,
        new StreamAbortedError('停'),
      );
      expectSubscriptions(reply.subscriptions).toBe(subs);
    });
  });

  it("declining falls back to the sequence's stream(): the prompt and the step run for real", async () => {
    const tail = new RxTail(() => undefined);
    const chunks = await lastValueFrom(fromRunnable(prompt.pipe(tail), { lang: 'Rust' }).pipe(toArray()));
    expect(chunks).toEqual(['链:Human: 介绍一下Rust']);
    expect(tail.asked).toHaveLength(1);
  });

  it('asks the last step that observes, once', () => {
    const first = new RxTail(() => of('前'));
    const last = new RxTail(() => of('后'));
    createScheduler().run(({ expectObservable }) => {
      const expected = '(a|)';
      expectObservable(fromRunnable(prompt.pipe(first).pipe(last), { lang: 'Go' })).toBe(expected, { a: '后' });
    });
    expect([first.asked.length, last.asked.length, last.asked[0].index]).toEqual([0, 1, 2]);
  });
});
