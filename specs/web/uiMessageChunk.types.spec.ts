/**
 * Our `UIMessageChunk` declaration against the AI SDK's own type (checked by `npm run typecheck`):
 * every chunk we can send is one the SDK accepts, with no field the SDK does not document.
 */
import type { UIMessageChunk as SdkChunk } from 'ai';
import { uiMessageChunkSchema } from 'ai';
import type { UIMessageChunk } from '../../src';

/** The keys of our chunk type `C` that the SDK's chunk of the same `type` lacks (never = none). */
type ExtraKeys<C> = C extends { type: infer T } ? Exclude<keyof C, keyof Extract<SdkChunk, { type: T }>> : never;
type Assert<T extends true> = T;
type NoExtraKeys = Assert<[ExtraKeys<UIMessageChunk>] extends [never] ? true : false>;
type Assignable = Assert<UIMessageChunk extends SdkChunk ? true : false>;
/** And the SDK has no chunk type we do not know of (so `decodeUIMessageStream` sees them all). */
type Unknown = Assert<[Exclude<SdkChunk['type'], UIMessageChunk['type']>] extends [never] ? true : false>;

describe('UIMessageChunk', () => {
  it('matches the AI SDK type (compile-time) and passes the SDK schema for one chunk of each kind we send', async () => {
    const checks: [NoExtraKeys, Assignable, Unknown] = [true, true, true];
    expect(checks).toEqual([true, true, true]);
    const samples: UIMessageChunk[] = [
      { type: 'start', messageId: 'm' },
      { type: 'start-step' },
      { type: 'text-start', id: 't' },
      { type: 'text-delta', id: 't', delta: '你好😀' },
      { type: 'text-end', id: 't' },
      { type: 'reasoning-start', id: 'r' },
      { type: 'reasoning-delta', id: 'r', delta: 'hm' },
      { type: 'reasoning-end', id: 'r' },
      { type: 'tool-input-start', toolCallId: 'c', toolName: 'add', dynamic: true },
      { type: 'tool-input-delta', toolCallId: 'c', inputTextDelta: '{' },
      { type: 'tool-input-available', toolCallId: 'c', toolName: 'add', input: { a: 1 } },
      { type: 'tool-input-error', toolCallId: 'c', toolName: 'add', input: '{', errorText: 'bad' },
      { type: 'tool-output-available', toolCallId: 'c', output: null },
      { type: 'tool-output-error', toolCallId: 'c', errorText: 'failed' },
      { type: 'data-progress', data: { chars: 1 }, transient: true },
      { type: 'finish-step' },
      { type: 'message-metadata', messageMetadata: { usage: null, firstChunkMs: 3 } },
      { type: 'finish', finishReason: 'tool-calls' },
      { type: 'abort', reason: 'stop' },
      { type: 'error', errorText: 'boom' },
    ];
    const schema = uiMessageChunkSchema();
    for (const sample of samples) {
      const result = await schema.validate!(JSON.parse(JSON.stringify(sample)));
      expect(result).toEqual({ success: true, value: sample });
    }
  });
});
