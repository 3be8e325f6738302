import { lastValueFrom, take, toArray } from 'rxjs';
import { ChatOpenAI } from '@langchain/openai';
import { fromModelEvents } from '../../src/sources/fromModelEvents';
import { fromAsyncIterableFactory } from '../../src/sources/fromAsyncIterableFactory';
import { textContent } from '../../src/operators/textContent';
import { collectText } from '../../src/operators/collectText';
import { toParts } from '../../src/parts/toParts';
import { StreamAbortedError } from '../../src/errors';
import { ScriptedChatModel } from '../../src/offline/ScriptedChatModel';
import { tokenize } from '../../src/offline/tokenize';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../../src/testing/fakeOpenAIServer';
import { tick } from '../support/probeRunnable';
import { useCleanup } from '../support/cleanup';
import { expectTeardownClosesStalledRequest } from '../support/stalledRequest';

const cleanup = useCleanup();

const openai = (server: FakeOpenAIServer): ChatOpenAI =>
  new ChatOpenAI({ apiKey: 'test-key', model: 'gpt-4o-mini', maxRetries: 0, configuration: { baseURL: server.baseURL } });

describe('fromModelEvents', () => {
  it('emits the content-block events of streamEvents() without version; through toParts, collectText spells the reply', async () => {
    const model = new ScriptedChatModel({ reply: 'Python 很好用 🐍' });
    const events = await lastValueFrom(fromModelEvents(model, '介绍 Python').pipe(toArray()));
    expect(events[0]).toMatchObject({ event: 'message-start' });
    expect(events.at(-1)).toMatchObject({ event: 'message-finish' });
    expect(events.map((e) => e.event)).toContain('content-block-delta');
    expect(await lastValueFrom(fromModelEvents(model, 'q').pipe(toParts(), collectText()))).toBe('Python 很好用 🐍');
    const parts = await lastValueFrom(fromModelEvents(model, 'q').pipe(toParts(), toArray()));
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'stop', usage: expect.objectContaining({ output_tokens: tokenize('Python 很好用 🐍').length }) });
  });

  it('iterates the ChatModelStream although it is also a thenable (awaiting it would give the final message)', async () => {
    const model = new ScriptedChatModel({ reply: 'abc' });
    const stream = model.streamEvents('q');
    expect(typeof (stream as unknown as PromiseLike<unknown>).then).toBe('function');
    const viaFactory = await lastValueFrom(fromAsyncIterableFactory(() => model.streamEvents('q')).pipe(toParts(), textContent(), toArray()));
    expect(viaFactory.join('')).toBe('abc');
    expect((await stream).content).toEqual([{ type: 'text', text: 'abc' }]);
  });

  describe('the four laws', () => {
    it('cold and lazy: one request per subscription, none before', async () => {
      const onRequest = jest.fn();
      const source = fromModelEvents(new ScriptedChatModel({ onRequest }), 'q');
      await tick(5);
      expect(onRequest).not.toHaveBeenCalled();
      await lastValueFrom(source);
      await lastValueFrom(source);
      expect(onRequest).toHaveBeenCalledTimes(2);
    });

    it('unicast: two concurrent subscribers get the full stream each', async () => {
      const source = fromModelEvents(new ScriptedChatModel({ reply: '一 二 三', chunkDelayMs: 2 }), 'q').pipe(toParts(), collectText());
      expect(await Promise.all([lastValueFrom(source), lastValueFrom(source)])).toEqual(['一 二 三', '一 二 三']);
    });

    it('teardown aborts the HTTP request of the real ChatOpenAI, even while the server stalls', async () => {
      const server = await startFakeOpenAIServer({ stallAfterChunks: 2 });
      cleanup(() => server.close());
      await expectTeardownClosesStalledRequest(server, fromModelEvents(openai(server), '详细介绍Python的历史和发展').pipe(toParts(), textContent()));
    });

    it('take(n) aborts the request; an abort of config.signal errors with StreamAbortedError', async () => {
      const server = await startFakeOpenAIServer({ chunkDelayMs: 15 });
      cleanup(() => server.close());
      const got = await lastValueFrom(fromModelEvents(openai(server), '详细介绍Python的历史和发展').pipe(toParts(), textContent(), take(3), toArray()));
      expect(got).toHaveLength(3);
      expect((await server.waitForClose(0, 60_000)).closedByClient).toBe(true);
      const controller = new AbortController();
      const failed = lastValueFrom(fromModelEvents(openai(server), '详细介绍Python的历史和发展', { signal: controller.signal }));
      await server.waitForRequests(2);
      controller.abort('user left');
      await expect(failed).rejects.toBeInstanceOf(StreamAbortedError);
      expect((await server.waitForClose(1, 60_000)).closedByClient).toBe(true);
    });
  });

  it('refuses what is not a chat model with streamEvents, at call time', () => {
    expect(() => fromModelEvents({} as never, 'q')).toThrow(
      new TypeError('fromModelEvents: model must be a LangChain chat model with a streamEvents() method, got an object (Object).'),
    );
    expect(() => fromModelEvents(new ScriptedChatModel(), 'q', 5 as never)).toThrow(TypeError);
  });
});
