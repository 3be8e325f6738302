/** Small output helpers shared by the demos. */
import { defaultIfEmpty, lastValueFrom, tap, type Observable } from 'rxjs';
import { safeText } from '../../src/cli/terminal';
import type { DemoContext } from '../types';

/** Model text made safe for a terminal (control characters shown, never obeyed). */
export { safeText };

/** Length in characters as a reader counts them: Unicode code points (an emoji is 1). */
export function charCount(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Writes every piece of model text as it arrives (through `safeText`) and resolves when the stream completes. */
export async function writeAll(out: DemoContext['out'], text$: Observable<string>): Promise<void> {
  await lastValueFrom(text$.pipe(tap((text) => out.write(safeText(text))), defaultIfEmpty('')));
}

/** The text of a reply: a string, or a LangChain message (its `text`). */
export function replyText(value: unknown): string {
  if (typeof value === 'string') return value;
  const text = (value as { text?: unknown } | null)?.text;
  if (typeof text === 'string') return text;
  throw new TypeError(`expected a string or a LangChain message, got ${value === null ? 'null' : typeof value}.`);
}

/** Seconds with two decimals, e.g. `0.35秒`. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)}秒`;
}

