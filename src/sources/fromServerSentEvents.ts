import { asyncScheduler, type Observable } from 'rxjs';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { RemoteStreamError, ServerSentEventsResponseError, StreamInterruptedError, StreamResumeError } from '../errors';
import { TextStats } from '../operators/chunkStats';
import { sleep } from '../internal/sleep';
import { assertFunction, assertNonNegative, assertObject, assertPositiveInteger, describe } from '../internal/validate';
import type { ServerSentEventKind } from '../web/toServerSentEvents';
import type { UIMessageChunk } from '../web/uiMessageChunk';
import { drainBody, linkedAbort, type LinkedAbort } from './drainBody';
import { fromAsyncIterableFactory } from './fromAsyncIterableFactory';

/** One event of our SSE framing, as `fromServerSentEvents(…, { parse: 'events' })` emits it. */
export interface ServerSentEventMessage {
  /** The event name (`chunk`, `progress`, `done`, or a name of your own; `message` when the server sent none). */
  readonly event: string;
  readonly id: string | undefined;
  /** The JSON-decoded `data`. */
  readonly data: unknown;
}

/** How `fromServerSentEvents` reconnects after a cut (see {@link FromServerSentEventsInit.resume}). */
export interface ServerSentEventsResumeOptions {
  /** Reconnections tried per cut before giving up. Default 3. */
  count?: number;
  /** Wait before each reconnection, ms, unless the server sent `retry:`. Default 1000. */
  delayMs?: number;
  /** Where to reconnect (e.g. the AI SDK's `GET /api/chat/:id/stream`). Default: the same request again. */
  input?: string | URL;
  /** The reconnection's request options (method, headers, body). Default: the first request's. */
  init?: RequestInit;
}

/** Options of {@link fromServerSentEvents}: `fetch`'s `RequestInit` and how to read the stream. */
export interface FromServerSentEventsInit extends RequestInit {
  /**
   * What to emit. `'text'` (default): the text of each `chunk` event of our framing
   * (`toServerSentEvents`, `sendServerSentEvents`), so `textContent()` and the text
   * operators apply; `'events'`: every event of our framing as `{ event, id, data }`
   * (chunk, progress, done); `'ui-message'`: the `UIMessageChunk`s of an AI SDK UI message
   * stream (`decodeUIMessageStream()` turns them into `StreamPart`s).
   */
  parse?: 'text' | 'events' | 'ui-message';
  /**
   * Reconnect after a network drop, sending `Last-Event-ID`: the server must resume after
   * that id. A server that starts over (its first event's id is not after the last one),
   * sends no ids, or refuses errors with `StreamResumeError`; text is never repeated.
   */
  resume?: boolean | ServerSentEventsResumeOptions;
  /** The server's event names when it renamed them (`toServerSentEvents({ eventNames })`). */
  eventNames?: Partial<Record<ServerSentEventKind, string>>;
  /** Largest event accepted, characters. Default 1,048,576: a bigger one is a cut. */
  maxEventChars?: number;
  /** The `fetch` to use. Default `globalThis.fetch`. */
  fetch?: typeof fetch;
}

const DEFAULT_NAMES: Record<ServerSentEventKind, string> = { chunk: 'chunk', progress: 'progress', done: 'done', error: 'error' };
const NUMERIC_ID = /^\d+(?:[-.:]\d+)*$/;

/**
 * A cold Observable of a Server-Sent Events response read with `fetch` (browsers, Node 20,
 * Deno, Bun, workers): our own framing (`toServerSentEvents` / `sendServerSentEvents`) or an
 * AI SDK UI message stream (`parse: 'ui-message'`). Unlike `EventSource` it sends `POST`
 * bodies and headers, and it ends instead of reconnecting in a loop.
 *
 * - Four laws: each subscription sends one request, nothing before; unsubscribing aborts
 *   the fetch (the server sees the connection close, which aborts its model).
 * - Completes on our `done` event or the UI stream's `[DONE]`. A stream that ends without
 *   it, fails mid-way or sends a malformed frame is a cut: `StreamInterruptedError` with
 *   `partialText` (what was emitted).
 * - An HTTP error status, another content type or no body: `ServerSentEventsResponseError`
 *   (`status`, `bodyText`). Our `error` event: `RemoteStreamError` (the server's `name`,
 *   `code` and message). A UI stream's `error` chunk is emitted as a chunk.
 * - `resume: true` reconnects after a cut with `Last-Event-ID` (see the option).
 *
 * A string, `Blob`, `FormData` or `URLSearchParams` body is sent again by every
 * subscription; a `ReadableStream` body only once.
 *
 * @example
 * ```ts
 * import { fromServerSentEvents, textContent, abortOn } from 'rxjs-langchain';
 *
 * const answer = document.getElementById('answer')!;
 * fromServerSentEvents('/api/chat/stream', {
 *   method: 'POST',
 *   headers: { 'content-type': 'application/json' },
 *   body: JSON.stringify({ question: '你好' }),
 * })
 *   .pipe(textContent(), abortOn(['Java']))
 *   .subscribe((text) => (answer.textContent += text));
 * ```
 *
 * @param input The URL (or `Request`) to fetch.
 * @param init `fetch` options plus `parse`, `resume`, `eventNames`, `maxEventChars`, `fetch`.
 * @returns Texts, events or UI message chunks, per `parse`.
 * @see decodeUIMessageStream
 * @see sendServerSentEvents
 * @see toUIMessageStreamResponse
 */
