/**
 * The handler's caps on concurrent runs: per instance and per principal. A run is counted from
 * the moment it is accepted (before it waits for its conversation's lock) until its producer
 * ends, whether or not anyone still reads it: a turn whose client left costs a model call all the same.
 */
export class RunCaps {
  #total = 0;
  readonly #byPrincipal = new Map<string, number>();

  constructor(
    readonly maxRuns: number,
    readonly maxPerPrincipal: number,
  ) {}

  get runs(): number {
    return this.#total;
  }

  /** The instance runs `maxRuns`: no run is accepted, whoever asks. */
  get full(): boolean {
    return this.#total >= this.maxRuns;
  }

  /**
   * Which cap refused `principal` after {@link acquire} returned `null`: its own
   * (`maxConcurrentRunsPerPrincipal`) while the instance has room, else the instance's.
   */
  refusedBy(principal: string | undefined): 'principal' | 'instance' {
    return principal !== undefined && !this.full ? 'principal' : 'instance';
  }

  /**
   * Takes a place for one run, or returns `null` when a cap is reached (nothing is taken then).
   * The returned release gives the place back; calling it twice is harmless.
   */
  acquire(principal: string | undefined): (() => void) | null {
    if (this.full) return null;
    const mine = principal === undefined ? 0 : (this.#byPrincipal.get(principal) ?? 0);
    if (principal !== undefined && mine >= this.maxPerPrincipal) return null;
    this.#total++;
    if (principal !== undefined) this.#byPrincipal.set(principal, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#total--;
      if (principal === undefined) return;
      const left = (this.#byPrincipal.get(principal) ?? 1) - 1;
      if (left === 0) this.#byPrincipal.delete(principal);
      else this.#byPrincipal.set(principal, left);
    };
  }
}
