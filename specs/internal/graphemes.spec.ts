import { graphemesOf } from '../../src/internal/graphemes';

const whole = (text: string): string[] =>
  [...new Intl.Segmenter('und', { granularity: 'grapheme' }).segment(text)].map((s) => s.segment);

describe('graphemesOf (windowed grapheme segmentation)', () => {
  const base = 'Python 是一种解释型语言 🐍 👨‍👩‍👧‍👦 👋🏽 1️⃣ ';
  it.each([
    ['short text', base],
    ['long mixed text over many windows', base.repeat(400)],
    ['a run of regional indicators (flag pairs) across window edges', '🇨🇳🇺🇸🇯🇵'.repeat(500) + '🇫'],
    ['CRLF pairs across window edges', 'ab\r\n'.repeat(1000)],
    ['one cluster longer than a window', 'x' + 'a' + '\u0301'.repeat(5000) + 'y'.repeat(3000)],
    ['lone surrogates', 'a\uD800b\uDC00c'.repeat(600)],
    ['empty text', ''],
  ])('matches whole-text Intl.Segmenter for %s', (_name, text) => {
    expect([...graphemesOf(text)]).toEqual(whole(text));
  });
});

describe('graphemesOf on random mixes (seeded)', () => {
  const pieces = ['a', ' ', '中', '文', '👨‍👩‍👧‍👦', '👋🏽', '🇨🇳', '🇺', '\r\n', '\n', 'e\u0301', '\u200d', '1️⃣', 'ก', 'ำ', '한', '\uD800'];
  let seed = 42;
  const random = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  it('matches whole-text Intl.Segmenter for 30 random texts of 3–6 KB', () => {
    for (let i = 0; i < 30; i++) {
      let text = '';
      const length = 3000 + Math.floor(random() * 3000);
      while (text.length < length) text += pieces[Math.floor(random() * pieces.length)];
      expect([...graphemesOf(text)]).toEqual(whole(text));
    }
  });
});
