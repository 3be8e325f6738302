// Every operator of src/operators/, driven from the marble model through fromRunnable,
// entirely in virtual time. The last test fails when an operator file has no block here.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ForbiddenContentError, StreamInterruptedError, StreamTimeoutError } from '../../src/errors';
import { fromRunnable } from '../../src';
import { abortOn, collectMessage, collectText, forbiddenWords, progress, requireCompletion, retryBeforeFirstChunk, streamMetrics, streamTimeout, tapProgress, textContent, type ProgressEvent } from '../../src';
import { smooth } from '../../src/operators/smooth';
import { chunks, marbleChatModel, providerError } from '../../src/testing';
import { createScheduler } from '../support/marbles';

const COVERED = new Set<string>();
function operator(name: string, fn: () => void): void {
  COVERED.add(name);
  describe(name, fn);
}

operator('textContent', () => {
  it('maps the model’s chunks to text, skipping text-less ones', () => {
    createScheduler().run(({ expectObservable, expectSubscriptions }) => {
      const model = marbleChatModel('-a-b-c|', { a: '你好', b: '', c: '😀' });
      const expected =              '-a---c|';
      const modelSubs =             '^-----!';
      expectObservable(fromRunnable(model, 'hi').pipe(textContent())).toBe(expected, { a: '你好', c: '😀' });
      expectSubscriptions(model.subscriptions).toBe(modelSubs);
    });
  });
});

operator('collectText', () => {
  it('emits the whole text when the model completes', () => {
    createScheduler().run(({ expectObservable, expectSubscriptions }) => {
      const model = marbleChatModel('-a-b--c|', { a: '从前', b: '有座山', c: '⛰️' });
      const expected =              '-------(t|)';
      const modelSubs =             '^------!';
      expectObservable(fromRunnable(model, 'hi').pipe(collectText())).toBe(expected, { t: '从前有座山⛰️' });
      expectSubscriptions(model.subscriptions).toBe(modelSubs);
    });
  });
});


operator('collectMessage', () => {
  it('merges the chunks with usage from the last one', () => {
    createScheduler().run(({ expectObservable, expectSubscriptions }) => {
      const model = marbleChatModel('-a-b|', chunks({ a: '你', b: '好' }, { usage: { input_tokens: 4, output_tokens: 2 } }));
      const expected =              '----(m|)';
      const modelSubs =             '^---!';
      expectObservable(fromRunnable(model, 'hi').pipe(collectMessage())).toBe(expected, {
        m: expect.objectContaining({ content: '你好', usage_metadata: expect.objectContaining({ total_tokens: 6 }) }),
      });
      expectSubscriptions(model.subscriptions).toBe(modelSubs);
    });
  });
});

operator('abortOn', () => {
  it('errors at the frame the pattern completes and unsubscribes the model there', () => {
    createScheduler().run(({ expectObservable, expectSubscriptions }) => {
      const model = marbleChatModel('-a-b-c-d|', { a: '学 ', b: 'Ja', c: 'va 吧', d: '!' });
      const expected =              '-a---#';
      const modelSubs =             '^----!';
      expectObservable(fromRunnable(model, 'hi').pipe(textContent(), abortOn(['Java']))).toBe(
        expected,
        { a: '学 ' },
        new ForbiddenContentError('Java', 2, '学 '),
      );
      expectSubscriptions(model.subscriptions).toBe(modelSubs);
    });
  });
});

operator('forbiddenWords', () => {
  it('one compiled set serves two models at once, each stopped at its own frame', () => {
    const guard = forbiddenWords(['java', '敏感'], { caseInsensitive: true });
    createScheduler().run(({ expectObservable, expectSubscriptions }) => {
      const first =  marbleChatModel('-a-b-c|', { a: 'I like ', b: 'JA', c: 'VA' });
      const second = marbleChatModel('--a-b--|', { a: '这是', b: '敏感的' });
      const expected =               '-a---#';
      const expected2 =              '--a-#';
      const firstSubs =              '^----!';
      const secondSubs =             '^---!';
      expectObservable(fromRunnable(first, 'hi').pipe(textContent(), abortOn(guard))).toBe(expected, { a: 'I like ' }, new ForbiddenContentError('java', 7, 'I like '));
      expectObservable(fromRunnable(second, 'hi').pipe(textContent(), abortOn(guard))).toBe(expected2, { a: '这是' }, new ForbiddenContentError('敏感', 2, '这是'));
      expectSubscriptions(first.subscriptions).toBe(firstSubs);
      expectSubscriptions(second.subscriptions).toBe(secondSubs);
    });
  });
});

operator('progress', () => {
  it('reports crossings with virtual elapsed time and a final event', () => {
    createScheduler().run(({ expectObservable, expectSubscriptions }) => {
      const model = marbleChatModel('-a 8ms b 9ms c|', { a: '一二三', b: '四五六', c: '七' });
      const expected =              '- 9ms x 10ms (y|)';
      const modelSubs =             '^ 20ms !';
      const events = fromRunnable(model, 'hi').pipe(progress({ everyChars: 5 }));
      // a at 1, b at 10 (crosses 5 chars), c at 20 (no crossing), complete at 21
      expectObservable(events).toBe(expected, {
        x: expect.objectContaining({ chars: 6, elapsedMs: 10, firstChunkMs: 1, done: false }),
        y: expect.objectContaining({ chars: 7, elapsedMs: 21, done: true }),
      });
      expectSubscriptions(model.subscriptions).toBe(modelSubs);
    });
  });
});

