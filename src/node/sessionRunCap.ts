/**
 * The WebSocket endpoint's cap on connections whose own session runs a reply (an `ask` without a
 * `conversationId`), across every connection: a connection runs one reply at a time, so a flood of
 * connections was a flood of model calls with no limit (100 sockets, 100 runs; decision 0380).
 * A connection takes its place when it starts to run and gives it back once it has nothing left to
 * run (its queued questions reuse the place) or closes.
 */
export class SessionRunCap {
  #busy = 0;

  constructor(readonly max: number) {}

  /** Connections running a reply now. */
  get busy(): number {
    return this.#busy;
  }

  /** Takes a place, or returns `null` at the cap (nothing taken). The release is idempotent. */
  acquire(): (() => void) | null {
    if (this.#busy >= this.max) return null;
    this.#busy++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#busy--;
    };
  }

  /** The `error` message of a refused `ask`. */
  refusal(): { type: 'error'; code: 'WS_BUSY'; name: 'Error'; message: string } {
    return {
      type: 'error',
      code: 'WS_BUSY',
      name: 'Error',
      message: `This server runs ${this.max} replies at once, its limit (maxConcurrentTurns); nothing was started: ask again in a few seconds.`,
    };
  }
}
