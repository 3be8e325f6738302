import { asyncScheduler, catchError, concat, defer, map, of, type OperatorFunction, type SchedulerLike } from 'rxjs';
import { textOf } from '../decode/text';
import { assertFunction, assertNonNegative, assertObject, describe } from '../internal/validate';
import { assertSseToken, encodeServerSentEvent, withHeartbeats } from './serverSentEventFrame';

/** The four kinds of event `toServerSentEvents` writes. */
export type ServerSentEventKind = 'chunk' | 'progress' | 'done' | 'error';

/** Options of {@link toServerSentEvents}. */
export interface ToServerSentEventsOptions<T> {
  /** Whether a value is a `chunk` (default) or a `progress` event. */
  classify?: (value: T) => 'chunk' | 'progress';
  /** SSE event name per kind. Default: the kind itself (`chunk`, `progress`, `done`, `error`). */
  eventNames?: Partial<Record<ServerSentEventKind, string>>;
  /**
   * The JSON payload of a value. Default: `{ text }` for strings and message
   * chunks (anything with `content`), the value itself otherwise.
   */
  data?: (value: T, kind: 'chunk' | 'progress') => unknown;
  /** Payload of the final `done` event. Default `{ chunks }` (how many chunk events were sent). */
  doneData?: (summary: { chunks: number; progress: number }) => unknown;
  /**
   * Payload of the final `error` event. Default `{ name, message, code? }`.
   * Override it to hide provider messages from clients.
   */
  errorData?: (error: unknown) => unknown;
  /** Send a `: ping` comment after this many ms without any frame. Default 15000; 0 turns heartbeats off. */
  heartbeatMs?: number;
  /** `id:` of the first event; each event adds 1. Default 1. */
  firstId?: number;
  /** Optional `retry:` field (ms) written with the first event. */
  retryMs?: number;
  /** Scheduler of the heartbeat timer. Default `asyncScheduler`. */
  scheduler?: SchedulerLike;
}

const DEFAULT_NAMES: Record<ServerSentEventKind, string> = { chunk: 'chunk', progress: 'progress', done: 'done', error: 'error' };

/** Default payload of a value: `{ text }` for text-like values, the value itself otherwise. */
export function defaultServerSentEventData(value: unknown): unknown {
  if (typeof value === 'string') return { text: value };
  if (typeof value === 'object' && value !== null && 'content' in value) return { text: textOf(value, 'toServerSentEvents') };
  return value;
}

/** Default payload of the `error` event. */
export function defaultServerSentErrorData(error: unknown): { name: string; message: string; code?: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { name: error.name, message: error.message, ...(typeof code === 'string' && { code }) };
  }
  return { name: 'Error', message: typeof error === 'string' ? error : `Stream failed with ${describe(error)}.` };
}

function json(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? 'null' : text;
}

/**
 * Turns a stream of values into Server-Sent Events frames (strings ready to
 * write). Every payload is JSON-encoded, so content with `\n`, `\r\n`, blank
 * lines or `data:` can never break the framing (a raw `data: {content}`
 * line would). Each event carries an `id:` sequence. The stream
 * always ends with one `done` event, or, if the source errors, one `error`
 * event and a normal completion, so a client learns about failures that
 * happen after the headers were sent. Unsubscribing sends nothing (teardown,
 * not an error). While the source is silent a `: ping` comment is sent every
 * `heartbeatMs` on the injected scheduler (one scheduled action per idle
 * period, whatever the frame rate).
 *
 * @example
 * ```ts
 * import { ChatOpenAI } from '@langchain/openai';
 * import { fromRunnable, textContent, toServerSentEvents } from 'rxjs-langchain';
 *
 * const model = new ChatOpenAI({ model: 'gpt-4o-mini' });
 * fromRunnable(model, 'hi').pipe(textContent(), toServerSentEvents({ heartbeatMs: 10_000 }))
 *   .subscribe((frame) => console.log(frame));
 * // event: chunk\nid: 1\ndata: {"text":"Hel"}\n\n … event: done\nid: 9\ndata: {"chunks":8}\n\n
 * ```
 *
 * @param options Event names, payloads (`data`, `doneData`, `errorData`), `classify`, `heartbeatMs`, `firstId`, `retryMs`, `scheduler`.
 * @returns An operator from values to SSE frame strings, ending with a `done` or an `error` frame.
 * @see sendServerSentEvents
 * @see toServerSentEventsResponse
 */
export function toServerSentEvents<T>(options: ToServerSentEventsOptions<T> = {}): OperatorFunction<T, string> {
  assertObject('toServerSentEvents: options', options);
  assertFunction('toServerSentEvents: classify', options.classify, true);
  assertFunction('toServerSentEvents: data', options.data, true);
  assertFunction('toServerSentEvents: doneData', options.doneData, true);
  assertFunction('toServerSentEvents: errorData', options.errorData, true);
  assertNonNegative('toServerSentEvents: heartbeatMs', options.heartbeatMs);
  assertNonNegative('toServerSentEvents: retryMs', options.retryMs);
  if (options.firstId !== undefined && !Number.isSafeInteger(options.firstId)) {
    throw new RangeError(`toServerSentEvents: firstId must be an integer, got ${describe(options.firstId)}.`);
  }
  assertObject('toServerSentEvents: eventNames', options.eventNames);
  const names: Record<ServerSentEventKind, string> = { ...DEFAULT_NAMES };
  for (const [kind, name] of Object.entries(options.eventNames ?? {})) {
    if (!(kind in DEFAULT_NAMES)) {
      throw new TypeError(`toServerSentEvents: eventNames keys are chunk, progress, done and error, got ${JSON.stringify(kind)}.`);
    }
    assertSseToken(`toServerSentEvents: eventNames.${kind}`, name);
    names[kind as ServerSentEventKind] = name;
  }
  const classify = options.classify ?? ((): 'chunk' => 'chunk');
  const toData = options.data ?? ((value: T): unknown => defaultServerSentEventData(value));
  const doneData = options.doneData ?? ((summary: { chunks: number }): unknown => ({ chunks: summary.chunks }));
  const errorData = options.errorData ?? defaultServerSentErrorData;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const scheduler = options.scheduler ?? asyncScheduler;

  return (source) =>
    defer(() => {
      let nextId = options.firstId ?? 1;
      let first = true;
      const counts = { chunks: 0, progress: 0 };
      const frame = (kind: ServerSentEventKind, payload: unknown): string => {
        const data = json(payload); // may throw (cycles, BigInt): becomes the error event
        const text = encodeServerSentEvent({
          event: names[kind],
          id: nextId,
          ...(first && options.retryMs !== undefined && { retry: Math.round(options.retryMs) }),
          data,
        });
        nextId++;
        first = false;
        return text;
      };
      const errorFrame = (error: unknown): string => {
        let payload: unknown;
        try {
          payload = JSON.parse(json(errorData(error)));
        } catch {
          payload = { name: 'Error', message: 'The stream failed.' };
        }
        return frame('error', payload);
      };

      const frames = concat(
        source.pipe(
          map((value) => {
            const kind = classify(value);
            if (kind !== 'chunk' && kind !== 'progress') {
              throw new TypeError(`toServerSentEvents: classify must return 'chunk' or 'progress', got ${describe(kind)}.`);
            }
            const text = frame(kind, toData(value, kind));
            counts[kind === 'chunk' ? 'chunks' : 'progress']++;
            return text;
          }),
        ),
        defer(() => of(frame('done', doneData({ ...counts })))),
      ).pipe(catchError((error: unknown) => of(errorFrame(error))));

      return frames.pipe(withHeartbeats(heartbeatMs, scheduler));
    });
}
