import { defer, finalize, from, switchMap, type Observable, type Subscription } from 'rxjs';
import type { ConversationLock } from '../../replyLog/types';
import type { RunCaps } from '../chatHandler/runCaps';
import { AgentProtocolRequestError } from './errors';
import { checkpointerOf, pendingInterrupts, threadState, type CompiledGraphLike, type GraphStateSnapshot } from './graphs';
import type { LangGraphModules } from './langgraph';
import { runEvents, type RunSpec } from './runEvents';
import type { ThreadLog } from './threadLog';

/** What a `run.start` / `input.respond` asks for, after the command was checked. */
export interface RunRequest {
  readonly assistantId?: string;
  readonly input: unknown;
  readonly config?: Record<string, unknown>;
  readonly metadata?: Record<string, unknown>;
  /** Who starts it (`authorize`'s principal): counted against `maxConcurrentRunsPerPrincipal`. */
  readonly principal?: string;
}

export interface ServiceOptions {
  readonly graphs: ReadonlyMap<string, CompiledGraphLike>;
  readonly threadLog: ThreadLog;
  readonly lock: ConversationLock;
  readonly langgraph: LangGraphModules;
  /** Runs at once on this instance and per principal (the chat handler's caps). */
  readonly caps: RunCaps;
  /** `Retry-After` of a 429, whole seconds. */
  readonly retryAfterSeconds: number;
  readonly onError: (error: unknown) => void;
}

/** A run of this instance: `started` once it holds the thread's lock (before that it is queued). */
interface LocalRun {
  readonly threadId: string;
  subscription?: Subscription;
  started: boolean;
}

/** Who waits for a run's first answer: `resolve` once it is accepted, `reject` if it fails before. */
interface Caller {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** The root checkpoint namespace of a thread. */
const rootOf = (threadId: string) => ({ configurable: { thread_id: threadId, checkpoint_ns: '' } });

const fail = (status: number, code: string, message: string): never => {
  throw new AgentProtocolRequestError(status, code, message);
};

/**
 * Threads and runs over the graphs' checkpointers (thread state), a {@link ThreadLog} (events) and a
 * {@link ConversationLock} (one run at a time per thread, on every instance).
 */
export class AgentProtocolService {
  readonly #runs = new Map<string, LocalRun>();

  constructor(private readonly o: ServiceOptions) {}

  get activeRuns(): number {
    return this.#runs.size;
  }

  graph(assistantId: string | undefined): { assistantId: string; graph: CompiledGraphLike } {
    const id = assistantId ?? (this.o.graphs.size === 1 ? [...this.o.graphs.keys()][0] : undefined);
    const graph = id === undefined ? undefined : this.o.graphs.get(id);
    if (!graph || id === undefined) return fail(404, 'invalid_argument', `Unknown assistant_id ${JSON.stringify(assistantId)}; this server has ${[...this.o.graphs.keys()].map((k) => JSON.stringify(k)).join(', ')}.`);
    return { assistantId: id, graph };
  }

  /**
   * The graph of a thread, or undefined for an unknown thread (no checkpoint in any graph's
   * checkpointer). LangGraph keeps no assistant id in checkpoints, so it is the latest kept run's
   * (its header), else the one `POST /threads` named, else the first graph whose checkpointer
   * has the thread (decision 0213).
   */
  async threadGraph(threadId: string): Promise<{ assistantId: string; graph: CompiledGraphLike } | undefined> {
    const latest = await this.o.threadLog.latestGraphName(threadId);
    const asked = new Set<unknown>();
    for (const id of new Set([...(typeof latest === 'string' ? [latest] : []), ...this.o.graphs.keys()])) {
      const graph = this.o.graphs.get(id);
      if (!graph || asked.has(graph.checkpointer)) continue;
      asked.add(graph.checkpointer);
      const tuple = (await checkpointerOf(graph).getTuple(rootOf(threadId))) as { metadata?: Record<string, unknown> } | undefined;
      if (!tuple) continue;
      const named = tuple.metadata?.assistant_id;
      const sameStore = typeof named === 'string' && this.o.graphs.get(named)?.checkpointer === graph.checkpointer;
      return this.graph(id !== latest && sameStore ? named : id);
    }
    return undefined;
  }

