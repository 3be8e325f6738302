/** Labelled lanes for several concurrent text streams. */
import { assertOutput, describeValue, type TerminalOutput } from './output';
import { safeText } from './control';
import type { Style } from './colors';
import { displayWidth, fitToWidth } from './width';

const CSI = '\x1b[';

/** Options of {@link createLanes}. */
export interface LanesOptions {
  /** Style for the labels (e.g. a colour from `createColors`). Default: unchanged. */
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
  /** The whole text of lane `index` so far, as received (not made safe: pass it through `safeText` before a terminal). */
  text(index: number): string;
  /** Finishes every lane and moves the cursor below the lanes. Safe to call twice. */
  close(): void;
}

function checkLanesArguments(out: TerminalOutput, labels: readonly string[], options?: LanesOptions): void {
  assertOutput('createLanes', out);
  if (!Array.isArray(labels) || labels.length === 0 || labels.some((l) => typeof l !== 'string')) {
    throw new TypeError(`createLanes: labels must be a non-empty array of strings, got ${describeValue(labels)}.`);
  }
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError(`createLanes: options must be an object, got ${describeValue(options)}.`);
  }
}

/**
 * Shows several concurrent text streams side by side as labelled lanes. Lane
 * text goes through `safeText`, so a model cannot move the cursor or set the
 * window title.
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
  checkLanesArguments(out, labels, options);
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
      throw new RangeError(`Lanes.${where}: index must be an integer from 0 to ${labels.length - 1}, got ${describeValue(index)}.`);
    }
  };
  const label = (i: number): string => style(labels[i] + ' '.repeat(labelWidth - displayWidth(labels[i])));

  const drawLine = (i: number): string => {
    const columns = Math.max(10, (out.columns ?? 80) - 1);
    const room = Math.max(1, columns - labelWidth - 3 - displayWidth(notes[i]));
    // Only the end is shown: flatten just a tail that surely covers `room` columns.
    const tail = texts[i].slice(-(4 * room + 64));
    const flat = safeText(tail).replace(/\s+/g, ' ');
    return `${CSI}2K${label(i)} │ ${fitToWidth(flat, room, { from: 'end' })}${notes[i]}`;
  };
  const redraw = (): void => {
    let frame = `${CSI}${labels.length}A`;
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
    for (const line of lines) chunk += `${label(i)} ${safeText(line)}\n`;
    if (chunk) out.write(chunk);
  };

  return {
    mode,
    append(index, text) {
      check('append', index);
      if (typeof text !== 'string') throw new TypeError(`Lanes.append: text must be a string, got ${describeValue(text)}.`);
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