operator('tapProgress', () => {
  it('passes text through and reports by callback at virtual times', () => {
    const seen: ProgressEvent[] = [];
    createScheduler().run(({ expectObservable, expectSubscriptions }) => {
      const model = marbleChatModel('-a--b|', { a: 'Hel', b: 'lo' });
      const expected =              '-a--b|';
      const modelSubs =             '^----!';
      const text$ = fromRunnable(model, 'hi').pipe(textContent(), tapProgress((p) => seen.push(p)));
      expectObservable(text$).toBe(expected, { a: 'Hel', b: 'lo' });
      expectSubscriptions(model.subscriptions).toBe(modelSubs);
    });
    expect(seen.map((p) => [p.chars, p.elapsedMs, p.done])).toEqual([
      [3, 1, false],
      [5, 4, false],
      [5, 5, true],
    ]);
  });
});

operator('streamTimeout', () => {
  it('errors when the model stalls between chunks and aborts it at that frame, with the text seen so far', () => {
    createScheduler().run(({ expectObservable, expectSubscriptions }) => {
      const model = marbleChatModel('-a-b-', { a: 'Hel', b: 'lo' });
      const expected =              '-a-b---#';
      const modelSubs =             '^------!';
      expectObservable(fromRunnable(model, 'hi').pipe(streamTimeout({ idleMs: 4 }), textContent())).toBe(
        expected,
        { a: 'Hel', b: 'lo' },
        new StreamTimeoutError('idle', 4, 'Hello', 2),
      );
      expectSubscriptions(model.subscriptions).toBe(modelSubs);
    });
  });
});

operator('retryBeforeFirstChunk', () => {
  it('retries a 429 after its Retry-After, in virtual time', () => {
    createScheduler().run(({ expectObservable, expectSubscriptions }) => {
      const model = marbleChatModel(['-#', '-a|'], { a: '好' }, { error: providerError(429, { retryAfterMs: 1000 }) });
      const expected =   '1002ms a|';
      const modelSubs = ['^!', '1001ms ^-!'];
      expectObservable(fromRunnable(model, 'hi').pipe(retryBeforeFirstChunk(), textContent())).toBe(expected, { a: '好' });
      expectSubscriptions(model.subscriptions).toBe(modelSubs);
    });
  });

  it('does not retry once a chunk has arrived', () => {
    const err = providerError(503);
    createScheduler().run(({ expectObservable, expectSubscriptions }) => {
      const model = marbleChatModel('-a-#', { a: '半' }, { error: err });
      const expected =              '-a-#';
      const modelSubs =             '^--!';
      expectObservable(fromRunnable(model, 'hi').pipe(retryBeforeFirstChunk(), textContent())).toBe(expected, { a: '半' }, err);
      expectSubscriptions(model.subscriptions).toBe(modelSubs);
    });
  });
});

operator('requireCompletion', () => {
  it('passes a reply with a finish_reason, errors on one without', () => {
    createScheduler().run(({ expectObservable, expectSubscriptions }) => {
      const done = marbleChatModel('-a-b|', chunks({ a: 'Hel', b: 'lo' }, { responseMetadata: { finish_reason: 'stop' } }));
      const cut =  marbleChatModel('-a-b|', { a: 'Hel', b: 'lo' });
      const expected =             '-a-b|';
      const expected2 =            '-a-b#';
      const doneSubs =             '^---!';
      const cutSubs =              '^---!';
      expectObservable(fromRunnable(done, 'hi').pipe(requireCompletion(), textContent())).toBe(expected, { a: 'Hel', b: 'lo' });
      expectObservable(fromRunnable(cut, 'hi').pipe(requireCompletion(), textContent())).toBe(
        expected2,
        { a: 'Hel', b: 'lo' },
        new StreamInterruptedError('no-finish', 'Hello', 2),
      );
      expectSubscriptions(done.subscriptions).toBe(doneSubs);
      expectSubscriptions(cut.subscriptions).toBe(cutSubs);
    });
  });
});

operator('smooth', () => {
  it('re-chunks the model’s tokens into whole words', () => {
    createScheduler().run(({ expectObservable, expectSubscriptions }) => {
      const model = marbleChatModel('-a-b-c|', { a: 'Hel', b: 'lo wor', c: 'ld' });
      const expected =              '---b--(c|)';
      const modelSubs =             '^-----!';
      expectObservable(fromRunnable(model, 'hi').pipe(textContent(), smooth())).toBe(expected, { b: 'Hello ', c: 'world' });
      expectSubscriptions(model.subscriptions).toBe(modelSubs);
    });
  });
});

operator('streamMetrics', () => {
  it('measures first-chunk latency and total time in virtual ms', () => {
    createScheduler().run(({ expectObservable, expectSubscriptions }) => {
      const model = marbleChatModel('-- 98ms a-b|', { a: '你好', b: '👋' });
      const expected =              '- 102ms (m|)';
      const modelSubs =             '^ 102ms !';
      expectObservable(fromRunnable(model, 'hi').pipe(streamMetrics())).toBe(expected, {
        m: { firstChunkMs: 100, totalMs: 103, chunks: 2, chars: 3 },
      });
      expectSubscriptions(model.subscriptions).toBe(modelSubs);
    });
  });
});

describe('coverage', () => {
  it('every operator file in src/operators/ has a block in this spec', () => {
    const files = readdirSync(join(__dirname, '../../src/operators'))
      .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && f !== 'types.ts' && f !== 'errors.ts')
      .map((f) => f.replace(/\.ts$/, ''));
    // Not operators: the chunk counting that streamMetrics, progress and tapProgress share (their blocks cover it).
    const HELPERS = new Set(['chunkStats']);
    expect(files.filter((name) => !COVERED.has(name) && !HELPERS.has(name))).toEqual([]);
  });
});

