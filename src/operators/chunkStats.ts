import type { TimestampProvider } from 'rxjs';
import { hasContent } from '../decode/content';
import { textOf, type TextLike } from '../decode/text';

/**
 * The one count of a stream's chunks (issue 26: it was written five times): chunks with
 * content, characters as code points (a surrogate pair split across two chunks counts once),
 * and the time to the first chunk. One per subscription. `TextStats` counts pieces of text (a
 * wire's text events: `fromServerSentEvents`, which a browser bundles without the decoders);
 * {@link ChunkStats} counts any stream value.
 */
export class TextStats {
  /** Chunks with content so far. */
  chunks = 0;
  /** Code points so far. */
  chars = 0;
  /** Start → first chunk with content, ms; `null` before it. */
  firstChunkMs: number | null = null;
  /** When counting started (`clock.now()` at construction). */
  readonly start: number;
  /** The last UTF-16 unit seen, so a surrogate pair split across chunks counts once. */
  private lastUnit = 0;

  constructor(private readonly clock: TimestampProvider) {
    this.start = clock.now();
  }

  /** Counts one piece of text: a chunk with content when it is not empty. Returns `text`. */
  countText(text: string): string {
    if (text.length > 0) this.tally(text);
    return text;
  }

  /** Counts one chunk with content and its characters. */
  protected tally(text: string): void {
    this.chunks++;
    if (this.firstChunkMs === null) this.firstChunkMs = this.clock.now() - this.start;
    if (text.length === 0) return;
    let pairs = 0;
    let prev = this.lastUnit;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0xdc00 && c <= 0xdfff && prev >= 0xd800 && prev <= 0xdbff) pairs++;
      prev = c;
    }
    this.lastUnit = prev;
    this.chars += text.length - pairs;
  }
}

/**
 * {@link TextStats} over stream values: a chunk has content by `hasContent` (reasoning and
 * tool-call deltas count, an empty role chunk does not). `streamMetrics`, `progress`,
 * `tapProgress`, `streamTimeout`, `requireCompletion` and `chatTurns` read it.
 */
export class ChunkStats extends TextStats {
  constructor(
    clock: TimestampProvider,
    private readonly where: string,
  ) {
    super(clock);
  }

  /** Counts one value; returns its text, or `undefined` for a value without content (not counted). */
  count(value: TextLike): string | undefined {
    return this.add(value, textOf(value, this.where));
  }

  /**
   * Like {@link count} for operators that pass any value through (`streamTimeout`): a value
   * that is not text-like (a number, a plain object) adds no text and counts only when
   * `hasContent` says it has content, instead of throwing.
   */
  countAny(value: unknown): string | undefined {
    return this.add(value, readableText(value, this.where));
  }

  private add(value: unknown, text: string): string | undefined {
    if (text.length === 0 && !hasContent(value)) return undefined;
    this.tally(text);
    return text;
  }
}

/** The text of a value `textOf` can read; '' for any other value. */
function readableText(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null) return '';
  try {
    return textOf(value, where);
  } catch {
    return '';
  }
}
