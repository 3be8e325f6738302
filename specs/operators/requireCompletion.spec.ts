import { AIMessageChunk } from '@langchain/core/messages';
import { of } from 'rxjs';
import { hasFinishReason, requireCompletion } from '../../src/operators/requireCompletion';
import { StreamInterruptedError, StreamTimeoutError } from '../../src/errors';
import { createScheduler } from '../support/marbles';

const a = new AIMessageChunk({ content: '你好，' });
const b = new AIMessageChunk({ content: [{ type: 'text', text: '世界 👋' }, { type: 'image_url', image_url: 'data:,' }] });
const done = new AIMessageChunk({ content: '', response_metadata: { finish_reason: 'stop' } });
const usage = new AIMessageChunk({ content: '', usage_metadata: { input_tokens: 1, output_tokens: 2, total_tokens: 3 } });

describe('requireCompletion', () => {
  it('passes a finished reply through unchanged, also when a usage chunk follows the finish', () => {
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-d-u-|', { a, b, d: done, u: usage });
      expectObservable(source.pipe(requireCompletion())).toBe('-a-b-d-u-|', { a, b, d: done, u: usage });
      expectSubscriptions(source.subscriptions).toBe('^--------!');
    });
  });

  it('errors with StreamInterruptedError (no-finish) and the partial text when the source completes without a finish marker', () => {
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-|', { a, b });
      const error = new StreamInterruptedError('no-finish', '你好，世界 👋', 2);
      expectObservable(source.pipe(requireCompletion())).toBe('-a-b-#', { a, b }, error);
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('errors for an empty stream (no chunk at all is not an answer)', () => {
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<AIMessageChunk>('--|');
      expectObservable(source.pipe(requireCompletion())).toBe('--#', undefined, new StreamInterruptedError('no-finish', '', 0));
      expectSubscriptions(source.subscriptions).toBe('^-!');
    });
  });

  it('wraps an error after the first chunk in StreamInterruptedError (reason error, cause kept)', () => {
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const network = Object.assign(new TypeError('terminated'), { cause: { code: 'UND_ERR_SOCKET' } });
      const source = cold('-a-#', { a }, network);
      const expected = new StreamInterruptedError('error', '你好，', 1, network);
      expectObservable(source.pipe(requireCompletion())).toBe('-a-#', { a }, expected);
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('passes errors before the first chunk and our own typed errors through unchanged', () => {
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const rateLimit = Object.assign(new Error('429 rate limited'), { status: 429 });
      const early = cold<AIMessageChunk>('--#', undefined, rateLimit);
      const timeout = new StreamTimeoutError('idle', 100);
      const late = cold('-a-#', { a }, timeout);
      expectObservable(early.pipe(requireCompletion())).toBe('--#', undefined, rateLimit);
      expectObservable(late.pipe(requireCompletion())).toBe('-a-#', { a }, timeout);
      expectSubscriptions(early.subscriptions).toBe('^-!');
      expectSubscriptions(late.subscriptions).toBe('^--!');
    });
  });

  it('keeps no state between subscriptions', () => {
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-|', { a });
      const checked = source.pipe(requireCompletion());
      const error = new StreamInterruptedError('no-finish', '你好，', 1);
      expectObservable(checked).toBe('-a-#', { a }, error);
      expectObservable(checked).toBe('-a-#', { a }, error); // not '你好，你好，'
      expectSubscriptions(source.subscriptions).toBe(['^--!', '^--!']);
    });
  });

  it('accepts a custom isFinal for providers that mark the end differently', () => {
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const last = new AIMessageChunk({ content: '.', additional_kwargs: { eos: true } });
      const source = cold('-a-l-|', { a, l: last });
      const result = source.pipe(requireCompletion({ isFinal: (c) => (c as AIMessageChunk).additional_kwargs.eos === true }));
      expectObservable(result).toBe('-a-l-|', { a, l: last });
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('errors with a TypeError (not StreamInterruptedError) when given strings: it belongs before textContent()', () => {
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-s-|', { s: 'text' as unknown as AIMessageChunk });
      expectObservable(source.pipe(requireCompletion())).toBe(
        '-#',
        undefined,
        new TypeError('requireCompletion: expected message chunks (put it right after the source, before textContent() or a string output parser), got the string "text".'),
      );
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });

  it('hasFinishReason recognises the markers of OpenAI, Anthropic, Ollama and Google', () => {
    for (const key of ['finish_reason', 'stop_reason', 'done_reason', 'finishReason']) {
      expect(hasFinishReason(new AIMessageChunk({ content: '', response_metadata: { [key]: 'stop' } }))).toBe(true);
    }
    expect(hasFinishReason(new AIMessageChunk({ content: 'x', response_metadata: { finish_reason: null } }))).toBe(false);
    expect(hasFinishReason(new AIMessageChunk({ content: 'x' }))).toBe(false);
  });

  it('rejects bad options at call time', () => {
    expect(() => requireCompletion(null as never)).toThrow(new TypeError('requireCompletion: options must be an object, got null.'));
    expect(() => requireCompletion({ isFinal: 'finish_reason' as never })).toThrow(
      'requireCompletion: options.isFinal must be a function, got the string "finish_reason".',
    );
    expect(() => of(done).pipe(requireCompletion({}))).not.toThrow();
  });
});
