/**
 * `runChat` in this process, driven through streams: a pipe (what a script sees) or a
 * fake terminal (isTTY, raw mode, columns and rows), so CLI specs need no child
 * process per test. Child-process specs (bin/, signals, pipes) are in chat.process.spec.ts.
 */
import { EventEmitter } from 'node:events';
import { PassThrough, Writable } from 'node:stream';
import { runChat, type ChatIO } from '../../src/cli/chat';

/** Captures everything written; `isTTY` makes the CLI use its terminal features. */
export class Capture extends Writable {
  data = '';
  readonly isTTY: boolean;
  columns = 80;
  rows = 24;
  private waiters = new Set<() => void>();

  constructor(isTTY = false) {
    super({ decodeStrings: false });
    this.isTTY = isTTY;
  }

  /**
   * What a reader sees, roughly: on a TTY, the status line's draws (between ESC 7 and
   * ESC 8) and every other escape sequence removed, so a reply reads as one text.
   */
  get visible(): string {
    if (!this.isTTY) return this.data;
    return this.data
      .replace(/\x1b7[\s\S]*?\x1b8/g, '')
      .replace(/\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-Z\\-_]/g, '');
  }

  override _write(chunk: string | Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.data += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    this.waiters.forEach((w) => w());
    callback();
  }

  /**
   * Resolves when `data` (from `from` on) contains `text` `times` times. Gives up after
   * `patienceMs` only to say what was written instead (not a time bound of the behaviour).
   */
  waitFor(text: string, { from = 0, times = 1, patienceMs = 45_000 } = {}): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`never saw ${JSON.stringify(text)} ×${times}; written so far:\n${JSON.stringify(this.visible)}`));
      }, patienceMs);
      const check = (): boolean => {
        if (this.visible.slice(from).split(text).length - 1 < times) return false;
        this.waiters.delete(waiter);
        clearTimeout(timer);
        resolve();
        return true;
      };
      const waiter = (): void => void check();
      this.waiters.add(waiter);
      check();
    });
  }
}

/** One chat session on in-memory streams. */
export class Session {
  readonly input: PassThrough & { isTTY?: boolean; setRawMode?: (mode: boolean) => void };
  readonly output: Capture;
  readonly errorOutput = new Capture();
  readonly signals = new EventEmitter();
  readonly rawModes: boolean[] = [];
  readonly exited: Promise<number>;

  constructor(args: string[], env: NodeJS.ProcessEnv, options: { tty?: boolean; model?: ChatIO['model'] } = {}) {
    this.input = new PassThrough();
    this.output = new Capture(options.tty ?? false);
    if (options.tty) {
      this.input.isTTY = true;
      this.input.setRawMode = (mode: boolean) => void this.rawModes.push(mode);
    }
    this.exited = runChat(args, {
      input: this.input,
      output: this.output as unknown as ChatIO['output'],
      errorOutput: this.errorOutput,
      env,
      signals: this.signals,
      model: options.model,
    });
  }

  /** A line typed and Enter (a pipe gets '\n', a terminal in raw mode '\r'). */
  send(line: string): void {
    this.input.write(line + (this.output.isTTY ? '\r' : '\n'));
  }

  /** Keystrokes as they are, e.g. '\x03' (Ctrl-C on a terminal). */
  type(keys: string): void {
    this.input.write(keys);
  }

  waitFor(text: string, options?: { from?: number; times?: number; patienceMs?: number }): Promise<void> {
    return this.output.waitFor(text, options);
  }

  /** Ctrl-D on a pipe (end of input); resolves with the exit code. */
  end(): Promise<number> {
    this.input.end();
    return this.exited;
  }
}
