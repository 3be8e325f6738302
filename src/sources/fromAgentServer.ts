import { defer, type Observable } from 'rxjs';
import { RemoteStreamError } from '../errors';
import { assembleParts } from '../parts/toParts';
import type { StreamPart } from '../parts/types';
import { assertObject, describe } from '../internal/validate';
import { fromAsyncIterableFactory } from './fromAsyncIterableFactory';
import { protocolEventParts, type AgentServerRunState, type ProtocolEventLike } from './agentServerParts';
import { respondCommand, type AgentServerResponse, type RespondCommand } from './agentServerRespond';

/** Options of {@link fromAgentServer}. */
export interface FromAgentServerOptions {
  /** The server's URL (what `new Client({ apiUrl })` takes). Ignored when `client` is given. */
  apiUrl?: string;
  /** Your own `@langchain/langgraph-sdk` `Client` (auth headers, retries). Default: `new Client({ apiUrl, apiKey: null })`. */
  client?: unknown;
  /** The assistant (graph) to run. */
  assistantId: string;
  /** The thread to run on. Default: a new thread. */
  threadId?: string;
  /** The run's input, e.g. `{ messages: [{ role: 'user', content: '…' }] }`. Not used with `respond`. */
  input?: unknown;
  /**
   * Answers pending interrupts (`input.respond`) instead of starting a run: the parts are the
   * resumed run's. `approvalResume(decisions)` (the `approval-request` parts answered by
   * interrupt id), or one interrupt's raw answer `{ interruptId, response }`.
   */
  respond?: AgentServerResponse;
  /** `config` and `metadata` of the run. */
  config?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  /** Cancel the run on the server when you unsubscribe before it ends. Default true (teardown stops the model). */
  cancelOnUnsubscribe?: boolean;
  /** A `fetch` for the SDK's requests. Default the global one. */
  fetch?: typeof fetch;
}

interface SdkThread {
  readonly threadId: string;
  readonly ordering: { lastAppliedThroughSeq?: number };
  subscribe(channels: readonly string[]): Promise<AsyncIterable<ProtocolEventLike> & { readonly isPaused: boolean; resume(): void }>;
  run: { start(params: Record<string, unknown>): Promise<{ run_id?: string }> };
  input: { respond(params: Record<string, unknown>): Promise<unknown> };
  close(): Promise<void>;
}

interface SdkClient {
  threads: { stream(...args: unknown[]): SdkThread };
  runs: { cancel(threadId: string, runId: string): Promise<unknown> };
}

// `updates` only for the results of rejected calls (a tool message no tool run made).
const CHANNELS = ['messages', 'tools', 'updates', 'custom', 'lifecycle', 'input'] as const;

/**
 * A cold Observable of the typed {@link StreamPart}s of one run on any server that speaks
 * LangGraph's Agent Streaming Protocol (ours, `langgraphjs dev`, the LangGraph Platform), through
 * `@langchain/langgraph-sdk`'s own protocol client (`client.threads.stream`), not a second
 * implementation of the wire. Each subscription opens the thread's event stream, starts the run
 * (or answers interrupts with `respond`), and emits its parts: `text` / `reasoning`, tool calls,
 * `tool-result`s, `custom` parts, `approval-request` parts when the run stops for a person (as
 * `fromAgent` makes them), then `finish` (`'awaiting-decision'` then, `'interrupted'` for a
 * cancelled run); a failed run errors with `RemoteStreamError`.
 *
 * The four laws hold: cold, lazy, unicast, and teardown closes the requests (and, unless
 * `cancelOnUnsubscribe: false`, cancels the run on the server, which stops its model and tools).
 *
 * @example
 * ```ts
 * import { fromAgentServer, textContent } from 'rxjs-langchain';
 *
 * fromAgentServer({ apiUrl: 'http://127.0.0.1:2024', assistantId: 'agent', input: { messages: [{ role: 'user', content: 'Python 3.12 是哪天发布的？' }] } })
 *   .pipe(textContent())
 *   .subscribe((text) => process.stdout.write(text));
 * ```
 *
 * A run that stops for a person (`langchain`'s `humanInTheLoopMiddleware`) gives
 * `approval-request` parts; answer them on the same thread with `respond: approvalResume(decisions)`
 * (every request of an interrupt needs its decision): the parts are then the resumed run's, a
 * rejected call's `tool-result` is the rejection with `denied: true`, as with `fromAgent`.
 *
 * @example
 * ```ts
 * import { lastValueFrom, toArray } from 'rxjs';
 * import { approvalResume, fromAgentServer, type ApprovalRequestPart } from 'rxjs-langchain';
 *
 * const thread = { apiUrl: 'http://127.0.0.1:2024', assistantId: 'agent', threadId: crypto.randomUUID() };
 * const asked = await lastValueFrom(fromAgentServer({ ...thread, input: { messages: [{ role: 'user', content: 'Python 3.12 是哪天发布的？' }] } }).pipe(toArray()));
 * const requests = asked.filter((p): p is ApprovalRequestPart => p.type === 'approval-request');
 * fromAgentServer({ ...thread, respond: approvalResume(requests.map((request) => ({ type: 'approve' as const, request }))) })
 *   .subscribe((part) => part.type === 'tool-result' && console.log(part.name, part.content));
 * ```
 *
 * @param options The server (`apiUrl` or `client`), `assistantId`, `threadId`, and `input` or `respond`.
 * @returns An Observable of the run's parts.
 * @see createAgentProtocolHandler, the server side
 * @see fromAgent, the same parts from an agent in this process
 */
