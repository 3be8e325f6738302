import {
  asyncScheduler,
  defer,
  map,
  Observable,
  Subscription,
  throwError,
  type SchedulerLike,
} from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import {
  BaseChatModel,
  type BaseChatModelCallOptions,
  type BaseChatModelParams,
  type BindToolsInput,
} from '@langchain/core/language_models/chat_models';
import {
  AIMessageChunk,
  BaseMessage,
  HumanMessage,
  coerceMessageLikeToMessage,
  type MessageType,
} from '@langchain/core/messages';
import { ChatGenerationChunk, type ChatResult } from '@langchain/core/outputs';
import type { CallbackManagerForLLMRun } from '@langchain/core/callbacks/manager';
import { generateFromStream } from '../internal/generateFromStream';
import { waitOn } from './waitOn';
import { textOf } from '../decode/text';
import { assertObject, assertScheduler, describe } from '../internal/validate';
import { observeSequence, observeStream } from '../sources/observeStream';
import { toChunk, type MarbleChunkValue } from './marbleChunks';
import { providerError } from './marbleErrors';
import { formatPromptSync, parseStringSync, whyNotSyncParser, whyNotSyncPrompt } from './marblePrompt';

/** Letter → value of a diagram: strings become `AIMessageChunk`s. */
export type MarbleValues = Record<string, MarbleChunkValue>;

/** One diagram with its own values and `#` error. */
export interface MarbleScript {
  diagram: string;
  values?: MarbleValues;
  /** What `#` errors with. */
  error?: unknown;
}

/** A diagram string, or a diagram with its own values / error. */
export type MarbleDiagram = string | MarbleScript;

/**
 * What the model replies:
 * - one diagram for every call;
 * - an array: the diagram of the 1st, 2nd, … call (a call beyond the end errors);
 * - an object: diagram by the text of the prompt's last human message, `'*'` for any other;
 * - a function of the prompt messages and the call index (0-based).
 */
export type MarbleReplies =
  | MarbleDiagram
  | readonly MarbleDiagram[]
  | { readonly [prompt: string]: MarbleDiagram }
  | ((messages: BaseMessage[], call: number) => MarbleDiagram);

/** Options of {@link marbleChatModel}. */
export interface MarbleChatModelOptions extends BaseChatModelParams {
  /** What `#` errors with. Default: `providerError(500)`. */
  error?: unknown;
  /**
   * Where the model waits for its frames. Default `asyncScheduler`: real milliseconds, virtual
   * inside `TestScheduler.run`. A `VirtualTimeScheduler` driven by `flushAsync` runs the real
   * `stream()` path in virtual time.
   */
  scheduler?: SchedulerLike;
}

/** A subscription of the model's stream, in the shape of rxjs `SubscriptionLog`. */
export interface MarbleSubscriptionLog {
  subscribedFrame: number;
  unsubscribedFrame: number;
}

/** State the model and its `bindTools` copies share, so calls and subscriptions are logged in one place. */
interface MarbleShared {
  calls: BaseMessage[][];
  subscriptions: MarbleSubscriptionLog[];
}

interface MarbleEvent {
  frame: number;
  kind: 'N' | 'E' | 'C';
  value?: AIMessageChunk;
  error?: unknown;
}