  /** `POST /threads`: an empty checkpoint in the checkpointer of the graph it names (else the first graph's). */
  async createThread(threadId: string, assistantId: string | undefined): Promise<void> {
    const checkpointer = checkpointerOf(this.graph(assistantId !== undefined && this.o.graphs.has(assistantId) ? assistantId : [...this.o.graphs.keys()][0]).graph);
    if (await checkpointer.getTuple(rootOf(threadId))) return fail(409, 'invalid_argument', `Thread ${threadId} already exists.`);
    const metadata = { source: 'input', step: -1, parents: {}, ...(assistantId ? { assistant_id: assistantId } : {}) };
    await checkpointer.put(rootOf(threadId), this.o.langgraph.web.emptyCheckpoint(), metadata, {});
  }

  async state(threadId: string): Promise<{ snapshot: GraphStateSnapshot; json: Record<string, unknown> } | undefined> {
    const found = await this.threadGraph(threadId);
    if (!found) return undefined;
    const snapshot = await found.graph.getState({ configurable: { thread_id: threadId } });
    return { snapshot, json: threadState(threadId, snapshot) };
  }

  /** `POST /threads/:id/history`: the thread's states, newest first (`limit`, default 10). */
  async history(threadId: string, body: Record<string, unknown>): Promise<Array<Record<string, unknown>> | undefined> {
    const found = await this.threadGraph(threadId);
    if (!found?.graph.getStateHistory) return found ? [] : undefined;
    const limit = typeof body.limit === 'number' && Number.isSafeInteger(body.limit) && body.limit > 0 ? Math.min(body.limit, 1000) : 10;
    const states: Array<Record<string, unknown>> = [];
    for await (const snapshot of found.graph.getStateHistory({ configurable: { thread_id: threadId } }, { limit })) states.push(threadState(threadId, snapshot));
    return states;
  }

  /**
   * Starts a run (queued behind the thread's running one); resolves with its id once the run
   * holds the thread's lock and its header is stored in the log, or waits for the lock; rejects
   * when the lock or the log refuses it first (a store down or full: the handler's 503), so no
   * caller holds the id of a run that never starts.
   */
  async startRun(threadId: string, request: RunRequest): Promise<{ run_id: string }> {
    const { assistantId, graph } = this.graph(request.assistantId);
    const runId = crypto.randomUUID();
    const resolveInput = async (): Promise<unknown> => {
      const snapshot = await graph.getState({ configurable: { thread_id: threadId } });
      // As langgraph-api: a run.start with input on an interrupted thread answers the interrupt.
      const resume = pendingInterrupts(snapshot).length > 0 && request.input != null;
      return resume ? new this.o.langgraph.web.Command({ resume: request.input }) : request.input;
    };
    // Inside the run: a state that cannot be read (Postgres gone) ends it `failed` for its readers.
    // defer: the run is opened in the log once it holds the thread's lock, not before.
    return new Promise((resolve, reject) => {
      const work = (accept: () => void) => defer(() => this.#produce(threadId, runId, { ...this.#spec(threadId, assistantId, graph, request.input, request), resolveInput }, accept));
      this.#launch(threadId, runId, work, request.principal, { resolve: () => resolve({ run_id: runId }), reject });
    });
  }

  /**
   * Answers interrupts: holding the thread's lock, checks they are pending (else 409: the run is
   * not interrupted, or another answer resumed it first), then resumes with
   * `Command({ resume: { [interrupt_id]: response } })`. Resolves once the resume is accepted.
   */
  respond(threadId: string, responses: ReadonlyArray<{ interrupt_id: string; response: unknown }>, extra: RunRequest & { update?: unknown; goto?: unknown }): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const runId = crypto.randomUUID();
      const work = (accept: () => void) => defer(async () => {
        const found = (await this.threadGraph(threadId)) ?? fail(404, 'no_such_run', `Thread ${threadId} has no run to answer.`);
        const pending = pendingInterrupts(await found.graph.getState({ configurable: { thread_id: threadId } }));
        if (pending.length === 0) fail(409, 'invalid_argument', 'input.respond can only be used while the run is interrupted.');
        const unknown = responses.find((r) => !pending.some((p) => p.id === r.interrupt_id));
        if (unknown) fail(409, 'no_such_interrupt', `Interrupt ${JSON.stringify(unknown.interrupt_id)} is not pending on thread ${threadId}.`);
        const resume = Object.fromEntries(responses.map((r) => [r.interrupt_id, r.response]));
        const command = new this.o.langgraph.web.Command({ resume, ...(extra.update ? { update: extra.update as Record<string, unknown> } : {}), ...(extra.goto ? { goto: extra.goto as string } : {}) });
        accept();
        return this.#spec(threadId, found.assistantId, found.graph, command, extra);
      }).pipe(switchMap((spec) => this.#produce(threadId, runId, spec)));
      this.#launch(threadId, runId, work, extra.principal, { resolve, reject }, false);
    });
  }

