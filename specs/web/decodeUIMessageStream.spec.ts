import { lastValueFrom, Observable, toArray } from 'rxjs';
import { createScheduler } from '../support/marbles';
import { decodeUIMessageStream, RemoteStreamError, toUIMessageStream, type UIMessageChunk } from '../../src';
import type { StreamPart } from '../../src/parts/types';

describe('decodeUIMessageStream', () => {
  it('maps chunks to parts as they come; an error chunk errors with RemoteStreamError and unsubscribes', () => {
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<UIMessageChunk>('-s-a-b-c-e-x|', {
        s: { type: 'start-step' },
        a: { type: 'text-start', id: 't' },
        b: { type: 'text-delta', id: 't', delta: '你好' },
        c: { type: 'reasoning-delta', id: 'r', delta: 'hm' },
        e: { type: 'error', errorText: 'model down' },
        x: { type: 'text-delta', id: 't', delta: 'never' },
      });
      const expected =                    '-s---b-c-#';
      const sourceSubs =                  '^--------!';
      expectObservable(source.pipe(decodeUIMessageStream())).toBe(
        expected,
        { s: { type: 'step-start', step: 0 }, b: { type: 'text', text: '你好' }, c: { type: 'reasoning', text: 'hm' } },
        new RemoteStreamError('model down', '你好'),
      );
      expectSubscriptions(source.subscriptions).toBe(sourceSubs);
    });
  });

  it('completes on abort (a stop), unsubscribing the source', () => {
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<UIMessageChunk>('-a-b-c-|', {
        a: { type: 'text-delta', id: 't', delta: 'x' },
        b: { type: 'abort' },
        c: { type: 'text-delta', id: 't', delta: 'y' },
      });
      const expected =                    '-a-|';
      const sourceSubs =                  '^--!';
      expectObservable(source.pipe(decodeUIMessageStream())).toBe(expected, { a: { type: 'text', text: 'x' } });
      expectSubscriptions(source.subscriptions).toBe(sourceSubs);
    });
  });

  it('round trip: toUIMessageStream then decodeUIMessageStream keeps text, tool calls, results and steps', async () => {
    const run: StreamPart[] = [
      { type: 'step-start', step: 0 },
      { type: 'text', text: 'Let me check 🔍' },
      { type: 'tool-call-start', id: 'c1', name: 'search', index: 0 },
      { type: 'tool-call-delta', id: 'c1', argsText: '{"q":"猫"}' },
      { type: 'tool-call', id: 'c1', name: 'search', args: { q: '猫' } },
      { type: 'step-finish', step: 0 },
      { type: 'tool-result', id: 'c1', name: 'search', content: ['a', 'b'], isError: false },
      { type: 'step-start', step: 1 },
      { type: 'text', text: 'Found 2.' },
      { type: 'step-finish', step: 1 },
      { type: 'finish', finishReason: 'stop' },
    ];
    const back = await lastValueFrom(
      new Observable<StreamPart>((s) => { run.forEach((p) => s.next(p)); s.complete(); }).pipe(toUIMessageStream(), decodeUIMessageStream(), toArray()),
    );
    expect(back).toEqual(run);
  });
});