/**
 * A LangChain chat model that replies with marble diagrams, for testing your
 * own pipelines with `TestScheduler.run`. Create it with {@link marbleChatModel}.
 *
 * **Time.** One frame is 1 ms of the model's scheduler. The model streams through
 * LangChain's real `stream()` path and waits for each frame on that scheduler: real
 * milliseconds with the default `asyncScheduler` (`'--a|'` takes about 3 ms), virtual ones
 * when you give it a `VirtualTimeScheduler` (or a `TestScheduler` outside `run()`, where a
 * frame is its `frameTimeFactor`) and drive it with {@link flushAsync}: then chains with
 * any steps and `createAgent` agents through `fromAgent` run in virtual time too
 * (decision 0310). Time progression works as in `cold()`: `'a 100ms b|'`.
 *
 * **Inside `TestScheduler.run`** LangChain's promises never settle (its flush is
 * synchronous), so there the model is an Observable-native runnable (`observeStream`,
 * decision 0330): `fromRunnable` subscribes to its chunks scheduled on `asyncScheduler`,
 * which is virtual in `run()`. `ChatPromptTemplate` /
 * `PromptTemplate` before the model are then formatted synchronously and a
 * `StringOutputParser` after it is applied per chunk (decision 0030); other steps error
 * with a TypeError that says so.
 *
 * **Assertions.** `subscriptions` logs each call like a cold observable's subscription,
 * in frames of the scheduler (assert with `expectSubscriptions`), which proves an abort
 * reached the model; `calls` records every prompt.
 *
 * **Agents.** `bindTools(tools)` returns a copy that shares `calls` and
 * `subscriptions` (and lists the tools in `tools`), so
 * `createAgent({ model: marbleChatModel([...]), tools })` runs: give tool calls as
 * values (`toolCallChunk({ name, args, id })`, one per letter for arguments in
 * fragments) and one diagram per model call. A graph runs on promises: run it with
 * async/await, in virtual time with a `VirtualTimeScheduler` and `flushAsync`.
 *
 * Inside `run()` LangChain callbacks are not called: an Observable-native runnable bypasses them.
 *
 * @example
 * ```ts
 * import { TestScheduler } from 'rxjs/testing';
 * import { fromRunnable, textContent } from 'rxjs-langchain';
 * import { MarbleChatModel } from 'rxjs-langchain/testing';
 *
 * test('the model streams its diagram', () => {
 *   new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ expectObservable }) => {
 *     const model = new MarbleChatModel('-a-b|', { a: '你', b: '好' });
 *     expectObservable(fromRunnable(model, 'hi').pipe(textContent())).toBe('-a-b|', { a: '你', b: '好' });
 *   });
 * });
 * ```
 *
 * @see {@link marbleChatModel}, the usual way to create one.
 * @see {@link flushAsync} to run the real `stream()` path in virtual time.
 *
 * @param replies A diagram, an array of diagrams (one per call), an object keyed by the last human message, or a function of the messages and the call.
 * @param values The marble values: strings or `AIMessageChunk`s.
 * @param options `error` (the value of `#`) and `scheduler`.
 * @param shared Internal: the logs a model returned by `bindTools` shares with the model it was bound from.
 */
export class MarbleChatModel extends BaseChatModel<BaseChatModelCallOptions> {
  /** The prompt of every call, in order (inside `run()` and through invoke/stream). */
  readonly calls: BaseMessage[][] = [];
  /** One entry per call (a subscription inside `TestScheduler.run`, `stream()` / `invoke()` elsewhere); frames of the scheduler. */
  readonly subscriptions: MarbleSubscriptionLog[] = [];
  readonly replies: MarbleReplies;
  readonly values: MarbleValues;
  readonly scheduler: SchedulerLike;
  /** The tools given to `bindTools` (empty for the model itself). */
  readonly tools: readonly BindToolsInput[] = [];
  private readonly errorValue: unknown;
  private readonly marbleOptions: MarbleChatModelOptions;

  static override lc_name(): string {
    return 'MarbleChatModel';
  }

  constructor(replies: MarbleReplies, values: MarbleValues = {}, options: MarbleChatModelOptions = {}, shared?: MarbleShared) {
    const { error, scheduler, ...params } = options;
    super(params);
    this.marbleOptions = options;
    if (shared) {
      this.calls = shared.calls;
      this.subscriptions = shared.subscriptions;
    }
    assertObject('marbleChatModel: values', values);
    this.replies = replies;
    this.values = values;
    this.scheduler = assertScheduler('marbleChatModel: options.scheduler', scheduler);
    this.errorValue = 'error' in options ? error : providerError(500);
    // Check every diagram we can see now, so a typo fails at call time.
    if (typeof replies === 'function') return;
    if (isDiagram(replies)) this.parse(replies, 'marbleChatModel');
    else if (Array.isArray(replies)) {
      if (replies.length === 0) throw new TypeError('marbleChatModel: the array of diagrams is empty; give one diagram per call.');
      replies.forEach((d, i) => this.parse(d, `marbleChatModel: diagram [${i}]`));
    } else if (typeof replies === 'object' && replies !== null) {
      for (const [key, d] of Object.entries(replies)) this.parse(d, `marbleChatModel: diagram for ${JSON.stringify(key)}`);
    } else {
      throw new TypeError(
        `marbleChatModel: replies must be a diagram string, { diagram, values }, an array or object of those, or a function, got ${describe(replies)}.`,
      );
    }
  }

  _llmType(): string {
    return 'marble';
  }

