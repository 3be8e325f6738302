/**
 * Terminal helpers for streaming chat output: colours that respect TTY and
 * NO_COLOR, display width of CJK / emoji text, a status line pinned to the
 * bottom row, and labelled lanes for several concurrent streams.
 *
 * Everything writes to a stream you pass (`process.stdout` or a test double)
 * and nothing is buffered: each call writes at once, so output is flushed as it
 * arrives. Escape sequences are only written when the stream is a TTY.
 */
import { assertObject, describe } from '../internal/validate';
import { graphemesOf } from '../internal/graphemes';

/** The part of a `NodeJS.WriteStream` the helpers use; a plain `Writable` works (not a TTY). */
export interface TerminalOutput {
  write(chunk: string): unknown;
  /** True for a terminal. Without it, helpers write plain text (no escapes). */
  isTTY?: boolean;
  /** Terminal width in columns (TTY only). Default 80. */
  columns?: number;
  /** Terminal height in rows (TTY only). Default 24. */
  rows?: number;
}

const ESC = '\x1b[';

function assertOutput(where: string, out: unknown): asserts out is TerminalOutput {
  if (typeof out !== 'object' || out === null || typeof (out as TerminalOutput).write !== 'function') {
    throw new TypeError(`${where}: out must be a writable stream with a write(string) method, got ${describe(out)}.`);
  }
}

/**
 * True when colours may be written to `out`: it is a TTY and the `NO_COLOR`
 * environment variable is unset or empty (https://no-color.org).
 *
 * @example
 * ```ts
 * const c = createColors(supportsColor(process.stdout));
 * process.stdout.write(c.green('done') + '\n');
 * ```
 */
export function supportsColor(out: TerminalOutput, env: NodeJS.ProcessEnv = process.env): boolean {
  assertOutput('supportsColor', out);
  return Boolean(out.isTTY) && !env.NO_COLOR;
}

/** A styler: wraps text in an SGR sequence, or returns it unchanged when colours are off. */
export type Style = (text: string) => string;

/** The styles of {@link createColors}. */
export interface Colors {
  /** Whether the styles add escape sequences. */
  readonly enabled: boolean;
  readonly bold: Style;
  readonly dim: Style;
  readonly red: Style;
  readonly green: Style;
  readonly yellow: Style;
  readonly blue: Style;
  readonly magenta: Style;
  readonly cyan: Style;
  readonly gray: Style;
}

const SGR: Record<Exclude<keyof Colors, 'enabled'>, [number, number]> = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
  gray: [90, 39],
};

/**
 * ANSI colour functions; with `enabled` false every function returns its input
 * unchanged, so callers never branch on colour support.
 *
 * @example
 * ```ts
 * const c = createColors(supportsColor(process.stdout));
 * process.stdout.write(`${c.cyan('AI:')} ${reply}\n`);
 * ```
 */
export function createColors(enabled: boolean): Colors {
  if (typeof enabled !== 'boolean') throw new TypeError(`createColors: enabled must be a boolean, got ${describe(enabled)}.`);
  const make = ([open, close]: [number, number]): Style =>
    enabled ? (text) => `${ESC}${open}m${text}${ESC}${close}m` : (text) => text;
  const styles = Object.fromEntries(Object.entries(SGR).map(([name, codes]) => [name, make(codes)]));
  return { enabled, ...styles } as unknown as Colors;
}

// CSI (ESC [ … final), OSC (ESC ] … BEL / ST) and two-character escapes such as ESC 7.
const ANSI_PATTERN = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_7-8]/g;

/**
 * Removes ANSI escape sequences (colours, cursor movement) from `text`.
 *
 * @example
 * ```ts
 * stripAnsi('\x1b[32mok\x1b[39m'); // 'ok'
 * ```
 */
export function stripAnsi(text: string): string {
  if (typeof text !== 'string') throw new TypeError(`stripAnsi: text must be a string, got ${describe(text)}.`);
  return text.replace(ANSI_PATTERN, '');
}


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

/**
 * Columns `text` takes in a terminal: CJK and emoji graphemes are 2, combining
 * marks and control characters 0, escape sequences are ignored. A grapheme
 * (`👨‍👩‍👧`, `é` as e + ◌́) is measured as one unit.
 *
 * @example
 * ```ts
 * displayWidth('Python 很好 🐍'); // 14
 * ```
 */
export function displayWidth(text: string): number {
  if (typeof text !== 'string') throw new TypeError(`displayWidth: text must be a string, got ${describe(text)}.`);
  let width = 0;
  for (const segment of graphemesOf(stripAnsi(text))) width += graphemeWidth(segment);
  return width;
}

