import { createScheduler } from '../support/marbles';
import { SSE_HEARTBEAT } from '../../src/web/serverSentEventFrame';
import { toUIMessageStreamFrames } from '../../src/web/uiMessageStreamFrames';
import type { StreamPart } from '../../src/parts/types';

const f = (chunk: object): string => `data: ${JSON.stringify(chunk)}\n\n`;
const DONE = 'data: [DONE]\n\n';

describe('UI message stream frames', () => {
  it('one data line per chunk, [DONE] last, a ping after a heartbeatMs window without a frame', () => {
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-------------b|', { a: 'x\ny', b: 'z' });
      const expected =    's(ijk)------p--b(xyzd|)';
      const sourceSubs =  '^---------------!';
      const frames = source.pipe(toUIMessageStreamFrames({ messageId: 'm', heartbeatMs: 6 }));
      expectObservable(frames).toBe(expected, {
        s: f({ type: 'start', messageId: 'm' }),
        i: f({ type: 'start-step' }),
        j: f({ type: 'text-start', id: 'text-1' }),
        k: f({ type: 'text-delta', id: 'text-1', delta: 'x\ny' }),
        p: SSE_HEARTBEAT,
        b: f({ type: 'text-delta', id: 'text-1', delta: 'z' }),
        x: f({ type: 'text-end', id: 'text-1' }),
        y: f({ type: 'finish-step' }),
        z: f({ type: 'finish' }),
        d: DONE,
      });
      expectSubscriptions(source.subscriptions).toBe(sourceSubs);
    });
  });

  it('[DONE] also follows an error chunk; a tool output JSON cannot encode ends the stream the same way and unsubscribes', () => {
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const bigint = { type: 'tool-result', id: 'c', name: 'n', content: { n: 1n }, isError: false } as StreamPart;
      const source = cold<StreamPart>('-a-----b-|', { a: { type: 'tool-call', id: 'c', name: 'n', args: {} }, b: bigint });
      const expected =                's(ai)--(yed|)';
      const sourceSubs =              '^------!';
      expectObservable(source.pipe(toUIMessageStreamFrames({ messageId: 'm', heartbeatMs: 0 }))).toBe(expected, {
        s: f({ type: 'start', messageId: 'm' }),
        a: f({ type: 'start-step' }),
        i: f({ type: 'tool-input-available', toolCallId: 'c', toolName: 'n', input: {} }),
        y: f({ type: 'finish-step' }),
        e: f({ type: 'error', errorText: 'Do not know how to serialize a BigInt' }),
        d: DONE,
      });
      expectSubscriptions(source.subscriptions).toBe(sourceSubs);
    });
  });
});
