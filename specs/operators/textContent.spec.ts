import { AIMessageChunk } from '@langchain/core/messages';
import { textContent } from '../../src/operators/textContent';
import { createScheduler } from '../support/marbles';
import { TextInputError } from '../../src/decode/errors';

describe('textContent', () => {
  describe('string content', () => {
    it('maps chunks to their text and skips empty ones', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-b-c-|', {
          a: new AIMessageChunk('Hel'),
          b: new AIMessageChunk(''),
          c: new AIMessageChunk('lo'),
        });
        const sub =         '^------!';
        const expected =    '-a---c-|';
        expectObservable(source.pipe(textContent())).toBe(expected, { a: 'Hel', c: 'lo' });
        expectSubscriptions(source.subscriptions).toBe(sub);
      });
    });

    it('passes plain strings (a StringOutputParser chain) through', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source   = cold('-a-b-|', { a: '你好', b: '😀' });
        const expected =      '-a-b-|';
        const subs     =      '^----!';
        expectObservable(source.pipe(textContent())).toBe(expected, { a: '你好', b: '😀' });
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });
  });

  describe('array content', () => {
    it('keeps text parts only (images and tool-use parts are not text)', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-b-|', {
          a: new AIMessageChunk({
            content: [
              { type: 'text', text: 'A ' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,xx' } },
              { type: 'text', text: '猫' },
            ],
          }),
          b: new AIMessageChunk({ content: [{ type: 'image_url', image_url: { url: 'x' } }] }),
        });
        const expected =    '-a---|';
        const sourceSubs =  '^----!';
        expectObservable(source.pipe(textContent())).toBe(expected, { a: 'A 猫' });
        expectSubscriptions(source.subscriptions).toBe(sourceSubs);
      });
    });
  });

  describe('chunks without text', () => {
    it('emits nothing for a tool-call-only chunk', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-b-|', {
          a: new AIMessageChunk({
            content: '',
            tool_call_chunks: [{ name: 'search', args: '{"q":', id: 'call_1', index: 0, type: 'tool_call_chunk' }],
          }),
          b: new AIMessageChunk('done'),
        });
        const expected =    '---b-|';
        const sourceSubs =  '^----!';
        expectObservable(source.pipe(textContent())).toBe(expected, { b: 'done' });
        expectSubscriptions(source.subscriptions).toBe(sourceSubs);
      });
    });
  });

  describe('bad input', () => {
    it('errors with a TextInputError naming the value and unsubscribes upstream', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-b-|', { a: 'ok', b: 42 as never });
        const expected =    '-a-#';
        const sourceSubs =  '^--!';
        expectObservable(source.pipe(textContent())).toBe(
          expected,
          { a: 'ok' },
          new TextInputError('textContent', 42),
        );
        expectSubscriptions(source.subscriptions).toBe(sourceSubs);
      });
    });

    it('errors on null content of the wrong kind', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-|', { a: { content: 5 } as never });
        const expected =    '-#';
        const sourceSubs =  '^!';
        expectObservable(source.pipe(textContent())).toBe(
          expected,
          undefined,
          new TypeError('textContent: message content must be a string or an array of content parts, got the number 5.'),
        );
        expectSubscriptions(source.subscriptions).toBe(sourceSubs);
      });
    });
  });
});
