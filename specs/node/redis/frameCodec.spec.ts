import { decodeFrame, encodeFrame, KEYFRAME_EVERY, newCodec } from '../../../src/node/redis/frameCodec';

/** UI message stream frames of a reply mixing Chinese, emoji (a pair's halves shared with the next), ZWJ sequences and flags. */
const DELTAS = ['你', '好', '🐍', '🐎', '👨‍👩‍👧', '👨‍👩‍👦', '🇨🇳', '🇯🇵', 'é', 'e\u0301', ' ', '', '"\\n', 'Python 是一种编程语言'];
const frame = (delta: string): string => `data: ${JSON.stringify({ type: 'text-delta', id: 'text-1', delta })}\n\n`;
const FRAMES = [
  'data: {"type":"start","messageId":"msg-1"}\n\n',
  'data: {"type":"text-start","id":"text-1"}\n\n',
  ...Array.from({ length: 100 }, (_, i) => frame(DELTAS[i % DELTAS.length])),
  'event: chunk\ndata: {"text":"😀"}\n\n',
  'data: {"type":"finish"}\n\n',
];

describe('frameCodec (how RedisReplyLog stores an event, decision 0280)', () => {
  const encodeAll = (frames: string[]): string[] => {
    const codec = newCodec();
    return frames.map((f) => encodeFrame(codec, f));
  };

  it('gives every event back byte for byte, each stored part well-formed (no split surrogate pair)', () => {
    const stored = encodeAll(FRAMES);
    const reader = newCodec();
    expect(stored.map((value) => decodeFrame(reader, value))).toEqual(FRAMES);
    for (const value of stored) expect(value.isWellFormed()).toBe(true);
    // Through UTF-8, as Redis keeps it: nothing changes.
    const viaUtf8 = stored.map((value) => Buffer.from(value, 'utf8').toString('utf8'));
    const again = newCodec();
    expect(viaUtf8.map((value) => decodeFrame(again, value))).toEqual(FRAMES);
  });

  it('stores a token frame as its few differing characters, not the whole JSON frame', () => {
    const stored = encodeAll([frame('第一'), frame('是'), frame('🐍')]);
    expect(stored).toEqual([`=${frame('第一')}`, '50.4:是', '50.4:🐍']);
  });

  it('never splits a surrogate pair, even where two emoji share their first half', () => {
    // 🐍 U+1F40D and 🐎 U+1F40E share the high surrogate \uD83D.
    const [, second] = encodeAll([frame('🐍'), frame('🐎')]);
    expect(second).toBe('50.4:🐎');
  });

  it(`writes a keyframe at least every ${KEYFRAME_EVERY} entries, and whenever a difference would not save most of the frame`, () => {
    const stored = encodeAll(Array.from({ length: 100 }, (_, i) => frame(String(i % 10))));
    const keyframes = stored.flatMap((value, i) => (value.startsWith('=') ? [i] : []));
    expect(keyframes).toEqual([0, 32, 64, 96]);
    expect(encodeAll(['data: {"type":"start-step"}\n\n', 'data: {"type":"text-start","id":"text-1"}\n\n']).map((v) => v[0])).toEqual(['=', '=']);
  });

  it('a reader starting at a keyframe decodes what follows; a difference without its keyframe is undefined (trimmed with it)', () => {
    const stored = encodeAll(FRAMES);
    const late = newCodec();
    const from = stored.findIndex((value, i) => i > 2 && value.startsWith('='));
    expect(decodeFrame(newCodec(), stored[from + 1])).toBeUndefined();
    expect(stored.slice(from).map((value) => decodeFrame(late, value))).toEqual(FRAMES.slice(from));
    expect(decodeFrame(late, '1.x:?')).toBeUndefined();
    expect(decodeFrame(late, '99999.0:?')).toBeUndefined();
  });
});
