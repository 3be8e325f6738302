/** Small output helpers shared by the demos. */
import { defaultIfEmpty, lastValueFrom, tap, type Observable } from 'rxjs';
import { stripAnsi } from '../../src/cli/terminal';
import type { DemoContext } from '../types';

/** Length in characters as a reader counts them: Unicode code points (an emoji is 1). */
export function charCount(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Writes every piece of text as it arrives and resolves when the stream completes. */
export async function writeAll(out: DemoContext['out'], text$: Observable<string>): Promise<void> {
  await lastValueFrom(text$.pipe(tap((text) => out.write(text)), defaultIfEmpty('')));
}

/** Seconds with two decimals, e.g. `0.35秒`. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)}秒`;
}

/**
 * Model text made safe for a terminal: ANSI escape sequences and other control
 * characters (except newline and tab) removed, so a reply cannot move the cursor,
 * recolour or retitle the terminal.
 */
export function terminalSafe(text: string): string {
  return stripAnsi(text).replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, '');
}
