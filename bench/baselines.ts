/**
 * Hand-written baselines: what a user who cares about speed writes in ten minutes,
 * with their own code (none of the library's helpers) and the same semantics as the
 * operator they stand in for.
 */

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** One stream's state of {@link regexGuard}. */
export interface RegexGuardStream {
  /** Feeds a chunk; returns the text that is safe to show now, or null on a match. */
  push(chunk: string): string | null;
  /** The held text, released at the end of the stream. */
  end(): string;
}

/**
 * Forbidden words by one alternation `RegExp` over a tail window: each chunk is scanned
 * together with the last (longest pattern − 1) units before it, so a word split over
 * chunks is found; text that could still start a word (the longest suffix that is a
 * proper prefix of a pattern, found by a second alternation anchored at the end) is held
 * back, like `abortOn`. Case-insensitive: text and patterns are lower-cased.
 */
export function regexGuard(patterns: readonly string[], caseInsensitive = false): () => RegexGuardStream {
  const fold = caseInsensitive ? (s: string): string => s.toLowerCase() : (s: string): string => s;
  const words = patterns.map(fold);
  const keep = Math.max(...words.map((w) => w.length)) - 1;
  const re = new RegExp(words.map(escapeRegExp).join('|'), 'g');
  const prefixes = new Set<string>();
  for (const w of words) for (let k = 1; k < w.length; k++) prefixes.add(w.slice(0, k));
  // Longest first, so the leftmost match is the longest suffix.
  const prefixAtEnd = new RegExp(`(?:${[...prefixes].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|')})$`);
  return () => {
    let tail = '';
    let held = '';
    return {
      push(chunk) {
        const window = tail + fold(chunk);
        re.lastIndex = 0;
        if (re.test(window)) return null;
        const m = prefixes.size > 0 ? prefixAtEnd.exec(window) : null;
        const hold = m ? m[0].length : 0;
        tail = window.length > keep ? window.slice(window.length - keep) : window;
        held += chunk;
        let n = held.length - hold;
        if (n > 0) {
          const c = held.charCodeAt(n - 1);
          if (c >= 0xd800 && c <= 0xdbff) n--;
        }
        if (n <= 0) return '';
        const safe = held.slice(0, n);
        held = held.slice(n);
        return safe;
      },
      end() {
        const rest = held;
        held = '';
        return rest;
      },
    };
  };
}

const wordSegmenter = new Intl.Segmenter(undefined, { granularity: 'word' });

/**
 * Counts `Intl.Segmenter` words of a growing text incrementally: only the text added
 * since the last count is segmented, with the last segment of the previous count
 * carried over (it may still grow into a longer word).
 */
export function handWordCounter(): { add(text: string): void; count(): number } {
  let counted = 0;
  let carry = '';
  let pending = '';
  return {
    add(text) {
      pending += text;
    },
    count() {
      if (pending.length === 0) return counted + (carry && isWordLike(carry) ? 1 : 0);
      const text = carry + pending;
      pending = '';
      let lastStart = 0;
      let lastWordLike = false;
      for (const s of wordSegmenter.segment(text)) {
        if (lastWordLike) counted++;
        lastStart = s.index;
        lastWordLike = s.isWordLike === true;
      }
      carry = text.slice(lastStart);
      return counted + (lastWordLike ? 1 : 0);
    },
  };
}

function isWordLike(segment: string): boolean {
  for (const s of wordSegmenter.segment(segment)) return s.isWordLike === true;
  return false;
}

/** Code points of `text`; `prev` is the last unit of the text before (a pair split over chunks counts once). */
export function codePoints(text: string, prev: number): number {
  let pairs = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff && prev >= 0xd800 && prev <= 0xdbff) pairs++;
    prev = c;
  }
  return text.length - pairs;
}

/** The text of a chunk as a hand loop reads it: string content, or the text parts of array content. */
export function handTextOf(chunk: { content: unknown }): string {
  const c = chunk.content;
  if (typeof c === 'string') return c;
  if (!Array.isArray(c)) return '';
  let out = '';
  for (const p of c) {
    if (typeof p === 'string') out += p;
    else if (p && (p.type === 'text' || p.type === 'text_delta') && typeof p.text === 'string') out += p.text;
  }
  return out;
}
