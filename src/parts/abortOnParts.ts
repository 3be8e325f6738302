import { Observable, Subject, type OperatorFunction, type Subscription } from 'rxjs';
import { ForbiddenContentError } from '../errors';
import { subscribeLinked } from '../internal/linked';
import type { StreamPart, TextPart, ToolCallDeltaPart } from './types';

/** A match of `abortOn(patterns, { toolCallArgs: true })`; `toolCallId` is set when it was in a tool call's arguments. */
export interface PartsMatch {
  readonly pattern: string;
  readonly index: number;
  readonly emittedText: string;
  readonly toolCallId?: string;
}

/** The options `abortOnParts` reads (validated by `abortOn`). */
export interface PartsWatchOptions {
  mode?: 'error' | 'complete';
  caseInsensitive?: boolean;
  onMatch?: (match: PartsMatch) => void;
}

/**
 * The string `abortOn` every lane runs through (built once: one automaton), and how to
 * point its `onMatch` at the lane being fed (it is called synchronously during the feed).
 */
export interface StringScanner {
  readonly scan: OperatorFunction<string, string>;
  route(onMatch: (match: PartsMatch) => void): void;
}

interface Lane {
  readonly input: Subject<string>;
  /** Text scanned in earlier lanes of the same kind (the text lane restarts after each flush). */
  readonly base: number;
  readonly before: string;
  emitted: string;
  /** How released text goes downstream: as a string or as a copy of the part that brought it. */
  release: (text: string) => void;
  readonly onMatch: (match: PartsMatch) => void;
  match?: PartsMatch;
}

/** Feeds a lane, with the scanner's `onMatch` pointed at it. */
function feed(scanner: StringScanner, lane: Lane, text: string): void {
  scanner.route(lane.onMatch);
  lane.input.next(text);
}

/**
 * `abortOn(patterns, { toolCallArgs: true })`: a part stream (or strings) watched
 * in its answer text (strings and `text` parts, one text across parts) and in
 * every tool call's arguments (`tool-call-delta` parts, per call), each with
 * `abortOn`'s own hold-back. Held text is released before any other part passes
 * (so order is kept); a call's held arguments when its `tool-call` part arrives.
 * Other parts pass through. A match unsubscribes upstream (aborting the run),
 * then errors with `ForbiddenContentError` (`toolCallId` set for arguments) or,
 * with `mode: 'complete'`, emits the safe part before the match and completes.
 */
export function abortOnParts(
  patterns: readonly string[],
  options: PartsWatchOptions,
  scanner: StringScanner,
): OperatorFunction<string | StreamPart, string | StreamPart> {
  const mode = options.mode ?? 'error';
  return (source) =>
    new Observable<string | StreamPart>((subscriber) => {
      let text: Lane | undefined;
      let textScanned = 0;
      let textEmitted = '';
      const args = new Map<string, Lane>();
      let stopped = false;
      let upstream: Subscription | undefined;

      const open = (base: number, before: string, toolCallId: string | undefined): Lane => {
        const lane: Lane = {
          input: new Subject<string>(),
          base,
          before,
          emitted: '',
          release: () => undefined,
          onMatch: (m) => {
            lane.match = { pattern: m.pattern, index: base + m.index, emittedText: before + m.emittedText, ...(toolCallId !== undefined && { toolCallId }) };
          },
        };
        lane.input
          .pipe(scanner.scan)
          .subscribe({
            next: (safe) => {
              lane.emitted += safe;
              lane.release(safe);
            },
            error: (err) => stop(lane, err),
            complete: () => lane.match && stop(lane, undefined),
          });
        return lane;
      };

      const stop = (lane: Lane, err: unknown): void => {
        if (stopped) return;
        stopped = true;
        const match = lane.match;
        if (!match || (err !== undefined && !(err instanceof ForbiddenContentError))) {
          subscriber.error(err);
          return;
        }
        upstream?.unsubscribe();
        try {
          options.onMatch?.(match);
        } catch (e) {
          subscriber.error(e);
          return;
        }
        if (mode === 'complete') subscriber.complete();
        else subscriber.error(new ForbiddenContentError(match.pattern, match.index, match.emittedText, match.toolCallId));
      };

      const flushText = (): void => {
        if (!text) return;
        const lane = text;
        text = undefined;
        lane.input.complete();
        textScanned = lane.base + lane.emitted.length;
        textEmitted = lane.before + lane.emitted;
      };
      const flushArgs = (id: string): void => {
        const lane = args.get(id);
        if (!lane) return;
        args.delete(id);
        lane.input.complete();
      };

      upstream = subscribeLinked(source, subscriber, {
        next: (value) => {
          if (stopped) return;
          if (typeof value === 'string' || value.type === 'text') {
            const piece = typeof value === 'string' ? value : value.text;
            text ??= open(textScanned, textEmitted, undefined);
            text.release = typeof value === 'string' ? (t) => subscriber.next(t) : (t) => subscriber.next({ ...(value as TextPart), text: t });
            feed(scanner, text, piece);
            return;
          }
          flushText();
          if (stopped) return;
          if (value.type === 'tool-call-delta') {
            let lane = args.get(value.id);
            if (!lane) args.set(value.id, (lane = open(0, '', value.id)));
            lane.release = (t) => subscriber.next({ ...(value as ToolCallDeltaPart), argsText: t });
            feed(scanner, lane, value.argsText);
            return;
          }
          if (value.type === 'tool-call') {
            flushArgs(value.id);
            if (stopped) return;
          }
          subscriber.next(value);
        },
        complete: () => {
          flushText();
          for (const id of [...args.keys()]) if (!stopped) flushArgs(id);
          if (!stopped) subscriber.complete();
        },
      });
    });
}
