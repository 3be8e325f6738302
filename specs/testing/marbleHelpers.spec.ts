import { AIMessageChunk } from '@langchain/core/messages';
import { fromRunnable } from '../../src';
import { collectMessage } from '../../src';
import {
  chunk,
  chunks,
  expectText,
  mapToText,
  marbleChatModel,
  ProviderError,
  providerError,
  toolCallChunk,
} from '../../src/testing';
import { createScheduler } from '../support/marbles';

describe('chunk / chunks / toolCallChunk', () => {
  it('chunk builds an AIMessageChunk, with usage when asked', () => {
    expect(chunk('你好')).toEqual(new AIMessageChunk('你好'));
    expect(chunk('!', { usage: { input_tokens: 4, output_tokens: 2 } }).usage_metadata).toEqual({
      input_tokens: 4,
      output_tokens: 2,
      total_tokens: 6,
    });
    expect(() => chunk(1 as never)).toThrow(new TypeError('chunk: text must be a string, got the number 1.'));
  });

  it('chunks puts usage and response metadata on the last key (or `on`) only', () => {
    const values = chunks({ a: 'Hel', b: 'lo 👋🏽' }, { usage: { input_tokens: 3, output_tokens: 2 }, responseMetadata: { finish_reason: 'stop' } });
    expect(values.a).toEqual(new AIMessageChunk('Hel'));
    expect(values.a.usage_metadata).toBeUndefined();
    expect(values.b.content).toBe('lo 👋🏽');
    expect(values.b.usage_metadata).toEqual({ input_tokens: 3, output_tokens: 2, total_tokens: 5 });
    expect(values.b.response_metadata).toEqual({ finish_reason: 'stop' });
    const onA = chunks({ a: 'x', b: 'y' }, { usage: { input_tokens: 1, output_tokens: 1 }, on: 'a' });
    expect(onA.a.usage_metadata?.total_tokens).toBe(2);
    expect(onA.b.usage_metadata).toBeUndefined();
    expect(() => chunks({ a: 'x' }, { on: 'z' })).toThrow('chunks: options.on is "z", which is not a key of values (a).');
    expect(() => chunks({ a: 'x' }, { usage: { input_tokens: -1, output_tokens: 0 } })).toThrow(RangeError);
    expect(() => chunks('ab' as never)).toThrow(TypeError);
  });

  it('tool-call chunks stream and merge into a tool call via collectMessage', () => {
    createScheduler().run(({ expectObservable, expectSubscriptions }) => {
      const model = marbleChatModel('-a-b-c|', {
        a: toolCallChunk({ name: 'search', args: '{"q":', id: 'call_1' }),
        b: toolCallChunk({ args: '"猫 🐱"}' }),
        c: chunk('', { usage: { input_tokens: 9, output_tokens: 5 } }),
      });
      const expected =              '------(m|)';
      const modelSubs =             '^-----!';
      expectObservable(fromRunnable(model, 'find a cat').pipe(collectMessage())).toBe(expected, {
        m: expect.objectContaining({
          tool_calls: [expect.objectContaining({ name: 'search', args: { q: '猫 🐱' }, id: 'call_1' })],
          usage_metadata: expect.objectContaining({ total_tokens: 14 }),
        }),
      });
      expectSubscriptions(model.subscriptions).toBe(modelSubs);
    });
    expect(toolCallChunk({ name: 'f', args: { a: 1 } }).tool_call_chunks?.[0].args).toBe('{"a":1}');
  });
});

describe('providerError', () => {
  it('is shaped like the OpenAI SDK APIError', () => {
    const err = providerError(429, { retryAfterMs: 1500, code: 'rate_limit_exceeded', type: 'requests' });
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('RateLimitError');
    expect(err.status).toBe(429);
    expect(err.message).toBe('429 Rate limit reached for requests.');
    expect(err.headers.get('retry-after')).toBe('2');
    expect(err.headers.get('retry-after-ms')).toBe('1500');
    expect(err.error).toEqual({ message: 'Rate limit reached for requests.', type: 'requests', code: 'rate_limit_exceeded', param: null });
    expect(err.code).toBe('rate_limit_exceeded');
    expect(err.lc_error_code).toBe('MODEL_RATE_LIMIT');
    expect(err.requestID).toBe('req_marble');
  });

  it('names 5xx InternalServerError and takes a message', () => {
    const err = providerError(503, { message: '服务繁忙' });
    expect(err.name).toBe('InternalServerError');
    expect(err.message).toBe('503 服务繁忙');
    expect(err.headers.get('retry-after')).toBeNull();
  });

  it('rejects bad input with RangeErrors', () => {
    expect(() => providerError(42)).toThrow(new RangeError('providerError: status must be an HTTP status code (an integer 100–599), got the number 42.'));
    expect(() => providerError(429, { retryAfterMs: -1 })).toThrow(RangeError);
  });
});

describe('expectText / mapToText', () => {
  it('expectText takes the same value map as the model', () => {
    createScheduler().run(({ expectObservable, expectSubscriptions }) => {
      const values = { a: 'Hel', b: 'lo', c: '😀' };
      const model = marbleChatModel('--a-b--c|', values);
      const expected =              '--a-b--c|';
      const modelSubs =             '^-------!';
      expectText(expectObservable, fromRunnable(model, 'hi')).toBe(expected, values);
      expectSubscriptions(model.subscriptions).toBe(modelSubs);
    });
  });

  it('accepts chunk maps too, and keeps text-less chunks as "" (frames stay aligned)', () => {
    createScheduler().run(({ expectObservable, expectSubscriptions }) => {
      const values = chunks({ a: '你', t: toolCallChunk({ name: 'f' }) as never, b: '好' });
      const model = marbleChatModel('-a-t-b|', values);
      const expected =              '-a-t-b|';
      const modelSubs =             '^-----!';
      expectText(expectObservable, fromRunnable(model, 'hi')).toBe(expected, { a: chunk('你'), t: '', b: '好' });
      expectSubscriptions(model.subscriptions).toBe(modelSubs);
    });
  });

  it('passes subscription marbles and error values through', () => {
    createScheduler().run(({ expectObservable, expectSubscriptions }) => {
      const err = providerError(500);
      const model = marbleChatModel('-a-#', { a: 'x' }, { error: err });
      const expected =              '-a-';
      const unsub =                 '^-!';
      const modelSubs =             '^-!';
      expectText(expectObservable, fromRunnable(model, 'hi'), unsub).toBe(expected, { a: 'x' });
      expectSubscriptions(model.subscriptions).toBe(modelSubs);
    });
    createScheduler().run(({ expectObservable, expectSubscriptions }) => {
      const err = providerError(500);
      const model = marbleChatModel('-a-#', { a: 'x' }, { error: err });
      const expected2 =             '-a-#';
      const modelSubs2 =            '^--!';
      expectObservable(fromRunnable(model, 'hi').pipe(mapToText())).toBe(expected2, { a: 'x' }, err);
      expectSubscriptions(model.subscriptions).toBe(modelSubs2);
    });
    expect(() => expectText(undefined as never, null as never)).toThrow(TypeError);
  });
});