  /**
   * A copy of this model with `tools` bound, sharing `calls` and `subscriptions`
   * (and the call count that picks the next diagram), as `createAgent` needs.
   */
  override bindTools(tools: BindToolsInput[], _kwargs?: Partial<BaseChatModelCallOptions>): MarbleChatModel {
    if (!Array.isArray(tools)) throw new TypeError(`MarbleChatModel.bindTools: tools must be an array, got ${describe(tools)}.`);
    const bound = new MarbleChatModel(this.replies, this.values, this.marbleOptions, { calls: this.calls, subscriptions: this.subscriptions });
    (bound as { tools: readonly BindToolsInput[] }).tools = [...this.tools, ...tools];
    return bound;
  }

  /** The prompt of call `index` (default: the last) as `[type, text]` pairs, handy for history assertions. */
  transcript(index = this.calls.length - 1): Array<[MessageType, string]> {
    const messages = this.calls[index];
    if (!messages) throw new RangeError(`MarbleChatModel.transcript: there is no call ${index}; the model was called ${this.calls.length} time(s).`);
    return messages.map((m) => [m.getType(), textOf(m, 'MarbleChatModel.transcript')]);
  }

  /**
   * The model is an Observable-native runnable (decision 0330) inside `TestScheduler.run` only,
   * where LangChain's promises cannot settle (decision 0310): its chunks on the model's scheduler.
   * Anywhere else it declines and `fromRunnable` calls the real `stream()`. `fromRunnable` owns the
   * signal (teardown, the caller's abort).
   *
   * @param input A string, messages or a prompt value.
   * @returns The chunks of the diagram, or `undefined` outside `TestScheduler.run`.
   */
  [observeStream](input: unknown): Observable<AIMessageChunk> | undefined {
    return inRunMode(this.scheduler) ? this.observeInRun(input) : undefined;
  }

  /** Chunks on the model's scheduler, logged like a cold observable's subscription. */
  private observeInRun(input: unknown): Observable<AIMessageChunk> {
    return new Observable<AIMessageChunk>((subscriber) => {
      const scheduler = this.scheduler;
      const log = TestScheduler.parseMarblesAsSubscriptions('^', true) as MarbleSubscriptionLog;
      log.subscribedFrame = scheduler.now();
      log.unsubscribedFrame = Infinity;
      this.subscriptions.push(log);
      const teardown = new Subscription(() => {
        log.unsubscribedFrame = scheduler.now();
      });

      let events: MarbleEvent[];
      try {
        const messages = toMessages(input);
        this.calls.push(messages);
        events = this.eventsFor(messages, this.calls.length - 1);
      } catch (err) {
        subscriber.error(err);
        return teardown;
      }
      for (let i = 0; i < events.length; ) {
        const frame = events[i].frame;
        let j = i;
        while (j < events.length && events[j].frame === frame) j++;
        const group = events.slice(i, j);
        i = j;
        teardown.add(
          scheduler.schedule(() => {
            for (const event of group) {
              if (event.kind === 'N') subscriber.next(event.value!);
              else if (event.kind === 'E') subscriber.error(event.error);
              else subscriber.complete();
            }
          }, frame),
        );
      }
      return teardown;
    });
  }

