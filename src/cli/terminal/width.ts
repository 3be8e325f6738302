/**
 * Display width of CJK / emoji text and cutting text to a width between
 * graphemes. `fitToWidth` segments only the part it keeps (a bounded window at
 * the start or end), so its cost does not grow with the text: lanes redraw the
 * end of a long answer on every chunk.
 */
import { assertString, describeValue } from './output';
import { stripAnsi } from './control';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

// East Asian Wide / Fullwidth ranges (Unicode 15 EastAsianWidth W and F, condensed).
const WIDE_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x1100, 0x115f], [0x231a, 0x231b], [0x2329, 0x232a], [0x23e9, 0x23ec], [0x23f0, 0x23f0], [0x23f3, 0x23f3],
  [0x25fd, 0x25fe], [0x2614, 0x2615], [0x2648, 0x2653], [0x267f, 0x267f], [0x2693, 0x2693], [0x26a1, 0x26a1],
  [0x26aa, 0x26ab], [0x26bd, 0x26be], [0x26c4, 0x26c5], [0x26ce, 0x26ce], [0x26d4, 0x26d4], [0x26ea, 0x26ea],
  [0x26f2, 0x26f3], [0x26f5, 0x26f5], [0x26fa, 0x26fa], [0x26fd, 0x26fd], [0x2705, 0x2705], [0x270a, 0x270b],
  [0x2728, 0x2728], [0x274c, 0x274c], [0x274e, 0x274e], [0x2753, 0x2755], [0x2757, 0x2757], [0x2795, 0x2797],
  [0x27b0, 0x27b0], [0x27bf, 0x27bf], [0x2b1b, 0x2b1c], [0x2b50, 0x2b50], [0x2b55, 0x2b55],
  [0x2e80, 0x303e], [0x3041, 0x33ff], [0x3400, 0x4dbf], [0x4e00, 0x9fff], [0xa000, 0xa4cf], [0xa960, 0xa97f],
  [0xac00, 0xd7a3], [0xf900, 0xfaff], [0xfe10, 0xfe19], [0xfe30, 0xfe6f], [0xff00, 0xff60], [0xffe0, 0xffe6],
  [0x16fe0, 0x16fe4], [0x17000, 0x18cff], [0x1b000, 0x1b2ff], [0x1f004, 0x1f004], [0x1f0cf, 0x1f0cf],
  [0x1f18e, 0x1f18e], [0x1f191, 0x1f19a], [0x1f200, 0x1f202], [0x1f210, 0x1f23b], [0x1f240, 0x1f248],
  [0x1f250, 0x1f251], [0x1f260, 0x1f265], [0x1f300, 0x1f64f], [0x1f680, 0x1f6ff], [0x1f7e0, 0x1f7eb],
  [0x1f90c, 0x1f9ff], [0x1fa70, 0x1faff], [0x20000, 0x2fffd], [0x30000, 0x3fffd],
];

function isWide(codePoint: number): boolean {
  let lo = 0;
  let hi = WIDE_RANGES.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b] = WIDE_RANGES[mid];
    if (codePoint < a) hi = mid - 1;
    else if (codePoint > b) lo = mid + 1;
    else return true;
  }
  return false;
}

const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}\p{Cc}]+$/u;

function graphemeWidth(g: string): number {
  if (ZERO_WIDTH.test(g)) return 0;
  if (g.includes('\uFE0F')) return 2; // emoji presentation selector
  return isWide(g.codePointAt(0)!) ? 2 : 1;
}

function graphemes(text: string): string[] {
  return Array.from(segmenter.segment(text), (s) => s.segment);
}

/**
 * Columns `text` takes in a terminal: CJK and emoji graphemes are 2, combining
 * marks and control characters 0, escape sequences are ignored. A grapheme
 * (`👨‍👩‍👧`, `é` as e + ◌́) is measured as one unit. Meant for a line or a
 * label; cut long text with {@link fitToWidth}, which reads only what it keeps.
 *
 * @example
 * ```ts
 * displayWidth('Python 很好 🐍'); // 14
 * ```
 */
export function displayWidth(text: string): number {
  assertString('displayWidth: text', text);
  let width = 0;
  for (const { segment } of segmenter.segment(stripAnsi(text))) width += graphemeWidth(segment);
  return width;
}

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number): boolean => code >= 0xdc00 && code <= 0xdfff;

/**
 * The graphemes at the start (or end) of `text` inside a window of `size` code
 * units, and whether the window held the whole text. The grapheme at the window's
 * inner edge may be cut by it, so it is dropped unless the window is the whole text.
 */
function windowGraphemes(text: string, size: number, from: 'start' | 'end'): { parts: string[]; whole: boolean } {
  if (size >= text.length) return { parts: graphemes(text), whole: true };
  if (from === 'start') {
    let end = size;
    if (isHighSurrogate(text.charCodeAt(end - 1))) end--;
    const parts = graphemes(text.slice(0, end));
    parts.pop();
    return { parts, whole: false };
  }
  let start = text.length - size;
  if (isLowSurrogate(text.charCodeAt(start))) start++;
  const parts = graphemes(text.slice(start));
  parts.shift();
  return { parts, whole: false };
}

/**
 * The longest prefix (`from: 'start'`) or suffix (`from: 'end'`) of plain `text`
 * that fits in `columns`, cut between graphemes (never inside a surrogate pair or
 * an emoji sequence). When text was cut, `ellipsis` is added on the cut side and
 * counted in the width. `text` must not contain escape sequences. Only a window of
 * about `4 × columns` code units is segmented, however long `text` is.
 *
 * @example
 * ```ts
 * fitToWidth('详细介绍Python的历史', 10);               // '详细介绍P…'
 * fitToWidth('详细介绍Python的历史', 10, { from: 'end' }); // '…hon的历史'
 * ```
 */
export function fitToWidth(text: string, columns: number, options?: { from?: 'start' | 'end'; ellipsis?: string }): string {
  assertString('fitToWidth: text', text);
  if (typeof columns !== 'number' || !Number.isInteger(columns) || columns < 0) {
    throw new RangeError(`fitToWidth: columns must be an integer >= 0, got ${describeValue(columns)}.`);
  }
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError(`fitToWidth: options must be an object, got ${describeValue(options)}.`);
  }
  const from = options?.from ?? 'start';
  if (from !== 'start' && from !== 'end') throw new TypeError(`fitToWidth: options.from must be 'start' or 'end', got ${describeValue(from)}.`);
  const ellipsis = options?.ellipsis ?? '…';
  const room = columns - displayWidth(ellipsis);
  for (let size = 4 * columns + 64; ; size *= 2) {
    const { parts, whole } = windowGraphemes(text, size, from);
    if (from === 'end') parts.reverse();
    let width = 0;
    let kept = 0; // graphemes that fit in `room`
    let all = 0; // graphemes that fit in `columns` (no ellipsis needed if the text ends there)
    let overflow = false;
    for (const part of parts) {
      const w = graphemeWidth(part);
      if (width + w > columns) {
        overflow = true;
        break;
      }
      width += w;
      all++;
      if (width <= room) kept = all;
    }
    if (!overflow && whole) return text; // it all fits
    if (!overflow) continue; // only zero-width graphemes so far: look further
    if (room < 0) return '';
    const piece = parts.slice(0, kept);
    return from === 'end' ? ellipsis + piece.reverse().join('') : piece.join('') + ellipsis;
  }
}