export function fromServerSentEvents(input: string | URL | Request, init: FromServerSentEventsInit & { parse: 'ui-message' }): Observable<UIMessageChunk>;
export function fromServerSentEvents(input: string | URL | Request, init: FromServerSentEventsInit & { parse: 'events' }): Observable<ServerSentEventMessage>;
export function fromServerSentEvents(input: string | URL | Request, init?: FromServerSentEventsInit & { parse?: 'text' }): Observable<string>;
export function fromServerSentEvents(input: string | URL | Request, init: FromServerSentEventsInit = {}): Observable<string | ServerSentEventMessage | UIMessageChunk> {
  const settings = readerSettings(input, init);
  return fromAsyncIterableFactory((abort: AbortSignal) => new EventStreamReader(settings, abort).values(), init.signal ?? undefined);
}

/** `fromServerSentEvents`' arguments, checked, with the defaults filled in. */
interface ReaderSettings {
  input: string | URL | Request;
  request: RequestInit;
  parse: 'text' | 'events' | 'ui-message';
  resume: ServerSentEventsResumeOptions | undefined;
  count: number;
  names: Record<ServerSentEventKind, string>;
  maxEventChars: number;
  fetch: typeof fetch | undefined;
}

/** Call-time checks (TypeErrors) of `fromServerSentEvents`' arguments. */
function readerSettings(input: string | URL | Request, init: FromServerSentEventsInit): ReaderSettings {
  if (typeof input !== 'string' && !(input instanceof URL) && !(typeof Request !== 'undefined' && input instanceof Request)) {
    throw new TypeError(`fromServerSentEvents: input must be a URL string, a URL or a Request, got ${describe(input)}.`);
  }
  assertObject('fromServerSentEvents: init', init);
  const { parse = 'text', resume, eventNames, maxEventChars = 1_048_576, fetch: fetchOption, signal: _signal, ...request } = init;
  if (parse !== 'text' && parse !== 'events' && parse !== 'ui-message') {
    throw new TypeError(`fromServerSentEvents: parse must be 'text', 'events' or 'ui-message', got ${describe(parse)}.`);
  }
  assertPositiveInteger('fromServerSentEvents: maxEventChars', maxEventChars);
  assertFunction('fromServerSentEvents: fetch', fetchOption, true);
  if (resume !== undefined && typeof resume !== 'boolean') {
    assertObject('fromServerSentEvents: resume', resume);
    assertNonNegative('fromServerSentEvents: resume.count', resume.count);
    assertNonNegative('fromServerSentEvents: resume.delayMs', resume.delayMs);
    assertObject('fromServerSentEvents: resume.init', resume.init);
  }
  assertObject('fromServerSentEvents: eventNames', eventNames);
  const resumeOptions = resume === true ? {} : resume === false || resume === undefined ? undefined : resume;
  return {
    input, request, parse, resume: resumeOptions, count: resumeOptions?.count ?? 3,
    names: { ...DEFAULT_NAMES, ...eventNames }, maxEventChars, fetch: fetchOption,
  };
}

type Value = string | ServerSentEventMessage | UIMessageChunk;
/** What one event means: a value to emit (`out`), and whether it was the last event. */
type Decoded = { out?: [Value]; end?: true };

/** One subscription: its requests (the first and each reconnection), and what it has read so far. */
class EventStreamReader {
  private partialText = '';
  /** The text events' count: chunks with content, as every operator counts them. */
  private readonly stats = new TextStats(asyncScheduler);
  private lastEventId: string | undefined;
  private retryMs: number | undefined;
  private seenIds: Set<string> | undefined; // opaque (non-numeric) ids, only while resuming
  private reconnects = 0;

  constructor(
    private readonly settings: ReaderSettings,
    private readonly abort: AbortSignal,
  ) {}