/**
 * The longest prefix (`from: 'start'`) or suffix (`from: 'end'`) of plain `text`
 * that fits in `columns`, cut between graphemes (never inside a surrogate pair or
 * an emoji sequence). When text was cut, `ellipsis` is added on the cut side and
 * counted in the width. `text` must not contain escape sequences.
 *
 * @example
 * ```ts
 * fitToWidth('详细介绍Python的历史', 10);               // '详细介绍P…'
 * fitToWidth('详细介绍Python的历史', 10, { from: 'end' }); // '…hon的历史'
 * ```
 */
export function fitToWidth(text: string, columns: number, options?: { from?: 'start' | 'end'; ellipsis?: string }): string {
  if (typeof text !== 'string') throw new TypeError(`fitToWidth: text must be a string, got ${describe(text)}.`);
  if (typeof columns !== 'number' || !Number.isInteger(columns) || columns < 0) {
    throw new RangeError(`fitToWidth: columns must be an integer >= 0, got ${describe(columns)}.`);
  }
  assertObject('fitToWidth: options', options);
  const from = options?.from ?? 'start';
  if (from !== 'start' && from !== 'end') throw new TypeError(`fitToWidth: options.from must be 'start' or 'end', got ${describe(from)}.`);
  const ellipsis = options?.ellipsis ?? '…';
  if (displayWidth(text) <= columns) return text;
  const room = columns - displayWidth(ellipsis);
  if (room < 0) return '';
  const parts = Array.from(graphemesOf(text));
  if (from === 'end') parts.reverse();
  let width = 0;
  let kept = 0;
  for (const part of parts) {
    const w = graphemeWidth(part);
    if (width + w > room) break;
    width += w;
    kept++;
  }
  const piece = parts.slice(0, kept);
  return from === 'end' ? ellipsis + piece.reverse().join('') : piece.join('') + ellipsis;
}

/** A status line of {@link createStatusLine}. */
export interface StatusLine {
  /** Whether it draws at all (the output is a TTY). */
  readonly enabled: boolean;
  /** Shows `text` (cut to the terminal width) on the reserved bottom row. */
  update(text: string): void;
  /** Clears the row and gives it back to the scrolling text. Safe to call twice. */
  close(): void;
}

/**
 * A status line pinned to the bottom row of a TTY while text streams above it,
 * the way `apt` shows its progress bar: the scrolling region is set to every row
 * but the last, so streamed text never overwrites the status and the status never
 * interleaves with the text. On anything that is not a TTY (a pipe, a file, a test
 * buffer) every method does nothing, so piped output stays clean. Call `close()`
 * when the stream ends (also on error and Ctrl-C) to restore the terminal.
 *
 * @example
 * ```ts
 * const status = createStatusLine(process.stdout);
 * source.pipe(tapProgress((p) => status.update(`${p.chars} 字`), { everyChars: 20 }))
 *   .subscribe({ next: (t) => process.stdout.write(t), complete: () => status.close() });
 * ```
 */
export function createStatusLine(out: TerminalOutput): StatusLine {
  assertOutput('createStatusLine', out);
  if (!out.isTTY) return { enabled: false, update() {}, close() {} };
  let rows = 0;
  let open = true;
  let text = '';
  const reserve = (): void => {
    rows = Math.max(2, out.rows ?? 24);
    // Make room below the cursor (scrolls if it is on the last row), then limit scrolling
    // to rows 1..rows-1; DECSTBM homes the cursor, so save and restore around it.
    out.write(`\n${ESC}1A\x1b7${ESC}1;${rows - 1}r\x1b8`);
  };
  const draw = (): void => {
    const columns = Math.max(1, (out.columns ?? 80) - 1);
    out.write(`\x1b7${ESC}${rows};1H${ESC}2K${fitToWidth(stripAnsi(text).replace(/\s+/g, ' '), columns)}\x1b8`);
  };
  reserve();
  return {
    enabled: true,
    update(next) {
      if (typeof next !== 'string') throw new TypeError(`StatusLine.update: text must be a string, got ${describe(next)}.`);
      if (!open) return;
      text = next;
      if ((out.rows ?? 24) !== rows) {
        out.write(`\x1b7${ESC}${rows};1H${ESC}2K${ESC}r\x1b8`);
        reserve();
      }
      draw();
    },
    close() {
      if (!open) return;
      open = false;
      out.write(`\x1b7${ESC}${rows};1H${ESC}2K${ESC}r\x1b8`);
    },
  };
}

/** Options of {@link createLanes}. */
export interface LanesOptions {
  /** Style for the labels (e.g. a colour from {@link createColors}). Default: unchanged. */
  labelStyle?: Style;
}

