import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import { mergeUsageMetadata, type AIMessageChunk, type UsageMetadata } from '@langchain/core/messages';
import type { StreamPart } from '../parts/types';
import { randomId } from '../internal/id';
import { assertFunction, assertObject, describe } from '../internal/validate';
import { progressTrackerFactory, type ProgressEvent, type ProgressOptions, type ProgressTracker } from '../operators/progress';
import { PartAssembler } from '../parts/assemble';
import { linkedObserver } from '../internal/linked';
import { startHeartbeat } from './serverSentEventFrame';
import type { UIFinishReason, UIMessageChunk } from './uiMessageChunk';
import { approvalRequestChunk, deniedChunk, signApprovalRequests } from './approvalChunks';
import type { ApprovalSecret } from './approvalSignature';

/** What `toUIMessageStream` reads: parts, message chunks (`fromRunnable(model, …)`), or plain text. */
export type UIMessageStreamInput = StreamPart | AIMessageChunk | string;

/** Options of {@link toUIMessageStream}. */
export interface ToUIMessageStreamOptions {
  /** `messageId` of the `start` chunk (the assistant message's id on the client). Default: a random `msg-…` per subscription. */
  messageId?: string;
  /**
   * A stop: when this emits, the source is unsubscribed (the model request is aborted),
   * open text ends, and the stream ends with an `abort` chunk (`reason` when it emitted a string).
   */
  stop$?: Observable<unknown>;
  /** `errorText` of the final `error` chunk when the source fails. Default: the error's message. Override it to hide provider messages from clients. */
  errorText?: (error: unknown) => string;
  /** Send reasoning as `reasoning-*` chunks. Default true. */
  sendReasoning?: boolean;
  /** Mark tool calls `dynamic` (the client shows them as `dynamic-tool` parts instead of `tool-<name>`). Default false. */
  dynamicTools?: boolean;
  /** Send a `message-metadata` chunk before `finish` with `{ usage, firstChunkMs }` (summed token usage, `null`s when unknown). Default false. */
  metadata?: boolean;
  /** Send transient `data-progress` chunks (a `ProgressEvent` as `data`) as text streams; options as `progress()`. Default off. */
  progress?: boolean | ProgressOptions;
  /** What `custom` parts (LangGraph's custom stream writer) become: `data-custom` chunks, `'transient'` (default) or `'persistent'`, or `'drop'`. */
  customData?: 'transient' | 'persistent' | 'drop';
  /** Where time comes from for `firstChunkMs` and progress. Default `asyncScheduler`. */
  scheduler?: SchedulerLike;
  /**
   * Sign every `tool-approval-request` (HMAC-SHA256 of the approval id, the call and its input, as
   * the AI SDK's `experimental_toolApprovalSecret`); `fromUIApprovals({ toolApprovalSecret })`
   * verifies the client's answer. Default: unsigned.
   */
  toolApprovalSecret?: ApprovalSecret;
}

/** The metadata `toUIMessageStream({ metadata: true })` sends. */
export interface UIMessageStreamMetadata {
  usage: UsageMetadata | null;
  firstChunkMs: number | null;
}

const FINISH_REASONS: Record<string, UIFinishReason> = {
  stop: 'stop', end_turn: 'stop', stop_sequence: 'stop', STOP: 'stop', eos: 'stop',
  length: 'length', max_tokens: 'length', MAX_TOKENS: 'length',
  content_filter: 'content-filter', 'content-filter': 'content-filter', SAFETY: 'content-filter', refusal: 'content-filter',
  tool_calls: 'tool-calls', 'tool-calls': 'tool-calls', tool_use: 'tool-calls', function_call: 'tool-calls',
  error: 'error', other: 'other',
  // The run waits for a person's decision about its tool calls (as the AI SDK's own server ends there).
  'awaiting-decision': 'tool-calls',
};

/**
 * The AI SDK's finish reason for a provider's (`finish_reason: 'tool_calls'` → `'tool-calls'`,
 * Anthropic's `end_turn` → `'stop'`, …); `'other'` for anything unknown.
 */
export function toUIFinishReason(reason: string): UIFinishReason {
  return Object.prototype.hasOwnProperty.call(FINISH_REASONS, reason) ? FINISH_REASONS[reason] : 'other';
}

/** Default `errorText`: the error's message. */
export function defaultUIErrorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : `The stream failed with ${describe(error)}.`;
}

/** `errorText(error)`, never throwing: a failing or non-string redactor gives a generic text. */
function errorTextOf(errorText: (error: unknown) => string, error: unknown): string {
  try {
    const text = errorText(error);
    return typeof text === 'string' ? text : 'The stream failed.';
  } catch {
    return 'The stream failed.';
  }
}

