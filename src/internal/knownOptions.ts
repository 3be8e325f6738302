import { UnknownOptionError } from './optionErrors';

/**
 * Every option name of `T`, each listed once: a name missing from the list, or one that is not an
 * option of `T`, fails to compile, so the list cannot drift from the type.
 *
 * @example
 * ```ts
 * const NAMES = optionNames<{ waitMs?: number; ttlMs?: number }>({ waitMs: true, ttlMs: true });
 * ```
 */
export function optionNames<T>(names: { readonly [K in keyof Required<T>]: true }): readonly string[] {
  return Object.keys(names);
}

/**
 * Refuses a key of `options` that is not in `known` with {@link UnknownOptionError}, naming the
 * closest known name when it is near (a typo, a case slip). Plain-JavaScript callers get what
 * TypeScript tells typed ones; typed callers get it for objects built at runtime.
 */
export function assertKnownOptions(where: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) if (!known.includes(key)) throw new UnknownOptionError(where, key, known, closestName(key, known));
}

/**
 * The known name nearest to `key` by edit distance (insert, delete, replace, swap of neighbours),
 * ignoring case, if it is within a third of the key's length (at least 1); else undefined.
 */
export function closestName(key: string, known: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.floor(key.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const name of known) {
    const d = distance(key.toLowerCase(), name.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return best;
}

/** Optimal string alignment distance (Damerau–Levenshtein without repeated edits of a substring). */
function distance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
    }
  }
  return rows[a.length][b.length];
}
