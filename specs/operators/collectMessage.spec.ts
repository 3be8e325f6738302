import { AIMessageChunk } from '@langchain/core/messages';
import { collectMessage } from '../../src/operators/collectMessage';
import { createScheduler } from '../support/marbles';

describe('collectMessage', () => {
  describe('text and metadata', () => {
    it('merges every chunk, keeping usage_metadata and response_metadata from the last one', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-b-c-|', {
          a: new AIMessageChunk({ content: 'Hello', id: 'run-1' }),
          b: new AIMessageChunk({ content: ', 世界', id: 'run-1' }),
          c: new AIMessageChunk({
            content: ' 👋',
            id: 'run-1',
            usage_metadata: { input_tokens: 4, output_tokens: 3, total_tokens: 7 },
            response_metadata: { finish_reason: 'stop' },
          }),
        });
        const expected = expect.objectContaining({
          content: 'Hello, 世界 👋',
          id: 'run-1',
          usage_metadata: expect.objectContaining({ input_tokens: 4, output_tokens: 3, total_tokens: 7 }),
          response_metadata: { finish_reason: 'stop' },
        });
        const result = source.pipe(collectMessage());
        expectObservable(result).toBe('-------(m|)', { m: expected });
        expectSubscriptions(source.subscriptions).toBe('^------!');
      });
    });

    it('differs from the last chunk (the tutorial stores the last chunk as the whole answer)', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const last = new AIMessageChunk('!');
        const source = cold('-a-b|', { a: new AIMessageChunk('Hi'), b: last });
        const result = source.pipe(collectMessage());
        expectObservable(result).toBe('----(m|)', { m: new AIMessageChunk('Hi!') });
        expectSubscriptions(source.subscriptions).toBe('^---!');
      });
    });
  });

  describe('tool calls', () => {
    it('merges tool-call chunks by index into one complete tool call', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-b-|', {
          a: new AIMessageChunk({
            content: '',
            tool_call_chunks: [{ name: 'search', args: '{"q":', id: 'call_1', index: 0, type: 'tool_call_chunk' }],
          }),
          b: new AIMessageChunk({
            content: '',
            tool_call_chunks: [{ args: '"rxjs"}', index: 0, type: 'tool_call_chunk' }],
          }),
        });
        expectSubscriptions(source.subscriptions).toBe('^----!');
        expectObservable(source.pipe(collectMessage())).toBe('-----(m|)', {
          m: expect.objectContaining({
            tool_calls: [expect.objectContaining({ name: 'search', args: { q: 'rxjs' }, id: 'call_1' })],
          }),
        });
      });
    });
  });

  describe('empty stream', () => {
    it('emits an empty AIMessageChunk', () => {
      createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold<AIMessageChunk>('--|');
        expectObservable(source.pipe(collectMessage())).toBe('--(m|)', { m: new AIMessageChunk({ content: '' }) });
        expectSubscriptions(source.subscriptions).toBe('^-!');
      });
    });
  });
});