/**
 * Turns a model or agent stream into the AI SDK's UI message stream (v1), the chunks
 * `useChat` / `Chat` read, in a valid order: `start` (with `messageId`) at once; per model
 * step `start-step` … `finish-step`; one `text-start` / `text-delta`… / `text-end` per text
 * block (a block ends where a tool call, reasoning or the step ends) with its own id, and
 * `reasoning-*` likewise; `tool-input-start` / `tool-input-delta` / `tool-input-available`
 * (or `tool-input-error` for arguments that never parsed) per tool call;
 * `tool-output-available` / `tool-output-error` per tool result; `finish` with the AI SDK's
 * finish reason. An agent run that stops for a decision sends `tool-approval-request`
 * `{ approvalId, toolCallId }` after the call's `tool-input-available`, then `finish`; a
 * resumed run (pass the continued message's `messageId`) sends the call's
 * `tool-output-available`, or `tool-output-denied` for a rejected call, then the answer. Only documented fields are sent (the client validates strictly).
 *
 * A source error ends open text and sends one `error` chunk (`errorText`), then completes;
 * a `stop$` aborts the request and ends with `abort`. Unsubscribing sends nothing (teardown,
 * not an error). Reads `StreamPart`s (`fromAgent`, `toParts()`), `AIMessageChunk`s straight
 * from `fromRunnable(model, …)`, and strings (text).
 *
 * @example
 * ```ts
 * import { ChatOpenAI } from '@langchain/openai';
 * import { fromRunnable, toUIMessageStream } from 'rxjs-langchain';
 *
 * const model = new ChatOpenAI({ model: 'gpt-4o-mini' });
 * fromRunnable(model, '你好').pipe(toUIMessageStream()).subscribe((chunk) => console.log(chunk));
 * // { type: 'start', messageId: 'msg-…' } { type: 'start-step' } { type: 'text-start', id: 'text-1' }
 * // { type: 'text-delta', id: 'text-1', delta: '你' } … { type: 'text-end', id: 'text-1' }
 * // { type: 'finish-step' } { type: 'finish', finishReason: 'stop' }
 * ```
 *
 * @param options Message id, stop, error text, reasoning, metadata and progress.
 * @returns An operator from parts, message chunks or text to `UIMessageChunk`s.
 * @see toUIMessageStreamResponse
 * @see sendUIMessageStream
 * @see fromUIMessages
 */
export function toUIMessageStream(options: ToUIMessageStreamOptions = {}): OperatorFunction<UIMessageStreamInput, UIMessageChunk> {
  return encodeUIMessageStream('toUIMessageStream', options, (chunk) => chunk);
}

/**
 * The state machine of `toUIMessageStream`, emitting `encode(chunk)` for each chunk. For
 * the wire, also `wire.trailer` last (after `finish`, `error` or `abort`) and `wire.ping`
 * after `heartbeatMs` of silence; it encodes in the same pass (no operator per frame), and a
 * chunk that cannot be encoded (a BigInt tool output) ends the stream like a source error.
 */