  async *values(): AsyncGenerator<Value> {
    const fetchFn = this.settings.fetch ?? globalThis.fetch;
    if (typeof fetchFn !== 'function') throw new TypeError('fromServerSentEvents: there is no global fetch here; pass init.fetch.');
    for (;;) {
      const resuming = this.reconnects > 0;
      // Its own signal, following the subscription's until the last event: then the body is read to its end.
      const fetchAbort = linkedAbort(this.abort);
      let response: Response;
      try {
        response = await fetchFn(...this.request(resuming, fetchAbort.signal));
      } catch (error) {
        if (!resuming || this.abort.aborted) throw error;
        await this.reconnectAfter(error);
        continue;
      }
      const body = await this.bodyOf(response, resuming);
      const { ended, cause } = yield* this.read(body, fetchAbort, resuming);
      // The body ended (or failed) before `done` / `[DONE]`: a cut.
      if (ended || this.abort.aborted) return;
      if (!this.settings.resume) throw new StreamInterruptedError(cause === undefined ? 'no-finish' : 'error', this.partialText, this.stats.chunks, cause);
      if (this.lastEventId === undefined) {
        throw new StreamResumeError('the server sent no event ids, so there is nothing to resume from', undefined, this.partialText, cause);
      }
      await this.reconnectAfter(cause);
    }
  }

  /** The fetch arguments of the first request or of a reconnection (with `Last-Event-ID`). */
  private request(resuming: boolean, signal: AbortSignal): [string | URL | Request, RequestInit] {
    const { input, resume, request } = this.settings;
    // A Request's body can be read once: every fetch gets a fresh clone of the caller's.
    const target = resuming && resume?.input !== undefined ? resume.input : typeof Request !== 'undefined' && input instanceof Request ? input.clone() : input;
    const base: RequestInit = resuming && resume?.init ? resume.init : request;
    const headers = new Headers(base.headers ?? (target instanceof Request ? target.headers : undefined));
    if (!headers.has('accept')) headers.set('accept', 'text/event-stream');
    if (resuming && this.lastEventId !== undefined) headers.set('last-event-id', this.lastEventId);
    return [target, { ...base, headers, signal }];
  }

  /** Counts a reconnection (or gives up after `count`), then waits the server's `retry:` or `delayMs`. */
  private async reconnectAfter(cause: unknown): Promise<void> {
    const { count, resume } = this.settings;
    if (this.reconnects++ >= count) throw new StreamResumeError(`${count} reconnection(s) failed`, this.lastEventId, this.partialText, cause);
    await sleep(this.retryMs ?? resume?.delayMs ?? 1000, this.abort);
  }

  /** The body of an event stream, or the error of a response that is not one. */
  private async bodyOf(response: Response, resuming: boolean): Promise<ReadableStream<Uint8Array>> {
    const contentType = response.headers.get('content-type') ?? '';
    if (!response.ok || !/^text\/event-stream/i.test(contentType) || !response.body) {
      const bodyText = await response.text().then((t) => t.slice(0, 1000), () => '');
      const what = !response.ok ? `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}` : !response.body ? 'with no body' : `with content-type ${JSON.stringify(contentType)} instead of text/event-stream`;
      const error = new ServerSentEventsResponseError(response.status, contentType, bodyText, what);
      if (!resuming) throw error;
      throw new StreamResumeError(response.status === 204 ? 'the server has no stream to resume (204)' : `the server answered ${what}`, this.lastEventId, this.partialText, error);
    }
    if (this.settings.parse !== 'ui-message' && response.headers.get('x-vercel-ai-ui-message-stream')) {
      throw new TypeError("fromServerSentEvents: the server sent an AI SDK UI message stream; read it with { parse: 'ui-message' }.");
    }
    return response.body;
  }

  /** Reads one body's events until the last one (`ended`) or until it ends or fails (`cause`). */
  private async *read(body: ReadableStream<Uint8Array>, fetchAbort: LinkedAbort, resuming: boolean): AsyncGenerator<Value, { ended: boolean; cause?: unknown }> {
    const { maxEventChars } = this.settings;
    const events: EventSourceMessage[] = [];
    let parseError: Error | undefined;
    const parser = createParser({
      onEvent: (event) => events.push(event),
      onRetry: (ms) => (this.retryMs = ms),
      onError: (error) => {
        if (error.type === 'max-buffer-size-exceeded') parseError = tooLong(maxEventChars);
      },
      maxBufferSize: maxEventChars,
    });
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let checkResume = resuming;
    let ended = false; // the last event (done, [DONE]) was read
    try {
      for (;;) {
        let read: ReadableStreamReadResult<Uint8Array>;
        try {
          read = await reader.read();
        } catch (cause) {
          return { ended, cause };
        }
        if (read.done) return { ended };
        parser.feed(decoder.decode(read.value, { stream: true }));
        if (parseError) throw new StreamInterruptedError('error', this.partialText, this.stats.chunks, parseError);
        for (let i = 0; i < events.length; i++) {
          this.checkEvent(events[i], checkResume);
          checkResume = false;
          const { out, end } = this.decode(events[i]);
          if (out) yield out[0];
          if (end) return { ended: (ended = true) };
        }
        events.length = 0;
      }
    } finally {
      if (ended) drainBody(reader, fetchAbort);
      else reader.cancel().catch(() => undefined);
    }
  }

