/** Colours that respect TTY and NO_COLOR. */
import { assertOutput, describeValue, type TerminalOutput } from './output';

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
 * process.stdout.write(`${c.cyan('AI:')} ${safeText(reply)}\n`);
 * ```
 */
export function createColors(enabled: boolean): Colors {
  if (typeof enabled !== 'boolean') throw new TypeError(`createColors: enabled must be a boolean, got ${describeValue(enabled)}.`);
  const make = ([open, close]: [number, number]): Style =>
    enabled ? (text) => `\x1b[${open}m${text}\x1b[${close}m` : (text) => text;
  const styles = Object.fromEntries(Object.entries(SGR).map(([name, codes]) => [name, make(codes)]));
  return { enabled, ...styles } as unknown as Colors;
}
