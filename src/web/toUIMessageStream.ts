import { asyncScheduler, Observable, take, takeUntil, tap, type OperatorFunction, type SchedulerLike } from 'rxjs';
import { linkedObserver } from '../internal/linked';
import { startHeartbeat } from './serverSentEventFrame';
import type { AIMessageChunk } from '@langchain/core/messages';
import type { StreamPart } from '../parts/types';
import { randomId } from '../internal/id';
import { assertFunction, assertObject, describe } from '../internal/validate';
import { progressTrackerFactory, type ProgressOptions, type ProgressTracker } from '../operators/progress';
import type { UIMessageChunk } from './uiMessageChunk';
import { signApprovalRequests } from './approvalChunks';
import type { ApprovalSecret } from './approvalSignature';
import { UIMessageEncoder, type UIEncoderConfig } from './uiMessageEncoder';

export { toUIFinishReason, type UIMessageStreamMetadata } from './uiMessageEncoder';

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

/** Default `errorText`: the error's message. */
export function defaultUIErrorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : `The stream failed with ${describe(error)}.`;
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
 * `toUIMessageStream` with each chunk through `encode` (the wire encodes in the same pass, and a
 * chunk that cannot be encoded — a BigInt tool output — ends the stream like a source error).
 * The stop is composed (`takeUntil`, which unsubscribes the source: the model request is
 * aborted); the state machine is {@link UIMessageEncoder}.
 *
 * Hand-written `new Observable` rather than `mergeMap` + `concatWith` + `catchError` + `startWith`
 * around the encoder: that composition measured **2.27×** the CPU time of this one (range
 * 1.69–3.53×, 15 interleaved rounds, 200,000 parts → 205,802 frames, bench/ui.bench.ts's run),
 * 2.34× the hand-written loop against a goal of ≤ 1.3×: `mergeMap` subscribes an inner
 * Observable per value and every operator adds a hop per frame. For the same reason the wire's
 * trailer and heartbeat are sent here (`wire`): `endWith` + `withHeartbeats` after it measured
 * 1.10–1.18× of this (three runs of 12–15 rounds).
 */
export function encodeUIMessageStream<O>(
  where: string,
  options: ToUIMessageStreamOptions,
  encode: (chunk: UIMessageChunk) => O,
  wire?: UIMessageStreamWire<O>,
): OperatorFunction<UIMessageStreamInput, O> {
  const { config, newTracker, scheduler } = uiEncoderOptions(where, options);
  const stop$ = options.stop$;
  const sign = options.toolApprovalSecret === undefined ? undefined : signApprovalRequests<UIMessageStreamInput>(options.toolApprovalSecret);
  return (input) => {
    const source = sign ? input.pipe(sign) : input;
    return new Observable<O>((subscriber) => {
      const startedAt = scheduler.now();
      const elapsed = (): number => scheduler.now() - startedAt;
      const heartbeat = wire && wire.heartbeatMs > 0 ? startHeartbeat(wire.heartbeatMs, scheduler, () => subscriber.next(wire.ping)) : undefined;
      if (heartbeat) subscriber.add(() => heartbeat.stop());
      const emit = heartbeat
        ? (chunk: UIMessageChunk): void => {
            heartbeat.beat();
            subscriber.next(encode(chunk));
          }
        : (chunk: UIMessageChunk): void => subscriber.next(encode(chunk));
      const end = (): void => {
        heartbeat?.stop();
        if (wire) subscriber.next(wire.trailer);
        subscriber.complete();
      };
      const encoder = new UIMessageEncoder({ ...config, elapsed, closed: () => subscriber.closed }, newTracker?.(), emit);
      let stopped: { reason: unknown } | undefined;
      const values = stop$ ? source.pipe(takeUntil(stop$.pipe(take(1), tap((reason) => (stopped = { reason }))))) : source;
      const fail = (error: unknown): void => {
        upstream.unsubscribe();
        encoder.fail(error);
        end();
      };
      // Owned by the subscriber before the first value: a downstream take, a stop or an error
      // closes it at once, even while a synchronous source is still emitting (decision 0110).
      const upstream = linkedObserver<UIMessageStreamInput>(subscriber, {
        next: (value) => {
          try {
            encoder.push(value);
          } catch (error) {
            fail(error);
          }
        },
        error: fail,
        complete: () => {
          try {
            if (stopped) encoder.abort(stopped.reason);
            else encoder.complete();
          } catch (error) {
            return fail(error);
          }
          end();
        },
      });
      encoder.start(options.messageId ?? randomId('msg'));
      values.subscribe(upstream);
    });
  };
}

/** What the wire adds to the chunks: a last `trailer`, and `ping` after `heartbeatMs` of silence (0: none). */
export interface UIMessageStreamWire<O> {
  readonly trailer: O;
  readonly heartbeatMs: number;
  readonly ping: O;
}

/** Validates the options at call time; what each subscription's encoder needs. */
function uiEncoderOptions(
  where: string,
  options: ToUIMessageStreamOptions,
): { config: Omit<UIEncoderConfig, 'elapsed' | 'closed'>; newTracker: (() => ProgressTracker) | undefined; scheduler: SchedulerLike } {
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
  const progress = options.progress;
  if (progress !== undefined && typeof progress !== 'boolean') assertObject(`${where}: progress`, progress);
  const newTracker = progress === undefined || progress === false ? undefined : progressTrackerFactory(where, { scheduler, ...(progress === true ? {} : progress) });
  const config = {
    where,
    sendReasoning: options.sendReasoning ?? true,
    dynamicTools: options.dynamicTools === true,
    sendMetadata: options.metadata === true,
    customData,
    errorText: options.errorText ?? defaultUIErrorText,
  } as const;
  return { config, newTracker, scheduler };
}
