import { tokenize } from '../../src/offline/tokenize';
import { replyTo } from '../../src/offline/cannedReplies';

const HIGH_SURROGATE = /[\uD800-\uDBFF]$/;
const LOW_SURROGATE = /^[\uDC00-\uDFFF]/;

describe('tokenize', () => {
  const samples = [
    'Hello, world! It is a well-known fact.',
    'Python 是一种解释型语言。\n\n它很流行。',
    'Emoji 👨‍👩‍👧‍👦 family, flag 🇨🇳, skin tone 👋🏽, keycap 1️⃣.',
    '  leading spaces and trailing  ',
    'CRLF\r\nline',
    '',
  ];

  it.each(samples)('round-trips %p', (text) => {
    expect(tokenize(text).join('')).toBe(text);
  });

  it('never splits a surrogate pair or a grapheme cluster', () => {
    const seg = new Intl.Segmenter('und', { granularity: 'grapheme' });
    for (const text of samples) {
      const tokens = tokenize(text);
      for (let i = 0; i < tokens.length; i++) {
        expect(HIGH_SURROGATE.test(tokens[i])).toBe(false);
        expect(LOW_SURROGATE.test(tokens[i])).toBe(false);
        // each token is a whole number of the text's graphemes
        const inside = [...seg.segment(tokens[i])].map((s) => s.segment);
        expect(inside.join('')).toBe(tokens[i]);
      }
      const boundaries = new Set<number>([0]);
      let pos = 0;
      for (const { segment } of seg.segment(text)) boundaries.add((pos += segment.length));
      pos = 0;
      for (const token of tokens) expect(boundaries.has((pos += token.length))).toBe(true);
    }
  });

  it('puts CJK one or two characters per token', () => {
    const tokens = tokenize('流式输出能显著降低用户感知延迟');
    expect(tokens.every((t) => [...t].length >= 1 && [...t].length <= 2)).toBe(true);
    expect(tokens.some((t) => [...t].length === 2)).toBe(true);
    expect(tokens.some((t) => [...t].length === 1)).toBe(true);
  });

  it('keeps a Latin word whole with its leading space, punctuation alone', () => {
    expect(tokenize('Hello, big world!')).toEqual(['Hello', ',', ' big', ' world', '!']);
  });

  it('emits newlines as their own tokens', () => {
    expect(tokenize('a\n\nb')).toEqual(['a', '\n', '\n', 'b']);
  });
});

describe('tokenize and replyTo bad input', () => {
  it.each([null, undefined, 42, ['a']])('tokenize(%p) is a TypeError that names the value', (bad) => {
    expect(() => tokenize(bad as never)).toThrow(TypeError);
    expect(() => tokenize(bad as never)).toThrow(/^tokenize: text must be a string, got /);
  });

  it('replyTo(null) is a TypeError that names the value', () => {
    expect(() => replyTo(null as never)).toThrow('replyTo: question must be a string, got null.');
  });
});