export function encodeUIMessageStream<O>(
  where: string,
  options: ToUIMessageStreamOptions,
  encode: (chunk: UIMessageChunk) => O,
  wire?: { trailer: O; heartbeatMs: number; ping: O },
): OperatorFunction<UIMessageStreamInput, O> {
  assertObject(`${where}: options`, options);
  if (options.messageId !== undefined && (typeof options.messageId !== 'string' || options.messageId === '')) {
    throw new TypeError(`${where}: messageId must be a non-empty string, got ${describe(options.messageId)}.`);
  }
  if (options.stop$ !== undefined && typeof (options.stop$ as { subscribe?: unknown })?.subscribe !== 'function') {
    throw new TypeError(`${where}: stop$ must be an Observable, got ${describe(options.stop$)}.`);
  }
  assertFunction(`${where}: errorText`, options.errorText, true);
  for (const flag of ['sendReasoning', 'dynamicTools', 'metadata'] as const) {
    if (options[flag] !== undefined && typeof options[flag] !== 'boolean') {
      throw new TypeError(`${where}: ${flag} must be a boolean, got ${describe(options[flag])}.`);
    }
  }
  const customData = options.customData ?? 'transient';
  if (customData !== 'transient' && customData !== 'persistent' && customData !== 'drop') {
    throw new TypeError(`${where}: customData must be 'transient', 'persistent' or 'drop', got ${describe(customData)}.`);
  }
  const scheduler = options.scheduler ?? asyncScheduler;
  if (typeof scheduler !== 'object' || scheduler === null || typeof scheduler.now !== 'function') {
    throw new TypeError(`${where}: scheduler must be an RxJS scheduler, got ${describe(scheduler)}.`);
  }
  const progressOption = options.progress;
  if (progressOption !== undefined && typeof progressOption !== 'boolean') assertObject(`${where}: progress`, progressOption);
  const newTracker =
    progressOption === undefined || progressOption === false
      ? undefined
      : progressTrackerFactory(where, { scheduler, ...(progressOption === true ? {} : progressOption) });
  const errorText = options.errorText ?? defaultUIErrorText;
  const sendReasoning = options.sendReasoning ?? true;
  const dynamicTools = options.dynamicTools === true;
  const sendMetadata = options.metadata === true;
  const stop$ = options.stop$;

  const sign = options.toolApprovalSecret === undefined ? undefined : signApprovalRequests<UIMessageStreamInput>(options.toolApprovalSecret);
  return (input) => {
    const source = sign ? input.pipe(sign) : input;
    return new Observable<O>((subscriber) => {
      const startedAt = scheduler.now();
      let firstChunkMs: number | null = null;
      let open: 'text' | 'reasoning' | undefined;
      let openId = '';
      let blocks = 0;
      let stepOpen = false;
      let finished = false; // `finish` sent; later parts are ignored
      let closed = false; // `error` or `abort` sent, or the source is done
      let lastFinishReason: string | undefined;
      let usage: UsageMetadata | undefined;
      let adapter: PartAssembler | undefined; // message chunks → parts, as toParts()
      const pending: StreamPart[] = [];
      const announced = new Set<string>();
      const tracker: ProgressTracker | undefined = newTracker?.();
      let upstream: Subscription | undefined;
      let stopSubscription: Subscription | undefined;

      const heartbeat = wire && wire.heartbeatMs > 0 ? startHeartbeat(wire.heartbeatMs, scheduler, () => subscriber.next(wire.ping)) : undefined;
      const emit = heartbeat
        ? (chunk: UIMessageChunk): void => {
            heartbeat.beat();
            subscriber.next(encode(chunk));
          }
        : (chunk: UIMessageChunk): void => subscriber.next(encode(chunk));
      const progressChunk = (event: ProgressEvent): UIMessageChunk => ({ type: 'data-progress', data: event, transient: true });
      const sawContent = (): void => {
        if (firstChunkMs === null) firstChunkMs = scheduler.now() - startedAt;
      };
      const closeBlock = (): void => {
        if (open === undefined) return;
        emit(open === 'text' ? { type: 'text-end', id: openId } : { type: 'reasoning-end', id: openId });
        open = undefined;
      };
      const openStep = (): void => {
        if (stepOpen) return;
        stepOpen = true;
        emit({ type: 'start-step' });
      };
      const closeStep = (): void => {
        closeBlock();
        if (!stepOpen) return;
        stepOpen = false;
        emit({ type: 'finish-step' });
      };
      const textLike = (kind: 'text' | 'reasoning', text: string): void => {
        if (text.length === 0) return;
        sawContent();
        openStep();
        if (open !== kind) {
          closeBlock();
          open = kind;
          openId = `${kind}-${++blocks}`;
          emit(kind === 'text' ? { type: 'text-start', id: openId } : { type: 'reasoning-start', id: openId });
        }
        emit(kind === 'text' ? { type: 'text-delta', id: openId, delta: text } : { type: 'reasoning-delta', id: openId, delta: text });
        if (kind === 'text' && tracker) {
          const event = tracker.push(text);
          if (event) emit(progressChunk(event));
        }
      };
      const finish = (reason: string | undefined, finalUsage: UsageMetadata | undefined): void => {
        closeStep();
        finished = true;
        if (tracker) emit(progressChunk(tracker.final()));
        if (sendMetadata) {
          const messageMetadata: UIMessageStreamMetadata = { usage: finalUsage ?? usage ?? null, firstChunkMs };
          emit({ type: 'message-metadata', messageMetadata });
        }
        emit(reason === undefined ? { type: 'finish' } : { type: 'finish', finishReason: toUIFinishReason(reason) });
      };

      /** Handles a part; false for a `type` that is not a part's. */
      const onPart = (part: StreamPart): boolean => {
        switch (part.type) {
          case 'text':
            textLike('text', part.text);
            return true;
          case 'reasoning':
            if (sendReasoning) textLike('reasoning', part.text);
            else if (part.text.length > 0) sawContent();
            return true;
          case 'tool-call-start':
            sawContent();
            openStep();
            closeBlock();
            announced.add(part.id);
            emit(dynamicTools ? { type: 'tool-input-start', toolCallId: part.id, toolName: part.name, dynamic: true } : { type: 'tool-input-start', toolCallId: part.id, toolName: part.name });
            return true;
          case 'tool-call-delta':
            if (part.argsText.length === 0 || !announced.has(part.id)) return true;
            sawContent();
            emit({ type: 'tool-input-delta', toolCallId: part.id, inputTextDelta: part.argsText });
            return true;
          case 'tool-call':
            sawContent();
            openStep();
            closeBlock();
            if (part.invalid) {
              emit({
                type: 'tool-input-error',
                toolCallId: part.id,
                toolName: part.name,
                input: part.argsText ?? '',
                errorText: `The arguments of the ${part.name} call are not valid JSON.`,
                ...(dynamicTools && { dynamic: true }),
              });
              return true;
            }
            emit(
              dynamicTools
                ? { type: 'tool-input-available', toolCallId: part.id, toolName: part.name, input: part.args, dynamic: true }
                : { type: 'tool-input-available', toolCallId: part.id, toolName: part.name, input: part.args },
            );
            return true;
          case 'tool-result': {
            closeBlock();
            const denied = deniedChunk(part);
            if (denied) {
              emit(denied);
              return true;
            }
            if (part.isError) {
              emit({ type: 'tool-output-error', toolCallId: part.id, errorText: resultText(part.content) });
              return true;
            }
            // JSON drops `undefined`; `null` keeps the output field.
            emit({ type: 'tool-output-available', toolCallId: part.id, output: part.content === undefined ? null : part.content });
            return true;
          }
          case 'approval-request': {
            closeStep();
            const chunk = approvalRequestChunk(part, announced, (part as { signature?: string }).signature);
            if (chunk) emit(chunk);
            return true;
          }
          case 'step-start':
            closeStep();
            openStep();
            return true;
          case 'step-finish':
            closeStep();
            if (part.finishReason) lastFinishReason = part.finishReason;
            return true;
          case 'usage':
            usage = mergeUsageMetadata(usage, part.usage);
            return true;
          case 'custom':
            if (customData === 'drop') return true;
            emit({ type: 'data-custom', data: part.data, ...(customData === 'transient' && { transient: true }) });
            return true;
          case 'finish':
            finish(part.finishReason, part.usage);
            return true;
          default:
            return false;
        }
      };

      const onValue = (value: UIMessageStreamInput): void => {
        if (typeof value === 'string') {
          textLike('text', value);
          return;
        }
        if (typeof value !== 'object' || value === null) {
          throw new TypeError(`${where}: expected StreamParts, AIMessageChunks or strings, got ${describe(value)}.`);
        }
        // Parts by their `type` first: a tool-result part has `content` too.
        if (typeof value.type === 'string' && onPart(value as StreamPart)) return;
        if ('content' in value) {
          adapter ??= new PartAssembler({ next: (part) => pending.push(part) });
          adapter.push(value);
          drain();
          return;
        }
        throw new TypeError(`${where}: expected StreamParts, AIMessageChunks or strings, got a value of type ${describe(value.type)}.`);
      };
      const drain = (): void => {
        for (let i = 0; i < pending.length && !subscriber.closed; i++) if (!finished) onPart(pending[i]);
        pending.length = 0;
      };

      const end = (): void => {
        closed = true;
        stopSubscription?.unsubscribe();
        heartbeat?.stop();
        if (wire) subscriber.next(wire.trailer);
        subscriber.complete();
      };
      const fail = (error: unknown): void => {
        if (closed) return;
        closed = true;
        upstream?.unsubscribe();
        closeStep();
        emit({ type: 'error', errorText: errorTextOf(errorText, error) });
        end();
      };

      emit({ type: 'start', messageId: options.messageId ?? randomId('msg') });
      if (stop$) {
        stopSubscription = stop$.subscribe((reason) => {
          if (closed) return;
          closed = true;
          upstream?.unsubscribe(); // aborts the model request
          if (!finished) {
            closeStep();
            emit(typeof reason === 'string' && reason !== '' ? { type: 'abort', reason } : { type: 'abort' });
          }
          end();
        });
        if (closed) return;
      }
      // Owned by the subscriber before the first value: a downstream take, a stop or an error
      // closes it at once, even while a synchronous source is still emitting (decision 0110).
      const observer = linkedObserver<UIMessageStreamInput>(subscriber, {
        next: (value) => {
          if (finished) return;
          try {
            onValue(value);
          } catch (error) {
            fail(error);
          }
        },
        error: fail,
        complete: () => {
          if (closed || subscriber.closed) return;
          try {
            if (adapter) {
              adapter.end();
              drain();
            }
            if (!finished) finish(lastFinishReason, undefined);
          } catch (error) {
            return fail(error);
          }
          end();
        },
      });
      upstream = observer;
      source.subscribe(observer);
      return () => {
        heartbeat?.stop();
        stopSubscription?.unsubscribe();
        upstream?.unsubscribe();
      };
    });
  };
}

function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  try {
    return JSON.stringify(content) ?? String(content);
  } catch {
    return String(content);
  }
}
