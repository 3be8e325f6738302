/** Between a terminal and readline while replies stream: see {@link InputGate}. */
import { PassThrough } from 'node:stream';

const CTRL_C = 0x03;

/**
 * Between a terminal and readline: while a reply streams, keystrokes are held
 * (so nothing is echoed into the reply) except Ctrl-C, which stops the reply;
 * when it ends they are handed to readline up to the first Enter, so one queued
 * line at a time appears at the prompt (`你: …`) just as its turn starts.
 */
export class InputGate {
  readonly stream = new PassThrough();
  private held: number[] = [];
  private holding = false;

  constructor(private readonly onCtrlC: () => void) {}

  readonly receive = (data: Buffer | string): void => {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    if (!this.holding) {
      // One line at a time even when several arrive at once (typed ahead, pasted): the rest
      // waits until that line has been handled, so its echo never lands in a reply.
      const enter = bytes.findIndex((b) => b === 0x0d || b === 0x0a);
      if (enter < 0 || enter === bytes.length - 1) {
        this.stream.write(bytes);
        return;
      }
      // Hold before handing the line over: a command or an empty line is handled inside
      // this write and releases the gate before it returns (setting it after lost the rest).
      this.holding = true;
      this.stream.write(bytes.subarray(0, enter + 1));
      this.receive(bytes.subarray(enter + 1));
      return;
    }
    for (const byte of bytes) {
      if (byte === CTRL_C) this.onCtrlC();
      else this.held.push(byte);
    }
  };

  /** The terminal's input ended: so does readline's, after what is held. */
  readonly end = (): void => {
    this.holding = false;
    if (this.held.length > 0) this.stream.write(Buffer.from(this.held));
    this.held = [];
    this.stream.end();
  };

  hold(): void {
    this.holding = true;
  }

  /** Stops holding and hands over what was typed, up to and including the first Enter. */
  release(): void {
    this.holding = false;
    if (this.held.length === 0) return;
    const enter = this.held.findIndex((b) => b === 0x0d || b === 0x0a);
    const upTo = enter < 0 ? this.held.length : enter + 1;
    const now = this.held.slice(0, upTo);
    this.held = this.held.slice(upTo);
    if (enter >= 0 && this.held.length > 0) this.holding = true; // the rest waits for the next turn
    this.stream.write(Buffer.from(now));
  }
}