  /** Cancels a run on whichever instance runs it (a queued one never starts). */
  async cancel(threadId: string, runId: string): Promise<void> {
    const local = this.#runs.get(runId);
    // A queued run of this instance never starts. A started one hears the stop like a run of
    // another instance would, so it ends with its `interrupted` lifecycle in the log (an
    // unsubscribe would end it without one, and its readers would wait forever).
    if (local && local.threadId === threadId && !local.started) {
      local.subscription?.unsubscribe();
      this.#runs.delete(runId);
    }
    await this.o.threadLog.log.stop(this.o.threadLog.cancelKey(threadId, runId));
  }

  close(): void {
    for (const run of this.#runs.values()) run.subscription?.unsubscribe();
    this.#runs.clear();
  }

  #spec(threadId: string, assistantId: string, graph: CompiledGraphLike, input: unknown, request: RunRequest): RunSpec {
    const config = request.config ?? {};
    const configurable = { ...((config.configurable as Record<string, unknown> | undefined) ?? {}), thread_id: threadId, assistant_id: assistantId };
    const recursionLimit = typeof config.recursion_limit === 'number' ? config.recursion_limit : undefined;
    return { graph, graphName: assistantId, input, configurable, metadata: request.metadata, recursionLimit };
  }

  /** Opens the run in the log and appends its events; `onStored` once its header is stored (the run really started). */
  #produce(threadId: string, runId: string, spec: RunSpec, onStored?: () => void): Observable<void> {
    const cancel$ = this.o.threadLog.log.stops(this.o.threadLog.cancelKey(threadId, runId));
    return from(this.o.threadLog.openRun(threadId, runId, spec.graphName)).pipe(switchMap((opened) => this.o.threadLog.appendRun(opened, runEvents(spec, cancel$), onStored)));
  }

  /** A place for one run, counted until it ends (also while it waits for the thread's lock); 429 past a cap. */
  #acquire(principal: string | undefined): () => void {
    const release = this.o.caps.acquire(principal);
    if (release) return release;
    const { caps, retryAfterSeconds } = this.o;
    const which = caps.refusedBy(principal) === 'principal' ? `you already run ${caps.maxPerPrincipal} (maxConcurrentRunsPerPrincipal)` : `this instance already runs ${caps.maxRuns} (maxConcurrentRuns)`;
    throw new AgentProtocolRequestError(429, 'unknown_error', `Too many runs at once (${which}); retry in ${retryAfterSeconds} s.`, { 'retry-after': String(retryAfterSeconds) });
  }

  /**
   * Runs `work(accept)` under the thread's lock, counted by the caps. Until the run is accepted
   * (`work` calls `accept`, or the run waits for the lock and `queuedIsAccepted`), an error goes to
   * `caller.reject` (the request's answer); after it, to `onError` (nobody waits for it then).
   */
  #launch(threadId: string, runId: string, makeWork: (accept: () => void) => Observable<void>, principal: string | undefined, caller: Caller, queuedIsAccepted = true): void {
    const release = this.#acquire(principal);
    const run: LocalRun = { threadId, started: false };
    const done = (): void => void this.#runs.delete(runId);
    let answered = false;
    const accept = (): void => {
      if (answered) return;
      answered = true;
      caller.resolve();
    };
    const started = defer(() => {
      run.started = true;
      return makeWork(accept);
    });
    const onWaiting = queuedIsAccepted ? accept : undefined;
    // finalize: the place is given back however the run ends, a cancel's unsubscribe included.
    run.subscription = this.o.lock.run(this.o.threadLog.key(threadId), started, undefined, onWaiting).pipe(finalize(release)).subscribe({
      error: (error: unknown) => {
        done();
        if (answered) this.o.onError(error);
        else caller.reject(error);
      },
      complete: done,
    });
    if (!run.subscription.closed) this.#runs.set(runId, run);
  }
}