/** Labelled lanes of {@link createLanes}. */
export interface Lanes {
  /** `'redraw'` on a TTY (one live line per lane), `'lines'` otherwise (labelled lines). */
  readonly mode: 'redraw' | 'lines';
  /** Appends streamed `text` to lane `index`. */
  append(index: number, text: string): void;
  /** Marks lane `index` finished (prints its last partial line in `'lines'` mode). */
  finish(index: number, note?: string): void;
  /** The whole text of lane `index` so far. */
  text(index: number): string;
  /** Finishes every lane and moves the cursor below the lanes. Safe to call twice. */
  close(): void;
}

/**
 * Shows several concurrent text streams side by side as labelled lanes.
 *
 * - On a TTY, each lane is one line `label │ …latest text` redrawn in place with
 *   ANSI cursor movement, so three streams can be watched at once.
 * - Elsewhere (piped, in a file, in a test) each lane prints whole lines prefixed
 *   with its label as they complete, so output from concurrent streams never
 *   interleaves mid-line and stays greppable.
 *
 * @example
 * ```ts
 * const lanes = createLanes(process.stdout, ['[问题1]', '[问题2]']);
 * merge(a$.pipe(map((t) => [0, t] as const)), b$.pipe(map((t) => [1, t] as const)))
 *   .subscribe({ next: ([i, t]) => lanes.append(i, t), complete: () => lanes.close() });
 * ```
 */
export function createLanes(out: TerminalOutput, labels: readonly string[], options?: LanesOptions): Lanes {
  assertOutput('createLanes', out);
  if (!Array.isArray(labels) || labels.length === 0 || labels.some((l) => typeof l !== 'string')) {
    throw new TypeError(`createLanes: labels must be a non-empty array of strings, got ${describe(labels)}.`);
  }
  assertObject('createLanes: options', options);
  const style = options?.labelStyle ?? ((s: string) => s);
  const mode = out.isTTY ? 'redraw' : 'lines';
  const labelWidth = Math.max(...labels.map(displayWidth));
  const texts = labels.map(() => '');
  const pending = labels.map(() => '');
  const notes: string[] = labels.map(() => '');
  const finished = labels.map(() => false);
  let closed = false;
  const check = (where: string, index: number): void => {
    if (!Number.isInteger(index) || index < 0 || index >= labels.length) {
      throw new RangeError(`Lanes.${where}: index must be an integer from 0 to ${labels.length - 1}, got ${describe(index)}.`);
    }
  };
  const label = (i: number): string => style(labels[i] + ' '.repeat(labelWidth - displayWidth(labels[i])));

  const drawLine = (i: number): string => {
    const columns = Math.max(10, (out.columns ?? 80) - 1);
    const room = Math.max(1, columns - labelWidth - 3 - displayWidth(notes[i]));
    const flat = stripAnsi(texts[i]).replace(/\s+/g, ' ');
    return `${ESC}2K${label(i)} │ ${fitToWidth(flat, room, { from: 'end' })}${notes[i]}`;
  };
  const redraw = (): void => {
    let frame = `${ESC}${labels.length}A`;
    for (let i = 0; i < labels.length; i++) frame += `\r${drawLine(i)}\n`;
    out.write(frame);
  };
  if (mode === 'redraw') {
    let frame = '';
    for (let i = 0; i < labels.length; i++) frame += `${drawLine(i)}\n`;
    out.write(frame);
  }

  const flushLines = (i: number, all: boolean): void => {
    const lines = pending[i].split('\n');
    pending[i] = all ? '' : lines.pop()!;
    if (all && lines[lines.length - 1] === '') lines.pop();
    let chunk = '';
    for (const line of lines) chunk += `${label(i)} ${line}\n`;
    if (chunk) out.write(chunk);
  };

  return {
    mode,
    append(index, text) {
      check('append', index);
      if (typeof text !== 'string') throw new TypeError(`Lanes.append: text must be a string, got ${describe(text)}.`);
      if (closed || finished[index] || text === '') return;
      texts[index] += text;
      if (mode === 'redraw') redraw();
      else {
        pending[index] += text;
        if (text.includes('\n')) flushLines(index, false);
      }
    },
    finish(index, note = '') {
      check('finish', index);
      if (closed || finished[index]) return;
      finished[index] = true;
      notes[index] = note ? ` ${note}` : '';
      if (mode === 'redraw') redraw();
      else {
        flushLines(index, true);
        if (note) out.write(`${label(index)} ${note}\n`);
      }
    },
    text(index) {
      check('text', index);
      return texts[index];
    },
    close() {
      if (closed) return;
      for (let i = 0; i < labels.length; i++) if (!finished[i] && mode === 'lines') flushLines(i, true);
      closed = true;
    },
  };
}
