import { catchError, concat, defer, EMPTY, from, of, takeUntil, tap, type Observable } from 'rxjs';
import { fromAsyncIterableFactory } from '../../sources/fromAsyncIterableFactory';
import { pendingInterrupts, type CompiledGraphLike } from './graphs';
import { shapeGraphEvents, wireEvent, type GraphProtocolEvent, type UnnumberedEvent } from './wireEvents';

/** One run to produce: the graph, its input (a value or a LangGraph `Command`) and its config. */
export interface RunSpec {
  readonly graph: CompiledGraphLike;
  readonly graphName: string;
  readonly input: unknown;
  /**
   * Computes the input when the run starts (after `lifecycle running`), instead of `input`: what
   * it throws ends the run `failed`, so the thread's readers hear why (a failure before the run
   * was opened reached nobody: its clients waited forever).
   */
  readonly resolveInput?: () => Promise<unknown>;
  readonly configurable: Record<string, unknown>;
  readonly metadata?: Record<string, unknown>;
  readonly recursionLimit?: number;
}

/**
 * The protocol events of one run: the root `lifecycle running`, LangGraph's own events
 * (`graph.streamEvents(…, { version: 'v3' })`, shaped by {@link shapeGraphEvents}), then exactly
 * one root terminal event: `interrupted` when `cancel$` fired or an interrupt is pending (the
 * state is asked, as langgraph-api does), `failed` with the error's message, else `completed`.
 * Cold; unsubscribing (or `cancel$`) aborts the graph, its model request and a running tool.
 */
export function runEvents(run: RunSpec, cancel$: Observable<unknown>): Observable<UnnumberedEvent> {
  return defer(() => {
    let cancelled = false;
    let failure: string | undefined;
    let interrupted = false;
    const graph$ = fromAsyncIterableFactory<GraphProtocolEvent>(async (signal) => {
      const options: Record<string, unknown> = {
        version: 'v3',
        configurable: run.configurable,
        signal,
        ...(run.metadata ? { metadata: run.metadata } : {}),
        ...(run.recursionLimit ? { recursionLimit: run.recursionLimit } : {}),
      };
      const input = run.resolveInput ? await run.resolveInput() : run.input;
      const stream = (await run.graph.streamEvents(input, options)) as AsyncIterable<GraphProtocolEvent>;
      settleToolCallOutputs(stream);
      return stream;
    }).pipe(
      takeUntil(cancel$.pipe(tap(() => (cancelled = true)))),
      shapeGraphEvents(() => (interrupted = true)),
      catchError((error: unknown) => {
        failure = error instanceof Error ? error.message : String(error);
        return EMPTY;
      }),
    );
    const terminal$ = defer(async () => {
      let event = 'completed';
      if (cancelled || interrupted) event = 'interrupted';
      else if (failure !== undefined) event = 'failed';
      else if (await hasPendingInterrupt(run)) event = 'interrupted';
      return wireEvent('lifecycle', [], { event, graph_name: run.graphName, ...(event === 'failed' ? { error: failure } : {}) });
    });
    return concat(of(wireEvent('lifecycle', [], { event: 'running', graph_name: run.graphName })), graph$, from(terminal$));
  });
}

async function hasPendingInterrupt(run: RunSpec): Promise<boolean> {
  try {
    return pendingInterrupts(await run.graph.getState({ configurable: { thread_id: run.configurable.thread_id } })).length > 0;
  } catch {
    return false;
  }
}

/**
 * `createAgent`'s tool-call projection (langchain 1.5.14, `run.toolCalls`) makes an `output`
 * promise per call and rejects it when the tool fails or the run is aborted, with nobody
 * listening: an unhandled rejection, which ends a Node process. Its entries are read here only to
 * mark those promises handled (decision 0214).
 */
function settleToolCallOutputs(stream: unknown): void {
  const calls = (stream as { toolCalls?: AsyncIterable<{ output?: PromiseLike<unknown> }> }).toolCalls;
  if (!calls || typeof calls[Symbol.asyncIterator] !== 'function') return;
  void (async () => {
    try {
      for await (const call of calls) Promise.resolve(call.output).catch(() => undefined);
    } catch {
      // the run failed or was aborted: the events say so
    }
  })();
}
