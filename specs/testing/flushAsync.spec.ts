import { VirtualTimeScheduler } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { createAgent } from 'langchain';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { RunnableLambda } from '@langchain/core/runnables';
import { abortOn, fromAgent, fromRunnable, streamTimeout, textContent, toParts } from '../../src';
import { flushAsync } from '../../src/testing/flushAsync';
import { marbleChatModel } from '../../src/testing/marbleChatModel';
import { chunk, toolCallChunk } from '../../src/testing/marbleChunks';
import { createOfflineTools } from '../../src/offline/agentTools';

const done = { response_metadata: { finish_reason: 'stop' } };

/** Subscribes and records `[frame, value]` pairs, `'|'` on completion and the error's name. */
function record<T>(scheduler: VirtualTimeScheduler, source: import('rxjs').Observable<T>, show: (v: T) => string | undefined = String) {
  const log: Array<[number, string]> = [];
  const subscription = source.subscribe({
    next: (v) => {
      const s = show(v);
      if (s !== undefined) log.push([scheduler.now(), s]);
    },
    error: (e: Error) => log.push([scheduler.now(), `#${e.name}`]),
    complete: () => log.push([scheduler.now(), '|']),
  });
  return { log, subscription };
}

describe('flushAsync: the real stream() path in virtual time (decision 0310)', () => {
  it('a prompt chain with a RunnableLambda streams at the diagram frames and abortOn aborts the model at its frame', async () => {
    const scheduler = new VirtualTimeScheduler();
    const model = marbleChatModel('-a-b-c-d|', { a: 'Python 比 ', b: 'Ja', c: 'va 简单 🐍', d: '。' }, { scheduler });
    const prompt = ChatPromptTemplate.fromMessages([['human', '介绍一下{lang}']]);
    // A step the TestScheduler.run path could never run: it resolves a promise.
    const chain = RunnableLambda.from(async (v: { lang: string }) => ({ lang: v.lang.trim() })).pipe(prompt).pipe(model);
    const { log } = record(scheduler, fromRunnable(chain, { lang: ' Python ' }).pipe(textContent(), abortOn(['Java'], { mode: 'complete' })));
    await flushAsync(scheduler);
    expect(log).toEqual([[1, 'Python 比 '], [5, '|']]);
    expect(model.subscriptions).toEqual([{ subscribedFrame: 0, unsubscribedFrame: 5 }]);
    expect(model.transcript()).toEqual([['human', '介绍一下Python']]);
  });

  it('streamTimeout on the same scheduler fires at its frame and aborts the model', async () => {
    const scheduler = new VirtualTimeScheduler();
    const model = marbleChatModel('-a 48ms b|', { a: '你', b: '好' }, { scheduler });
    const { log } = record(scheduler, fromRunnable(model, 'hi').pipe(streamTimeout({ idleMs: 10, scheduler }), textContent()));
    await flushAsync(scheduler);
    expect(log).toEqual([[1, '你'], [11, '#StreamTimeoutError']]);
    expect(model.subscriptions).toEqual([{ subscribedFrame: 0, unsubscribedFrame: 11 }]);
  });

  it('a createAgent agent with a tool step runs through fromAgent in virtual time', async () => {
    const scheduler = new VirtualTimeScheduler();
    const model = marbleChatModel(
      ['-a-f|', '--x-y|'],
      {
        a: toolCallChunk({ name: 'add', id: 'call_1', args: '{"a":2008,"b":16}' }),
        f: chunk('', { response_metadata: { finish_reason: 'tool_calls' } }),
        x: '答案是 ',
        y: chunk('2024 🎉', done),
      },
      { scheduler },
    );
    const agent = createAgent({ model, tools: createOfflineTools() });
    const parts = fromAgent(agent, { messages: [{ role: 'user', content: '2008+16?' }] });
    const { log } = record(scheduler, parts, (p) => (p.type === 'text' ? p.text : p.type === 'tool-result' ? `result ${String(p.content)}` : undefined));
    await flushAsync(scheduler);
    // Call 1 ends at frame 4; the tool runs in promises at frame 4; call 2 starts there: its chunks at 4+2 and 4+4.
    expect(log).toEqual([[4, 'result 2024'], [6, '答案是 '], [8, '2024 🎉'], [9, '|']]);
    expect(model.subscriptions).toEqual([
      { subscribedFrame: 0, unsubscribedFrame: 4 },
      { subscribedFrame: 4, unsubscribedFrame: 9 },
    ]);
  });

  it('unsubscribing aborts the model at that frame; a stall just ends the flush', async () => {
    const scheduler = new VirtualTimeScheduler();
    const model = marbleChatModel('-a-', { a: 'x' }, { scheduler });
    const { log, subscription } = record(scheduler, fromRunnable(model, 'hi').pipe(toParts(), textContent()));
    scheduler.schedule(() => subscription.unsubscribe(), 7);
    await flushAsync(scheduler);
    expect(log).toEqual([[1, 'x']]);
    expect(model.subscriptions).toEqual([{ subscribedFrame: 0, unsubscribedFrame: 7 }]);
  });

  it('with a TestScheduler outside run(), a frame is its frameTimeFactor and expectObservable is checked at the end', async () => {
    const testScheduler = new TestScheduler((a, e) => expect(a).toEqual(e));
    const model = marbleChatModel('-a-b|', { a: '你', b: '好' }, { scheduler: testScheduler });
    const expected =              '-a-b|';
    const modelSubs =             '^---!';
    testScheduler.expectObservable(fromRunnable(model, 'hi').pipe(streamTimeout({ idleMs: 30, scheduler: testScheduler }), textContent())).toBe(
      expected,
      { a: '你', b: '好' },
    );
    await flushAsync(testScheduler);
    testScheduler.expectSubscriptions(model.subscriptions).toBe(modelSubs);
    testScheduler.flush();
  });

  it('with a TestScheduler outside run(), a wrong expectation fails the flush', async () => {
    const testScheduler = new TestScheduler((a, e) => expect(a).toEqual(e));
    const model = marbleChatModel('-a-b|', { a: '你', b: '好' }, { scheduler: testScheduler });
    const expected =              '-a--b|';
    testScheduler.expectObservable(fromRunnable(model, 'hi').pipe(textContent())).toBe(expected, { a: '你', b: '好' });
    await expect(flushAsync(testScheduler)).rejects.toThrow('toEqual');
  });

  it('refuses what is not a VirtualTimeScheduler', async () => {
    await expect(flushAsync({} as never)).rejects.toThrow(
      new TypeError('flushAsync: scheduler must be a VirtualTimeScheduler or a TestScheduler (the one given to the model and the operators).'),
    );
  });

  // docs/testing.md, "Virtual time through LangChain's real stream path", verbatim:
  test('an agent calls a tool, then answers; frames are virtual', async () => {
    const scheduler = new VirtualTimeScheduler();
    const model = marbleChatModel(
      ['-a-f|', '--x-y|'], // one diagram per model call
      {
        a: toolCallChunk({ name: 'add', id: 'call_1', args: '{"a":2008,"b":16}' }),
        f: chunk('', { response_metadata: { finish_reason: 'tool_calls' } }),
        x: '答案是 ',
        y: chunk('2024 🎉', { response_metadata: { finish_reason: 'stop' } }),
      },
      { scheduler },
    );
    const agent = createAgent({ model, tools: createOfflineTools() });
    const text: Array<[number, string]> = [];
    fromAgent(agent, { messages: [{ role: 'user', content: '2008+16?' }] })
      .pipe(streamTimeout({ idleMs: 100, scheduler }))
      .subscribe((part) => part.type === 'text' && text.push([scheduler.now(), part.text]));
    await flushAsync(scheduler);
    expect(text).toEqual([[6, '答案是 '], [8, '2024 🎉']]); // call 2 starts at frame 4, when call 1 ends
    expect(model.subscriptions).toEqual([
      { subscribedFrame: 0, unsubscribedFrame: 4 },
      { subscribedFrame: 4, unsubscribedFrame: 9 },
    ]);
  });
});