  /**
   * Observes a sequence this model is part of (see `observeSequence`) inside `TestScheduler.run`:
   * prompt templates before it are formatted synchronously, StringOutputParsers after it applied
   * per chunk; any other step errors with a TypeError that says why. Declined anywhere else (the
   * sequence is streamed normally).
   *
   * @param steps The sequence's steps.
   * @param index The model's index in `steps`.
   * @param input The sequence's input.
   * @returns The sequence's chunks, or `undefined` outside `TestScheduler.run`.
   */
  [observeSequence](steps: readonly unknown[], index: number, input: unknown): Observable<unknown> | undefined {
    const before = steps.slice(0, index);
    const after = steps.slice(index + 1);
    const reason =
      before.length > 1
        ? `it has ${before.length} steps before the model (only one prompt template is supported)`
        : (before.length === 1 ? whyNotSyncPrompt(before[0]) : undefined) ?? after.map(whyNotSyncParser).find(Boolean);
    if (!inRunMode(this.scheduler)) return undefined;
    if (reason !== undefined) {
      return throwError(
        () =>
          new TypeError(
            `marbleChatModel: this chain cannot run in virtual time because ${reason}. Inside TestScheduler.run only a ChatPromptTemplate or ` +
              'PromptTemplate before the model and StringOutputParsers after it are supported (LangChain runs other steps as promises, ' +
              'which never settle inside run()). Test this chain outside run() with async/await, or pass the model itself to fromRunnable.',
          ),
      );
    }
    return defer(() => {
      const prompt = before.length === 1 ? formatPromptSync(before[0], input) : input;
      let out: Observable<unknown> = this.observeInRun(prompt);
      for (const parser of after) out = out.pipe(map((value) => parseStringSync(parser, value)));
      return out;
    });
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this['ParsedCallOptions'],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    this.calls.push(messages);
    const events = this.eventsFor(messages, this.calls.length - 1);
    const signal = options.signal;
    const scheduler = this.scheduler;
    const log: MarbleSubscriptionLog = { subscribedFrame: scheduler.now(), unsubscribedFrame: Infinity };
    this.subscriptions.push(log);
    // The abort is logged when it happens; the generator only sees it at its next turn.
    const end = (): void => {
      if (log.unsubscribedFrame === Infinity) log.unsubscribedFrame = scheduler.now();
    };
    signal?.addEventListener('abort', end, { once: true });
    try {
      const frame = frameOf(scheduler);
      let now = 0;
      for (const event of events) {
        // Frames are waited for on the model's scheduler: virtual time when it is a VirtualTimeScheduler
        // driven by flushAsync (decision 0310), real milliseconds with the default asyncScheduler.
        if (event.frame > now) await waitOn(scheduler, (event.frame - now) * frame, signal);
        now = event.frame;
        signal?.throwIfAborted();
        if (event.kind === 'E') throw event.error;
        if (event.kind === 'C') return;
        const text = textOf(event.value!, 'marbleChatModel');
        const generation = new ChatGenerationChunk({ text, message: event.value! });
        yield generation;
        if (runManager) await runManager.handleLLMNewToken(text, undefined, undefined, undefined, undefined, { chunk: generation });
      }
      // No `|`: a stall, until aborted.
      await waitOn(scheduler, Infinity, signal);
    } finally {
      signal?.removeEventListener('abort', end);
      end();
    }
  }

  override async _generate(
    messages: BaseMessage[],
    options: this['ParsedCallOptions'],
    runManager?: CallbackManagerForLLMRun,
  ): Promise<ChatResult> {
    return generateFromStream(this._streamResponseChunks(messages, options, runManager));
  }

  private eventsFor(messages: BaseMessage[], call: number): MarbleEvent[] {
    const replies = this.replies;
    let diagram: MarbleDiagram;
    if (typeof replies === 'function') {
      diagram = replies(messages, call);
      if (!isDiagram(diagram)) {
        throw new TypeError(`marbleChatModel: the replies function must return a diagram string or { diagram, values }, got ${describe(diagram)}.`);
      }
    } else if (isDiagram(replies)) diagram = replies;
    else if (Array.isArray(replies)) {
      if (call >= replies.length) {
        throw new RangeError(`marbleChatModel: this is call ${call + 1} but only ${replies.length} diagram(s) were given; add one per expected call.`);
      }
      diagram = replies[call];
    } else {
      const map = replies as Record<string, MarbleDiagram>;
      const lastHuman = [...messages].reverse().find((m) => m.getType() === 'human');
      const key = lastHuman ? textOf(lastHuman, 'marbleChatModel') : '';
      if (Object.prototype.hasOwnProperty.call(map, key)) diagram = map[key];
      else if (Object.prototype.hasOwnProperty.call(map, '*')) diagram = map['*'];
      else {
        throw new TypeError(
          `marbleChatModel: no diagram for the prompt ${JSON.stringify(key)}; known prompts: ${Object.keys(map).map((k) => JSON.stringify(k)).join(', ')} (add a '*' entry for any other prompt).`,
        );
      }
    }
    return this.parse(diagram, 'marbleChatModel');
  }

  private parse(diagram: MarbleDiagram, where: string): MarbleEvent[] {
    if (!isDiagram(diagram)) throw new TypeError(`${where} must be a diagram string or { diagram, values }, got ${describe(diagram)}.`);
    const script: MarbleScript = typeof diagram === 'string' ? { diagram } : diagram;
    const values: MarbleValues = { ...this.values, ...script.values };
    // As in cold() without values: a letter with no value stands for itself.
    for (const c of script.diagram) if (!(c in values)) values[c] = c;
    const error = script.error !== undefined ? script.error : this.errorValue;
    return parseDiagram(script.diagram, values, error, where);
  }
}

