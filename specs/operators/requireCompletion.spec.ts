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
      const source   = cold('-a-b-d-u-|', { a, b, d: done, u: usage });
      const expected =      '-a-b-d-u-|';
      const subs     =      '^--------!';
      expectObservable(source.pipe(requireCompletion())).toBe(expected, { a, b, d: done, u: usage });
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it('errors with StreamInterruptedError (no-finish) and the partial text when the source completes without a finish marker', () => {
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source   = cold('-a-b-|', { a, b });
      const expected =      '-a-b-#';
      const subs     =      '^----!';
      const error = new StreamInterruptedError('no-finish', '你好，世界 👋', 2);
      expectObservable(source.pipe(requireCompletion())).toBe(expected, { a, b }, error);
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it('counts only chunks with content: role and usage chunks add nothing, a split emoji is one chunk each side', () => {
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const role = new AIMessageChunk({ content: '' });
      const hi = new AIMessageChunk({ content: '你好 \ud83d' });
      const lo = new AIMessageChunk({ content: '\udc4b' });
      const values = { r: role, h: hi, l: lo, u: usage };
      const source    = cold('-r-h-l-u-|', values);
      const expected  =      '-r-h-l-u-#';
      const subs      =      '^--------!';
      expectObservable(source.pipe(requireCompletion())).toBe(expected, values, new StreamInterruptedError('no-finish', '你好 👋', 2));
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it('errors for an empty stream (no chunk at all is not an answer)', () => {
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source   = cold<AIMessageChunk>('--|');
      const expected =                      '--#';
      const subs     =                      '^-!';
      expectObservable(source.pipe(requireCompletion())).toBe(expected, undefined, new StreamInterruptedError('no-finish', '', 0));
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it('wraps an error after the first chunk in StreamInterruptedError (reason error, cause kept)', () => {
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const network = Object.assign(new TypeError('terminated'), { cause: { code: 'UND_ERR_SOCKET' } });
      const source   = cold('-a-#', { a }, network);
      const expected =      '-a-#';
      const subs     =      '^--!';
      const cut = new StreamInterruptedError('error', '你好，', 1, network);
      expectObservable(source.pipe(requireCompletion())).toBe(expected, { a }, cut);
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it('passes errors before the first chunk and our own typed errors through unchanged', () => {
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const rateLimit = Object.assign(new Error('429 rate limited'), { status: 429 });
      const timeout = new StreamTimeoutError('idle', 100);
      const early     = cold<AIMessageChunk>('--#', undefined, rateLimit);
      const earlyOut  =                      '--#';
      const earlySubs =                      '^-!';
      const late      = cold(                '-a-#', { a }, timeout);
      const lateOut   =                      '-a-#';
      const lateSubs  =                      '^--!';
      expectObservable(early.pipe(requireCompletion())).toBe(earlyOut, undefined, rateLimit);
      expectObservable(late.pipe(requireCompletion())).toBe(lateOut, { a }, timeout);
      expectSubscriptions(early.subscriptions).toBe(earlySubs);
      expectSubscriptions(late.subscriptions).toBe(lateSubs);
    });
  });

  it('keeps no state between subscriptions', () => {
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source   = cold('-a-|', { a });
      const expected =      '-a-#';
      const subs     =      '^--!';
      const checked = source.pipe(requireCompletion());
      const error = new StreamInterruptedError('no-finish', '你好，', 1);
      expectObservable(checked).toBe(expected, { a }, error);
      expectObservable(checked).toBe(expected, { a }, error); // not '你好，你好，'
      expectSubscriptions(source.subscriptions).toBe([subs, subs]);
    });
  });

  it('accepts a custom isFinal for providers that mark the end differently', () => {
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const last = new AIMessageChunk({ content: '.', additional_kwargs: { eos: true } });
      const source   = cold('-a-l-|', { a, l: last });
      const expected =      '-a-l-|';
      const subs     =      '^----!';
      const result = source.pipe(requireCompletion({ isFinal: (c) => (c as AIMessageChunk).additional_kwargs.eos === true }));
      expectObservable(result).toBe(expected, { a, l: last });
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it('errors with a TypeError (not StreamInterruptedError) when given strings: it belongs before textContent()', () => {
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source   = cold('-s-|', { s: 'text' as unknown as AIMessageChunk });
      const expected =      '-#';
      const subs     =      '^!';
      const error = new TypeError('requireCompletion: expected message chunks (put it right after the source, before textContent() or a string output parser), got the string "text".');
      expectObservable(source.pipe(requireCompletion())).toBe(expected, undefined, error);
      expectSubscriptions(source.subscriptions).toBe(subs);
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

describe('requireCompletion on a part stream (an agent run, decision 0117)', () => {
  const s0 = { type: 'step-start', step: 0 } as const;
  const call = { type: 'tool-call', id: 'c1', name: 'add', args: { a: 1, b: 2 } } as const;
  const f0 = { type: 'step-finish', step: 0, finishReason: 'tool_calls' } as const;
  const r = { type: 'tool-result', id: 'c1', name: 'add', content: '3', isError: false } as const;
  const s1 = { type: 'step-start', step: 1 } as const;
  const t = { type: 'text', text: '答案 3 🎉' } as const;
  const f1 = { type: 'step-finish', step: 1, finishReason: 'stop' } as const;
  const cut1 = { type: 'step-finish', step: 1 } as const; // a step whose stream ended without a finish reason
  const cut0 = { type: 'step-finish', step: 0 } as const;
  const end = { type: 'finish', finishReason: 'stop' } as const;
  const unknown = { type: 'finish', finishReason: 'unknown' } as const;
  const values = { s: s0, c: call, f: f0, r, S: s1, t, F: f1, x: cut1, y: cut0, e: end, u: unknown };

  it('passes a run whose every step finished with a finish reason', () => {
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source   = cold('-scfr-StFe|', values);
      const expected =      '-scfr-StFe|';
      const subs     =      '^---------!';
      expectObservable(source.pipe(requireCompletion())).toBe(expected, values);
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it('a last step without a finish reason: StreamInterruptedError (no-finish) with the answer text seen and the parts with content counted', () => {
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source   = cold('-scfr-Stxu|', values);
      const expected =      '-scfr-Stxu#';
      const subs     =      '^---------!';
      expectObservable(source.pipe(requireCompletion())).toBe(expected, values, new StreamInterruptedError('no-finish', '答案 3 🎉', 2));
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it('a run that went on after a cut step is not finished either, though its last step is', () => {
    createScheduler().run(({ cold, expectObservable }) => {
      const source   = cold('-scyr-StFe|', values);
      const expected =      '-scyr-StFe#';
      expectObservable(source.pipe(requireCompletion())).toBe(expected, values, new StreamInterruptedError('no-finish', '答案 3 🎉', 2));
    });
  });

  it('a stream that completes inside a step (no step-finish) is a cut', () => {
    createScheduler().run(({ cold, expectObservable }) => {
      const source   = cold('-sc|', values);
      const expected =      '-sc#';
      expectObservable(source.pipe(requireCompletion())).toBe(expected, values, new StreamInterruptedError('no-finish', '', 1));
    });
  });

  it('an error after the first part is a cut (reason error); a part stream that goes on with other values is a TypeError', () => {
    createScheduler().run(({ cold, expectObservable }) => {
      const failure = new TypeError('terminated');
      const cut      = cold('-st#', values, failure);
      const cutOut   =      '-st#';
      // Before the first part with content (only a step-start), an error passes unchanged: retryBeforeFirstChunk may retry it.
      const early    = cold('-s#', values, failure);
      const earlyOut =      '-s#';
      const mixed    = cold('-sa|', { ...values, a });
      const mixedOut =      '-s#';
      const notParts = new TypeError('requireCompletion: a part stream emitted an object (AIMessageChunk); pipe it through toParts() first.');
      expectObservable(cut.pipe(requireCompletion())).toBe(cutOut, values, new StreamInterruptedError('error', '答案 3 🎉', 1, failure));
      expectObservable(early.pipe(requireCompletion())).toBe(earlyOut, values, failure);
      expectObservable(mixed.pipe(requireCompletion())).toBe(mixedOut, values, notParts);
    });
  });

  it('hand-made parts without steps prove completion by a finish part with a known reason', () => {
    createScheduler().run(({ cold, expectObservable }) => {
      const finished = cold('-te|', values);
      const finOut   =      '-te|';
      const unknown  = cold('-tu|', values);
      const unkOut   =      '-tu#';
      expectObservable(finished.pipe(requireCompletion())).toBe(finOut, values);
      expectObservable(unknown.pipe(requireCompletion())).toBe(unkOut, values, new StreamInterruptedError('no-finish', '答案 3 🎉', 1));
    });
  });
});
