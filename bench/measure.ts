/**
 * Side-by-side timing for `npm run bench`: every case runs once per round, rounds
 * are interleaved (the order alternates each round, so drift, GC and the other core
 * hit every case alike), and each figure is the median of the rounds with its range.
 * Ratios are medians of the per-round ratios. Never a timed assertion.
 */

/** Median, range and raw samples of one case. */
export interface Stats {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly samples: readonly number[];
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export const statsOf = (samples: readonly number[]): Stats => ({
  median: median(samples),
  min: Math.min(...samples),
  max: Math.max(...samples),
  samples,
});

export interface InterleaveOptions {
  /** Measured rounds (>= 9). Default 11. */
  rounds?: number;
  /** Unmeasured rounds first (JIT). Default 2. */
  warmup?: number;
  /** Calls per measurement, for cases too short to time once. Default 1. */
  repeat?: number;
  /**
   * A full GC before every measurement. Default false: after a full GC V8 shrinks the young
   * generation, and a case that builds a long string then pays for more scavenges than it
   * would in a running process.
   */
  gcBetween?: boolean;
  /**
   * Time this process's CPU (user + system) instead of the wall clock: what other processes on
   * a shared machine cannot add to. Only for cases that never wait on I/O or timers (an
   * in-process source: their CPU time is their wall time on an idle machine).
   */
  cpu?: boolean;
}

/** Times every case in interleaved rounds; ms per call (wall clock, or CPU with `cpu: true`). */
export async function interleave<K extends string>(
  cases: Record<K, () => unknown>,
  options: InterleaveOptions = {},
): Promise<Record<K, Stats>> {
  const { rounds = 11, warmup = 2, repeat = 1, gcBetween = false, cpu = false } = options;
  const now = cpu ? (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; } : (): number => performance.now();
  const names = Object.keys(cases) as K[];
  const samples = Object.fromEntries(names.map((n) => [n, [] as number[]])) as unknown as Record<K, number[]>;
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let round = 0; round < warmup + rounds; round++) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      if (gcBetween) gc?.();
      const start = now();
      for (let i = 0; i < repeat; i++) {
        const r = cases[name]();
        if (r instanceof Promise) await r;
      }
      const ms = (now() - start) / repeat;
      if (round >= warmup) samples[name].push(ms);
    }
  }
  return Object.fromEntries(names.map((n) => [n, statsOf(samples[n])])) as Record<K, Stats>;
}

/** Per-round ratios a/b: median and range. */
export function ratioOf(a: Stats, b: Stats): Stats {
  return statsOf(a.samples.map((x, i) => x / b.samples[i]));
}

export const fmtMs = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3));

/** `12.3 ms (11.9–13.0)` */
export const fmtStats = (s: Stats, unit = 'ms'): string => `${fmtMs(s.median)} ${unit} (${fmtMs(s.min)}–${fmtMs(s.max)})`;

/** `1.04× (0.98–1.10)` */
export const fmtRatio = (r: Stats): string => `${r.median.toFixed(2)}× (${r.min.toFixed(2)}–${r.max.toFixed(2)})`;

/** A verdict against a goal: `ok` or `MISSED`. */
export const verdict = (value: number, goal: number): string => (value <= goal ? 'ok' : 'MISSED');

export const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;

/**
 * Heap used after a full GC (needs --expose-gc; `npm run bench` passes it), with the
 * backing stores of typed arrays and buffers, which V8 keeps outside the JS heap.
 */
export function heapUsed(): number {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Deterministic pseudo-random integers in [0, n). */
export function lcg(seed = 1): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.floor((s / 4294967296) * n);
  };
}