/**
 * A chat model that streams marble diagrams: `'--a-b--c|'` emits chunk `a` at
 * frame 2, `b` at 4, `c` at 7 and completes at 8; `#` errors (default
 * `providerError(500)`, or `options.error`); a diagram without `|` or `#` never
 * completes (a stall). Values may be strings or `AIMessageChunk`s (see `chunks()`).
 * See {@link MarbleChatModel} for time, chains and assertions.
 *
 * @example
 * ```ts
 * import { TestScheduler } from 'rxjs/testing';
 * import { fromRunnable, textContent } from 'rxjs-langchain';
 * import { marbleChatModel } from 'rxjs-langchain/testing';
 *
 * test('textContent passes the text through, frame by frame', () => {
 *   const testScheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
 *   testScheduler.run(({ expectObservable, expectSubscriptions }) => {
 *     const model = marbleChatModel('--a-b--c|', { a: 'Hel', b: 'lo', c: '!' });
 *     expectObservable(fromRunnable(model, 'hi').pipe(textContent())).toBe('--a-b--c|', { a: 'Hel', b: 'lo', c: '!' });
 *     expectSubscriptions(model.subscriptions).toBe('^-------!');
 *   });
 * });
 * ```
 *
 * @see {@link chunks}, {@link toolCallChunk} and {@link providerError} for the values.
 * @see {@link expectText} to assert the text of a chunk stream.
 *
 * @param replies A diagram, an array of diagrams (one per call, in order), an object keyed by the last human message (`'*'` for any other), or a function `(messages, call) => diagram`.
 * @param values The marble values: strings or `AIMessageChunk`s.
 * @param options `error` (the value of `#`, default `providerError(500)`) and `scheduler`.
 * @returns The model, a real LangChain `BaseChatModel`.
 */
export function marbleChatModel(replies: MarbleReplies, values?: MarbleValues, options?: MarbleChatModelOptions): MarbleChatModel {
  return new MarbleChatModel(replies, values, options);
}

function isDiagram(value: unknown): value is MarbleDiagram {
  return (
    typeof value === 'string' ||
    (typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { diagram?: unknown }).diagram === 'string')
  );
}

/** Parses with the TestScheduler's own parser (run-mode syntax, 1 frame = 1 ms). */
function parseDiagram(diagram: string, values: MarbleValues, error: unknown, where: string): MarbleEvent[] {
  if (diagram.includes('^')) {
    throw new TypeError(`${where}: ${JSON.stringify(diagram)} has '^', but the model's stream is cold: it starts when subscribed. Remove the '^'.`);
  }
  const previous = TestScheduler.frameTimeFactor;
  let messages: ReturnType<typeof TestScheduler.parseMarbles>;
  try {
    TestScheduler.frameTimeFactor = 1;
    messages = TestScheduler.parseMarbles(diagram, values, error, false, true);
  } catch (err) {
    throw new TypeError(`${where}: bad diagram ${JSON.stringify(diagram)}: ${(err as Error).message}`);
  } finally {
    TestScheduler.frameTimeFactor = previous;
  }
  return messages.map(({ frame, notification }) => {
    if (notification.kind === 'N') return { frame, kind: 'N', value: toChunk(notification.value, `${where}: value ${JSON.stringify(notification.value)}`) };
    if (notification.kind === 'E') return { frame, kind: 'E', error: notification.error };
    return { frame, kind: 'C' };
  });
}

function toMessages(input: unknown): BaseMessage[] {
  if (typeof input === 'string') return [new HumanMessage(input)];
  if (Array.isArray(input)) return input.map((m) => coerceMessageLikeToMessage(m));
  if (typeof input === 'object' && input !== null && typeof (input as { toChatMessages?: unknown }).toChatMessages === 'function') {
    return (input as { toChatMessages(): BaseMessage[] }).toChatMessages();
  }
  throw new TypeError(`marbleChatModel: input must be a string, an array of messages or a prompt value, got ${describe(input)}.`);
}

/** Scheduler time per diagram frame: a TestScheduler outside `run()` counts `frameTimeFactor` (10) per frame, as its own marbles do. */
function frameOf(scheduler: SchedulerLike): number {
  return scheduler instanceof TestScheduler ? TestScheduler.frameTimeFactor : 1;
}

/**
 * Inside `TestScheduler.run` (which sets `frameTimeFactor` to 1 while it runs) with the default
 * scheduler (`asyncScheduler` delegates to the TestScheduler there) or the TestScheduler itself.
 */
function inRunMode(scheduler: SchedulerLike): boolean {
  return TestScheduler.frameTimeFactor === 1 && (scheduler === asyncScheduler || scheduler instanceof TestScheduler);
}
