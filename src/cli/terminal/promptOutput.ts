/** The output readline writes its prompt to, with the terminal's `resize` event gated. */
import { EventEmitter } from 'node:events';
import { assertOutput, type TerminalOutput } from './output';

/** What {@link createPromptOutput} returns. */
export interface PromptOutput {
  /** Give this to readline's `createInterface` as its `output`. */
  readonly stream: NodeJS.WritableStream & TerminalOutput;
  /** Whether readline's prompt is on the screen: only then does readline hear `resize`. */
  setPromptShown(shown: boolean): void;
  /** Stops forwarding (call once readline is closed). */
  close(): void;
}

/**
 * readline redraws its prompt and line where it thinks they are whenever the
 * terminal is resized, even while the prompt is not on the screen; during a
 * reply that wrote `你: ` into the middle of the reply. This stream writes
 * through to `out` (with its current `columns` and `rows`) and passes `resize`
 * on only while the prompt is shown.
 *
 * @example
 * ```ts
 * const promptOutput = createPromptOutput(process.stdout);
 * const rl = createInterface({ input, output: promptOutput.stream, terminal: true });
 * promptOutput.setPromptShown(false); // a reply starts streaming
 * ```
 * @param out The terminal.
 * @returns The gated stream and its switch.
 */
export function createPromptOutput(out: NodeJS.WritableStream & TerminalOutput): PromptOutput {
  assertOutput('createPromptOutput', out);
  let shown = false;
  const events = new EventEmitter();
  // Getters, not copies: readline reads the size at each redraw.
  const stream = Object.defineProperties(events, {
    write: { value: (...args: unknown[]): boolean => (out.write as (...a: unknown[]) => boolean)(...args) },
    isTTY: { get: () => out.isTTY },
    columns: { get: () => out.columns },
    rows: { get: () => out.rows },
  }) as unknown as NodeJS.WritableStream & TerminalOutput;
  const onResize = (): void => {
    if (shown) events.emit('resize');
  };
  out.on?.('resize', onResize);
  return {
    stream,
    setPromptShown: (next) => void (shown = next),
    close: () => void out.off?.('resize', onResize),
  };
}
