/** The stream the terminal helpers write to, and the checks they share. */

/** The part of a `NodeJS.WriteStream` the helpers use; a plain `Writable` works (not a TTY). */
export interface TerminalOutput {
  write(chunk: string): unknown;
  /** True for a terminal. Without it, helpers write plain text (no escapes). */
  isTTY?: boolean;
  /** Terminal width in columns (TTY only). Default 80. */
  columns?: number;
  /** Terminal height in rows (TTY only). Default 24. */
  rows?: number;
  /** A TTY's `resize` event (SIGWINCH): `columns` and `rows` have changed. */
  on?(event: 'resize', listener: () => void): unknown;
  off?(event: 'resize', listener: () => void): unknown;
}

/** A short description of a bad argument for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  return typeof value === 'object' ? `an object (${(value as object).constructor?.name ?? 'Object'})` : typeof value;
}

export function assertOutput(where: string, out: unknown): asserts out is TerminalOutput {
  if (typeof out !== 'object' || out === null || typeof (out as TerminalOutput).write !== 'function') {
    throw new TypeError(`${where}: out must be a writable stream with a write(string) method, got ${describeValue(out)}.`);
  }
}

export function assertString(where: string, value: unknown): asserts value is string {
  if (typeof value !== 'string') throw new TypeError(`${where} must be a string, got ${describeValue(value)}.`);
}
