// Text operators take a string, a message chunk or a StreamPart (issue 26, decision 0356). A
// LangGraph tuple or a content-block event is refused with a TextInputError that says to pipe
// through toParts(); the same stream through toParts() gives the same text, byte for byte.
import { from, lastValueFrom, toArray, type Observable, type OperatorFunction } from 'rxjs';
import { AIMessageChunk } from '@langchain/core/messages';
import { textContent } from '../../src/operators/textContent';
import { collectText } from '../../src/operators/collectText';
import { smooth } from '../../src/operators/smooth';
import { progress, type ProgressEvent } from '../../src/operators/progress';
import { tapProgress } from '../../src/operators/tapProgress';
import { streamMetrics } from '../../src/operators/streamMetrics';
import { mapToText } from '../../src/testing/marbleText';
import { ChunkStats } from '../../src/operators/chunkStats';
import { toParts } from '../../src/parts/toParts';
import { TextInputError } from '../../src/decode/errors';
import { textOf, type TextLike } from '../../src/decode/text';
import type { PartSourceValue, StreamPart } from '../../src/parts/types';
import { RxLangChainError } from '../../src/RxLangChainError';

const reply = '你好，世界 🌏 一家人 👨‍👩‍👧 再见！';
/** The reply in pieces of three code points: the family emoji's ZWJ sequence is split across pieces. */
const pieces = ((): string[] => {
  const points = Array.from(reply);
  const out: string[] = [];
  for (let i = 0; i < points.length; i += 3) out.push(points.slice(i, i + 3).join(''));
  return out;
})();
const meta = { langgraph_node: 'model' };
/** What `graph.stream(input, { streamMode: 'messages' })` yields: `[message, metadata]` pairs. */
const tuples = (): unknown[] => [
  ...pieces.map((text) => [new AIMessageChunk({ content: text, id: 'run-1' }), meta]),
  [new AIMessageChunk({ content: '', id: 'run-1', response_metadata: { finish_reason: 'stop' } }), meta],
];
/** What `model.streamEvents(input)` without `version` yields (fromModelEvents). */
const events = (): unknown[] => [
  { event: 'message-start', id: 'run-1' },
  { event: 'content-block-start', index: 0, content: { type: 'text', text: '' } },
  ...pieces.map((text) => ({ event: 'content-block-delta', index: 0, delta: { type: 'text-delta', text } })),
  { event: 'content-block-finish', index: 0, content: { type: 'text', text: reply } },
  { event: 'message-finish', reason: 'stop' },
];

const codePoints = Array.from(reply).length;
const collect = <T>(values: unknown[], op: OperatorFunction<TextLike, T>): Promise<T[]> =>
  lastValueFrom((from(values) as Observable<TextLike>).pipe(op, toArray()));
const viaParts = <T>(values: unknown[], op: OperatorFunction<TextLike, T>): Promise<T[]> =>
  lastValueFrom((from(values) as Observable<PartSourceValue>).pipe(toParts(), op, toArray()));

/** Each text operator, and what it makes of the reply through toParts(). */
const operators: ReadonlyArray<[string, () => OperatorFunction<TextLike, unknown>, (out: unknown[]) => void]> = [
  ['textContent', () => textContent(), (out) => expect(out.join('')).toBe(reply)],
  ['collectText', () => collectText(), (out) => expect(out).toEqual([reply])],
  ['smooth', () => smooth(), (out) => expect(out.join('')).toBe(reply)],
  ['mapToText', () => mapToText(), (out) => expect(out.join('')).toBe(reply)],
  ['progress', () => progress({ everyChars: 1000 }), (out) => expect((out.at(-1) as ProgressEvent).chars).toBe(codePoints)],
  ['streamMetrics', () => streamMetrics(), (out) => expect(out).toEqual([expect.objectContaining({ chars: codePoints, chunks: pieces.length })])],
  [
    'tapProgress',
    () => tapProgress(() => undefined),
    (out) => expect((out as StreamPart[]).map((p) => (p.type === 'text' ? p.text : '')).join('')).toBe(reply),
  ],
];

describe('text operators take a string, a message chunk or a StreamPart', () => {
  describe.each(operators)('%s', (name, op, check) => {
    it('refuses a LangGraph tuple with a TextInputError that says to pipe through toParts()', async () => {
      const failed = collect(tuples(), op());
      await expect(failed).rejects.toBeInstanceOf(TextInputError);
      await expect(failed).rejects.toThrow(/LangGraph stream tuple.*Pipe the stream through toParts\(\) first/);
      await expect(failed).rejects.toMatchObject({ code: 'NOT_TEXT_INPUT', where: expect.stringMatching(new RegExp(name)) });
    });

    it('refuses a content-block event with a TextInputError that says to pipe through toParts()', async () => {
      const failed = collect(events(), op());
      await expect(failed).rejects.toBeInstanceOf(RxLangChainError);
      await expect(failed).rejects.toThrow(/content-block event \("message-start"\).*toParts\(\) first/);
    });

    it('takes the same tuples and events through toParts(): Chinese and emoji, byte-exact', async () => {
      check(await viaParts(tuples(), op()));
      check(await viaParts(events(), op()));
    });
  });

  it('still reads strings, message chunks (plain { content } too) and parts directly', async () => {
    const values: TextLike[] = ['你好', new AIMessageChunk({ content: [{ type: 'text', text: '，世界' }] }), { content: ' 🌏' }, { type: 'text', text: ' 👨‍👩‍👧' }];
    expect(await lastValueFrom(from(values).pipe(collectText()))).toBe('你好，世界 🌏 👨‍👩‍👧');
    expect(textOf({ type: 'tool-result', id: 'c', name: 'search', content: 'not the answer', isError: false })).toBe('');
  });

  it('ChunkStats.count refuses them too; countAny (streamTimeout, requireCompletion) counts them without text', () => {
    const stats = new ChunkStats({ now: () => 0 }, 'chunkStats');
    expect(() => stats.count(tuples()[0] as TextLike)).toThrow(TextInputError);
    expect(stats.countAny(tuples()[0])).toBe('');
    expect(stats.chunks).toBe(1);
  });

  it('says what a value of no known kind is, without pointing at toParts()', () => {
    expect(() => textOf(42)).toThrow(new TextInputError('textContent', 42));
    expect(new TextInputError('textContent', 42).message).toBe('textContent: expected a string, a message chunk or a StreamPart, got the number 42.');
    expect(new TextInputError('smooth', { event: 'on_chat_model_stream' }).message).toMatch(/streamEvents event "on_chat_model_stream".*fromModelEvents/);
  });
});
