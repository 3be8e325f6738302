import { decodeEntry, encodeEntry, eventsOf } from '../../../src/node/redis/entryCodec';
import { compareIds, eventIdAt, indexInEntry, newIdClock, takeIds } from '../../../src/node/redis/entryIds';
import { encodeFrame, newCodec } from '../../../src/node/redis/frameCodec';

/** UI message stream frames mixing Chinese, emoji (two share a high surrogate), ZWJ sequences, flags and digits. */
const DELTAS = ['你', '好', '🐍', '🐎', '👨‍👩‍👧', '🇨🇳', 'e\u0301', ' ', '', '12', '"\\n', 'Python 是一种编程语言'];
const frame = (delta: string): string => `data: ${JSON.stringify({ type: 'text-delta', id: 'text-1', delta })}\n\n`;
const FRAMES = [
  'data: {"type":"start","messageId":"msg-1"}\n\n',
  'data: {"type":"text-start","id":"text-1"}\n\n',
  ...Array.from({ length: 90 }, (_, i) => frame(DELTAS[i % DELTAS.length])),
  'event: chunk\ndata: {"text":"1=2:3.4"}\n\n',
  'data: {"type":"finish"}\n\n',
];

/** The frames in entries of `size` events, as a producer stores them. */
function entries(frames: string[], size: number): string[] {
  const codec = newCodec();
  const values: string[] = [];
  for (let i = 0; i < frames.length; i += size) values.push(encodeEntry(codec, frames.slice(i, i + size)));
  return values;
}

describe('entryCodec (several events in one stream entry, decision 0320)', () => {
  it.each([1, 2, 5, 64])('gives every event back byte for byte, %i per entry, through UTF-8, every value well-formed', (size) => {
    const values = entries(FRAMES, size);
    for (const value of values) expect(value.isWellFormed()).toBe(true);
    const viaUtf8 = values.map((value) => Buffer.from(value, 'utf8').toString('utf8'));
    const reader = newCodec();
    expect(viaUtf8.flatMap((value) => decodeEntry(reader, value))).toEqual(FRAMES);
  });

  it('stores a run of tokens as their own characters plus their lengths; the shared head and tail said once per entry', () => {
    const [value] = entries([frame('第一'), frame('是'), frame('🐍'), frame('🐎'), frame('好的')], 5);
    expect(value).toBe(`${frame('第一').length}=${frame('第一')}50.4.1:是2:🐍2:🐎2:好的`);
  });

  it('a reader without the keyframe gets undefined for the differences (trimmed with it), then decodes from the next keyframe', () => {
    const values = entries(FRAMES, 5);
    const late = newCodec();
    const events = values.slice(1).flatMap((value) => decodeEntry(late, value));
    const first = events.findIndex((event) => event !== undefined);
    expect(first).toBeGreaterThan(0);
    expect(events.slice(0, first).every((event) => event === undefined)).toBe(true);
    expect(events.slice(first)).toEqual(FRAMES.slice(5 + first));
  });

  it('a malformed value gives the events before the fault', () => {
    const codec = newCodec();
    expect(decodeEntry(codec, '3=abc2:x')).toEqual(['abc']); // a difference before any `p.s`
    expect(decodeEntry(codec, '3=abc9=short')).toEqual(['abc']); // shorter than its length
    expect(decodeEntry(codec, '1.1.1:X?')).toEqual(['aXc']);
    expect(decodeEntry(codec, 'x')).toEqual([]);
  });

  it('reads the entries of decision 0280 (`f`) and before it (`d`), and none of an end marker', () => {
    const codec = newCodec();
    expect(eventsOf(codec, { f: encodeFrame(newCodec(), frame('你')) })).toEqual([frame('你')]);
    expect(eventsOf(codec, { f: '50.4:是' })).toEqual([frame('是')]);
    expect(eventsOf(codec, { d: 'data: x\n\n' })).toEqual(['data: x\n\n']);
    expect(eventsOf(codec, { end: 'done' })).toEqual([]);
  });
});

describe('entryIds (an entry of k events takes k consecutive stream ids)', () => {
  it('gives each entry an id above the last event of the one before, whatever the clock does', () => {
    const clock = newIdClock();
    expect(takeIds(clock, 0, 3)).toBe('0-1'); // 0-0 is no stream id; events 0-1, 0-2, 0-3
    expect(takeIds(clock, 0, 1)).toBe('0-4');
    expect(takeIds(clock, 1700000000000, 5)).toBe('1700000000000-0');
    expect(takeIds(clock, 1699999999999, 2)).toBe('1700000000000-5'); // the clock went back: the next sequence numbers
    expect(takeIds(clock, 1700000000001.7, 1)).toBe('1700000000001-0');
  });

  it("numbers an entry's events after its id, in the order of stream ids", () => {
    expect([0, 1, 2].map((j) => eventIdAt('17-5', j))).toEqual(['17-5', '17-6', '17-7']);
    expect(indexInEntry('17-5', '17-7')).toBe(2);
    expect(indexInEntry('17-5', '18-7')).toBe(-1);
    expect(compareIds('17-10', '17-9')).toBeGreaterThan(0);
    expect(compareIds('9-10', '17-9')).toBeLessThan(0);
  });
});
