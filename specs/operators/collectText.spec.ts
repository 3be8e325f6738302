import { AIMessageChunk } from '@langchain/core/messages';
import { collectText } from '../../src/operators/collectText';
import { createScheduler } from '../support/marbles';

describe('collectText', () => {
  it('emits the whole text once, on completion', () => {
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source   = cold('-a-b-c-|', { a: new AIMessageChunk('Py'), b: new AIMessageChunk('是'), c: '🐍' });
      const expected =      '-------(t|)';
      const subs     =      '^------!';
      expectObservable(source.pipe(collectText())).toBe(expected, { t: 'Py是🐍' });
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it("emits '' for an empty stream", () => {
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source   = cold<string>('---|');
      const expected =              '---(t|)';
      const subs     =              '^--!';
      expectObservable(source.pipe(collectText())).toBe(expected, { t: '' });
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it('emits nothing when the source errors (no partial text posing as a full reply)', () => {
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source   = cold('-a-#', { a: 'partial' }, new Error('dropped'));
      const expected =      '---#';
      const subs     =      '^--!';
      expectObservable(source.pipe(collectText())).toBe(expected, undefined, new Error('dropped'));
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });
});