export function fromAgentServer(options: FromAgentServerOptions): Observable<StreamPart> {
  assertObject('fromAgentServer: options', options, false);
  if (typeof options.assistantId !== 'string' || options.assistantId === '') {
    throw new TypeError(`fromAgentServer: assistantId must be a non-empty string, got ${describe(options.assistantId)}.`);
  }
  if (options.client === undefined && typeof options.apiUrl !== 'string') throw new TypeError('fromAgentServer: give apiUrl (the server URL) or client.');
  const respond = options.respond === undefined ? undefined : respondCommand(options.respond);
  return defer(() => assembleParts(fromAsyncIterableFactory((signal) => runParts(options, respond, signal)), respond?.resumed));
}

async function* runParts(options: FromAgentServerOptions, respond: RespondCommand | undefined, signal: AbortSignal): AsyncGenerator<unknown> {
  const client = (options.client ?? new (loadSdk().Client)({ apiUrl: options.apiUrl, apiKey: null, ...(options.fetch ? { callerOptions: { fetch: options.fetch } } : {}) })) as SdkClient;
  const streamOptions = { assistantId: options.assistantId, ...(options.fetch ? { fetch: options.fetch } : {}) };
  const thread = options.threadId ? client.threads.stream(options.threadId, streamOptions) : client.threads.stream(streamOptions);
  const close = (): void => void thread.close().catch(() => undefined);
  signal.addEventListener('abort', close, { once: true });
  let runId: string | undefined;
  let ended = false;
  try {
    const events = await thread.subscribe(CHANNELS);
    if (respond) {
      await thread.input.respond({ ...respond.params, ...(options.config && { config: options.config }), ...(options.metadata && { metadata: options.metadata }) });
    } else {
      runId = (await thread.run.start({ input: options.input ?? null, ...(options.config && { config: options.config }), ...(options.metadata && { metadata: options.metadata }) })).run_id;
    }
    // Events of earlier runs of the thread are replayed first: the server says where they end.
    const after = thread.ordering.lastAppliedThroughSeq ?? -1;
    const run: AgentServerRunState = { toolNames: new Map(), asked: false };
    // The SDK pauses a raw subscription (ends its `for await`) after each root terminal event,
    // also a replayed one of an earlier run: resume it until this run's own terminal.
    for (;;) {
      for await (const event of events) {
        if (typeof event.seq === 'number' && event.seq <= after) continue;
        const { values, end } = protocolEventParts(event, run);
        yield* values;
        if (end === 'failed') throw new RemoteStreamError(`The agent run failed on the server: ${String((event.params.data as { error?: unknown }).error ?? 'no reason given')}`, '');
        if (end) {
          ended = true;
          return;
        }
      }
      if (!events.isPaused || signal.aborted) throw new RemoteStreamError('The agent server closed the event stream before the run ended.', '');
      events.resume();
    }
  } finally {
    signal.removeEventListener('abort', close);
    close();
    if (!ended && runId !== undefined && options.cancelOnUnsubscribe !== false) client.runs.cancel(thread.threadId, runId).catch(() => undefined);
  }
}

/** `@langchain/langgraph-sdk`, loaded on the first subscription (an optional peer dependency). */
function loadSdk(): { Client: new (config: Record<string, unknown>) => unknown } {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: only fromAgentServer needs the SDK
    return require('@langchain/langgraph-sdk') as { Client: new (config: Record<string, unknown>) => unknown };
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code !== 'MODULE_NOT_FOUND') throw error;
    throw new Error('fromAgentServer needs the optional peer dependency "@langchain/langgraph-sdk" (>= 1.15): run `npm install @langchain/langgraph-sdk`.', { cause: error });
  }
}
