/** A status line pinned to the bottom row of a TTY while text streams above it. */
import { assertOutput, assertString, type TerminalOutput } from './output';
import { safeText, stripAnsi } from './control';
import { fitToWidth } from './width';

const CSI = '\x1b[';
const SAVE = '\x1b7';
const RESTORE = '\x1b8';
// IND then RI: down one row (scrolling at the bottom) and back up, both in the same column,
// so the row below the cursor is free and the text before the cursor (`AI: `) stays where it is.
const MAKE_ROOM = '\x1bD\x1bM';

/** A status line of {@link createStatusLine}. */
export interface StatusLine {
  /** Whether it draws at all (the output is a TTY). */
  readonly enabled: boolean;
  /** Shows `text` (control characters neutralized, cut to the terminal width) on the reserved bottom row. */
  update(text: string): void;
  /** Clears the row and gives it back to the scrolling text. Safe to call twice. */
  close(): void;
}

/**
 * A status line pinned to the bottom row of a TTY while text streams above it,
 * the way `apt` shows its progress bar: the scrolling region is set to every row
 * but the last, so streamed text never overwrites the status and the status never
 * interleaves with the text. Opening it keeps the cursor's row and column. When
 * the terminal is resized (its `resize` event, or a changed size at the next
 * update) it moves to the new bottom row at the new width. On
 * anything that is not a TTY (a pipe, a file, a test buffer) every method does
 * nothing, so piped output stays clean. Call `close()` when the stream ends (also
 * on error and Ctrl-C) to restore the terminal.
 *
 * @example
 * ```ts
 * const status = createStatusLine(process.stdout);
 * source.pipe(tapProgress((p) => status.update(`${p.chars} 字`), { everyChars: 20 }))
 *   .subscribe({ next: (t) => process.stdout.write(safeText(t)), complete: () => status.close() });
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
    // DECSTBM homes the cursor, so save and restore around it.
    out.write(`${MAKE_ROOM}${SAVE}${CSI}1;${rows - 1}r${RESTORE}`);
  };
  const draw = (): void => {
    const columns = Math.max(1, (out.columns ?? 80) - 1);
    out.write(`${SAVE}${CSI}${rows};1H${CSI}2K${fitToWidth(safeText(stripAnsi(text)).replace(/\s+/g, ' '), columns)}${RESTORE}`);
  };
  /**
   * After a resize the old status row is no longer where it was (terminals delete, reflow or
   * pull lines back from the scrollback, each in its own way), so it is not cleared by number,
   * which blanked a reply line: everything below the cursor is the status row or empty, so
   * erase below the cursor (ED 0), give the whole screen back, and reserve the new bottom row.
   */
  const resized = (): void => {
    out.write(`${CSI}J${SAVE}${CSI}r${RESTORE}`);
    reserve();
    draw();
  };
  const onResize = (): void => {
    if (open) resized();
  };
  out.on?.('resize', onResize);
  reserve();
  return {
    enabled: true,
    update(next) {
      assertString('StatusLine.update: text', next);
      if (!open) return;
      text = next;
      if (Math.max(2, out.rows ?? 24) !== rows) resized(); // a resize without an event (not a Node TTY)
      else draw();
    },
    close() {
      if (!open) return;
      open = false;
      out.off?.('resize', onResize);
      out.write(`${SAVE}${CSI}${rows};1H${CSI}2K${CSI}r${RESTORE}`);
    },
  };
}
