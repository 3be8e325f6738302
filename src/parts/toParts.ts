import { Observable, Subscription, type OperatorFunction, type Subscriber } from 'rxjs';
import { PartAssembler } from '../decode/assemble';
import type { ResumedCalls } from '../decode/assembly/interrupts';
import { resumedCallsOfDecisions, type ApprovalDecision } from '../sources/approvalResume';
import { assertObject } from '../internal/validate';
import type { PartSourceValue, StreamPart } from './types';

/**
 * Turns what LangChain and LangGraph stream into typed {@link StreamPart}s,
 * recognising each value by its shape:
 *
 * - `AIMessageChunk`s (`fromRunnable(model, …)`) and whole `AIMessage`s: text,
 *   reasoning (`reasoning_content`, reasoning / thinking blocks), tool calls, usage;
 * - content-block events of `model.streamEvents()` without `version`
 *   (`message-start`, `content-block-start` / `-delta` / `-finish`, `usage`,
 *   `message-finish`), as `fromModelEvents` emits them;
 * - LangGraph `[message, metadata]` pairs (`streamMode: 'messages'`), `[mode, data]`
 *   tuples of multi-mode streams (`messages`, `updates`, `custom`; other modes carry no
 *   parts) and `[namespace, mode, data]` with `subgraphs: true`: parts carry `node` and
 *   `namespace`, and a message seen in both `messages` and `updates` counts once;
 * - `ToolMessage`s (a `tool-result`), strings (text) and parts (passed through).
 *
 * Each model message is a step (`step-start` … `step-finish` with its finish reason and
 * usage). Tool calls are assembled per message: chunks without an `id` are matched by
 * `index`, calls may interleave, arguments may be split anywhere. A `tool-call` part (args
 * parsed; `{}` for a zero-argument tool; `invalid: true` with the raw `argsText` when the
 * JSON never parses) is emitted as soon as the call is complete: when the next call starts
 * and its arguments already parse, when its block finishes, or when the message ends. On
 * completion a `finish` part reports the last finish reason (`'unknown'` if none was
 * reported) and the summed usage.
 *
 * A value of no known shape errors with a TypeError. RxJS's synchronous unsubscription
 * holds: a downstream `take` stops even an infinite synchronous source.
 *
 * @example
 * ```ts
 * import { ChatOpenAI } from '@langchain/openai';
 * import { fromRunnable, toParts } from 'rxjs-langchain';
 * import { createOfflineTools } from 'rxjs-langchain/offline';
 *
 * const model = new ChatOpenAI({ model: 'gpt-4o-mini' }).bindTools(createOfflineTools());
 * fromRunnable(model, 'Python 3.0 是哪一年发布的？')
 *   .pipe(toParts())
 *   .subscribe((part) => {
 *     if (part.type === 'text') process.stdout.write(part.text);
 *     if (part.type === 'tool-call') console.log(`\n→ ${part.name}(${JSON.stringify(part.args)})`);
 *   });
 * ```
 *
 * LangGraph's `__interrupt__` updates become `approval-request` parts and the run's `finish`
 * says `'awaiting-decision'` (see `approvalResume`).
 *
 * @param options `decisions`: what a resumed run's stream answers.
 * @returns An operator from stream values to parts.
 * @see fromAgent
 * @see fromModelEvents
 * @see collectRun
 */
export function toParts(options: ToPartsOptions = {}): OperatorFunction<PartSourceValue, StreamPart> {
  assertObject('toParts: options', options);
  const resumed = options.decisions === undefined ? undefined : resumedCallsOfDecisions(options.decisions);
  return (source) => assembleParts(source, resumed);
}

/** Options of {@link toParts}. */
export interface ToPartsOptions {
  /**
   * The decisions the stream's run continues with (a run resumed with
   * `new Command({ resume: approvalResume(decisions) })`, which `fromAgent` recognises by
   * itself): the interrupted message is not a new step, a rejected call's result is `denied`.
   */
  decisions?: readonly ApprovalDecision[];
}

/**
 * `source` through a fresh {@link PartAssembler}: the body of `toParts()`, shared with `fromAgent`.
 * Hand-written: the assembler writes each value's parts straight into the subscriber; composed
 * (`defer` + `concatMap` over the parts each value gives + `concatWith` for the end) it took
 * 4.47× the CPU of this (200,000 AIMessageChunks, median of 11 rounds side by side, load 12).
 */
export function assembleParts(source: Observable<unknown>, resumed?: ResumedCalls): Observable<StreamPart> {
  return new Observable<StreamPart>((subscriber) => {
    const upstream = new AssemblingObserver(subscriber, resumed);
    // Linked before subscribing, so a downstream unsubscribe closes it even while a synchronous source is still emitting.
    subscriber.add(upstream);
    source.subscribe(upstream);
  });
}

/**
 * The upstream observer of `assembleParts`: a Subscription with `next` / `error` /
 * `complete`, so RxJS uses it as the subscriber itself (see `subscribeLinked`,
 * decision 0110), feeding the assembler without a closure per value.
 */
class AssemblingObserver extends Subscription {
  private readonly assembler: PartAssembler;

  constructor(private readonly downstream: Subscriber<StreamPart>, resumed: ResumedCalls | undefined) {
    super();
    this.assembler = new PartAssembler(downstream, resumed);
  }

  next(value: unknown): void {
    if (this.closed) return;
    try {
      this.assembler.push(value);
    } catch (err) {
      this.unsubscribe();
      this.downstream.error(err);
    }
  }

  error(err: unknown): void {
    if (this.closed) return;
    this.unsubscribe();
    this.downstream.error(err);
  }

  complete(): void {
    if (this.closed) return;
    this.unsubscribe();
    try {
      this.assembler.end();
    } catch (err) {
      this.downstream.error(err);
      return;
    }
    this.downstream.complete();
  }
}