  /** Checks an event's size and (the first after a reconnection) that the server resumed; records its id. */
  private checkEvent(event: EventSourceMessage, checkResume: boolean): void {
    const { maxEventChars, resume } = this.settings;
    // The parser's cap covers what it buffers across reads; a whole event in one read is checked here.
    if (event.data.length > maxEventChars) throw new StreamInterruptedError('error', this.partialText, this.stats.chunks, tooLong(maxEventChars));
    if (checkResume && !isAfter(event.id, this.lastEventId, this.seenIds)) {
      throw new StreamResumeError(
        `the server did not resume after Last-Event-ID ${this.lastEventId}: it sent ${event.id === undefined ? 'an event without an id' : `id ${event.id}`} (it probably started the reply over)`,
        this.lastEventId,
        this.partialText,
      );
    }
    if (event.id !== undefined) {
      this.lastEventId = event.id;
      if (resume && !NUMERIC_ID.test(event.id)) (this.seenIds ??= new Set()).add(event.id);
    }
  }

  /** Decodes one event: what to emit, and whether the stream is complete. */
  private decode(event: EventSourceMessage): Decoded {
    const { parse, names } = this.settings;
    if (parse === 'ui-message') return this.decodeUIMessageChunk(event.data);
    const name = event.event ?? 'message';
    if (name === names.error) throw this.remoteError(event.data);
    const data = decodeJson(event.data, this.partialText, this.stats.chunks);
    if (name === names.chunk) {
      const text = (data as { text?: unknown } | null)?.text;
      if (typeof text === 'string') {
        this.partialText += this.stats.countText(text);
      } else if (parse === 'text') {
        throw new TypeError(`fromServerSentEvents: a ${names.chunk} event without text (${event.data.slice(0, 100)}); read other payloads with { parse: 'events' }.`);
      }
      if (parse === 'text') return text ? { out: [text as string] } : {};
    }
    if (parse === 'text') return name === names.done ? { end: true } : {};
    return { out: [{ event: name, id: event.id, data } satisfies ServerSentEventMessage], ...(name === names.done && { end: true as const }) };
  }

  private decodeUIMessageChunk(data: string): Decoded {
    if (data === '[DONE]') return { end: true };
    const chunk = decodeJson(data, this.partialText, this.stats.chunks) as UIMessageChunk;
    if (typeof chunk !== 'object' || chunk === null || typeof (chunk as { type?: unknown }).type !== 'string') {
      throw new StreamInterruptedError('error', this.partialText, this.stats.chunks, new TypeError(`A UI message stream frame is not a chunk object: ${data.slice(0, 100)}`));
    }
    if (chunk.type === 'text-delta' && typeof chunk.delta === 'string') {
      this.partialText += this.stats.countText(chunk.delta);
    }
    return { out: [chunk] };
  }

  /** Our `error` event, as the `RemoteStreamError` it ends the stream with. */
  private remoteError(json: string): RemoteStreamError {
    const data = decodeJson(json, this.partialText, this.stats.chunks) as { name?: unknown; message?: unknown; code?: unknown } | null;
    const message = typeof data?.message === 'string' ? data.message : 'The server reported an error.';
    return new RemoteStreamError(message, this.partialText, {
      ...(typeof data?.name === 'string' && { name: data.name }),
      ...(typeof data?.code === 'string' && { code: data.code }),
    });
  }
}

const tooLong = (max: number): RangeError => new RangeError(`An event is longer than ${max} characters (maxEventChars).`);

/** A frame's JSON, or a cut (a malformed frame ends the stream like a dropped connection). */
function decodeJson(data: string, partialText: string, chunks: number): unknown {
  try {
    return JSON.parse(data);
  } catch (error) {
    throw new StreamInterruptedError('error', partialText, chunks, error);
  }
}

/**
 * Whether `id` comes after `last`: numeric ids (ours `1, 2, …`, Redis stream entries
 * `1700000000000-3`) compare field by field; other ids must not have been seen before.
 */
function isAfter(id: string | undefined, last: string | undefined, seen: Set<string> | undefined): boolean {
  if (id === undefined || last === undefined) return false;
  if (NUMERIC_ID.test(id) && NUMERIC_ID.test(last)) {
    const a = id.split(/[-.:]/);
    const b = last.split(/[-.:]/);
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const x = BigInt(a[i] ?? '0');
      const y = BigInt(b[i] ?? '0');
      if (x !== y) return x > y;
    }
    return false;
  }
  return id !== last && !(seen?.has(id) ?? false);
}
