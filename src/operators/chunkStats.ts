import type { TimestampProvider } from 'rxjs';
import { hasContent } from '../decode/content';
import { textOf, type TextLike } from '../decode/text';

/** Pieces kept unscanned before a flush, when no one reads `chars` (bounds the array). */
const MAX_UNSCANNED = 4096;

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
  /** Start → first chunk with content, ms; `null` before it. */
  firstChunkMs: number | null = null;
  /** When counting started (`clock.now()` at construction). */
  readonly start: number;
  /** UTF-16 units so far. */
  private units = 0;
  /** Surrogate pairs in the text scanned so far. */
  private pairs = 0;
  /** The last UTF-16 unit scanned, so a surrogate pair split across chunks counts once. */
  private lastUnit = 0;
  /** Text counted but not scanned yet (only with a `keep` listener), in order. */
  private unscanned: string[] = [];

  /**
   * @param clock Where time comes from.
   * @param keep When given, text is not scanned chunk by chunk: each piece is kept (one array
   *   slot, no copy) until `chars` is read or {@link flush} is called, then the pieces are scanned
   *   at once and handed to `keep`, so a caller that needs the text too (`progress`'s word count)
   *   keeps no copy of its own. `maxChars` bounds `chars` from above at every chunk.
   */
  constructor(
    private readonly clock: TimestampProvider,
    private readonly keep?: (text: string | readonly string[], units: number) => void,
  ) {
    this.start = clock.now();
  }

  /** Characters (code points) so far. */
  get chars(): number {
    if (this.unscanned.length > 0) this.flush();
    return this.units - this.pairs;
  }

  /**
   * `chars` or more, known without scanning: the kept pieces count as their UTF-16 units (a
   * surrogate pair as 2). Below a threshold it says no code point needs counting yet.
   */
  get maxChars(): number {
    return this.units - this.pairs;
  }

  /** Counts one piece of text: a chunk with content when it is not empty. Returns `text`. */
  countText(text: string): string {
    if (text.length > 0) this.tally(text);
    return text;
  }

  /** Scans the pieces kept since the last flush and hands them to `keep` (one piece as itself). */
  flush(): void {
    const pieces = this.unscanned;
    if (pieces.length === 0) return;
    if (pieces.length === 1) {
      // An event every chunk: no array per chunk (the kept array is reused).
      const piece = pieces.pop()!;
      this.scan(piece);
      this.keep!(piece, piece.length);
      return;
    }
    this.unscanned = [];
    let units = 0;
    for (let i = 0; i < pieces.length; i++) {
      this.scan(pieces[i]);
      units += pieces[i].length;
    }
    this.keep!(pieces, units);
  }

  /** Counts one chunk with content and its characters. */
  protected tally(text: string): void {
    this.chunks++;
    if (this.firstChunkMs === null) this.firstChunkMs = this.clock.now() - this.start;
    if (text.length === 0) return;
    this.units += text.length;
    if (this.keep === undefined) this.scan(text);
    else if (this.unscanned.push(text) >= MAX_UNSCANNED) this.flush();
  }

  private scan(text: string): void {
    let pairs = 0;
    let prev = this.lastUnit;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0xdc00 && c <= 0xdfff && prev >= 0xd800 && prev <= 0xdbff) pairs++;
      prev = c;
    }
    this.lastUnit = prev;
    this.pairs += pairs;
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
    keep?: (text: string | readonly string[], units: number) => void,
  ) {
    super(clock, keep);
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
