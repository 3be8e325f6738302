import { take } from 'rxjs';
import { AIMessageChunk } from '@langchain/core/messages';
import { runningText } from '../../src/operators/runningText';
import { createScheduler } from '../support/marbles';

describe('runningText', () => {
  it('emits the accumulated text after each chunk that adds text', () => {
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-c-d-|', {
        a: new AIMessageChunk('你'),
        b: new AIMessageChunk(''),
        c: new AIMessageChunk('好'),
        d: '👋🏽',
      });
      expectObservable(source.pipe(runningText())).toBe('-a---c-d-|', { a: '你', c: '你好', d: '你好👋🏽' });
      expectSubscriptions(source.subscriptions).toBe('^--------!');
    });
  });

  it('unsubscribes upstream when downstream takes enough', () => {
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-c-|', { a: 'x', b: 'y', c: 'z' });
      const result = source.pipe(runningText(), take(2));
      expectObservable(result).toBe('-a-(b|)', { a: 'x', b: 'xy' });
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });
});
