import { filter, lastValueFrom, take, toArray } from 'rxjs';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { fromStreamEvents } from '../../src/sources/fromStreamEvents';
import { StreamAbortedError } from '../../src/errors';
import { ScriptedChatModel } from '../../src/offline/ScriptedChatModel';
import { tick } from '../support/probeRunnable';

describe('fromStreamEvents', () => {
  const chain = (model: ScriptedChatModel) =>
    ChatPromptTemplate.fromMessages([['human', '{question}']]).pipe(model);

  it('emits v2 stream events whose model-stream chunks spell the reply', async () => {
    const events = await lastValueFrom(
      fromStreamEvents(chain(new ScriptedChatModel({ reply: '流式 events 🎉' })), { question: 'q' }).pipe(toArray()),
    );
    const kinds = new Set(events.map((e) => e.event));
    expect(kinds).toContain('on_chain_start');
    expect(kinds).toContain('on_chat_model_stream');
    expect(kinds).toContain('on_chain_end');
    const text = events
      .filter((e) => e.event === 'on_chat_model_stream')
      .map((e) => e.data.chunk.content)
      .join('');
    expect(text).toBe('流式 events 🎉');
  });

  it('is cold and lazy: one model request per subscription, none before', async () => {
    const onRequest = jest.fn();
    const source = fromStreamEvents(chain(new ScriptedChatModel({ onRequest })), { question: 'q' });
    await tick(5);
    expect(onRequest).not.toHaveBeenCalled();
    await lastValueFrom(source);
    await lastValueFrom(source);
    expect(onRequest).toHaveBeenCalledTimes(2);
  });

  it('aborts the model on take(n): a slow model stops before its reply is done', async () => {
    let signal: AbortSignal | undefined;
    const model = new ScriptedChatModel({ reply: 'one two three four five six', chunkDelayMs: 30 });
    const original = model._streamResponseChunks.bind(model);
    model._streamResponseChunks = (messages, options, rm) => {
      signal = options.signal;
      return original(messages, options, rm);
    };
    const events = await lastValueFrom(
      fromStreamEvents(chain(model), { question: 'q' }).pipe(
        filter((e) => e.event === 'on_chat_model_stream'),
        take(2),
        toArray(),
      ),
    );
    expect(events).toHaveLength(2);
    expect(signal?.aborted).toBe(true);
  });

  it("errors with StreamAbortedError when the caller's signal aborts", async () => {
    const caller = new AbortController();
    const model = new ScriptedChatModel({ chunkDelayMs: 50 });
    const result = lastValueFrom(fromStreamEvents(chain(model), { question: 'q' }, { signal: caller.signal }));
    await tick(20);
    caller.abort();
    await expect(result).rejects.toBeInstanceOf(StreamAbortedError);
  });

  it('throws a TypeError at call time for something without streamEvents()', () => {
    expect(() => fromStreamEvents({ stream() {} } as never, {})).toThrow(
      'fromStreamEvents: runnable must be a LangChain Runnable with a streamEvents() method, got an object (Object).',
    );
  });
});
