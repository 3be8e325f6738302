import { describe } from '../../internal/validate';

/** A thread's state as a compiled LangGraph graph returns it (`graph.getState`), structurally. */
export interface GraphStateSnapshot {
  readonly values: unknown;
  readonly next: readonly string[];
  readonly tasks: ReadonlyArray<{ readonly id: string; readonly name: string; readonly interrupts?: ReadonlyArray<{ readonly id?: string; readonly value?: unknown }>; readonly error?: unknown }>;
  readonly config?: { readonly configurable?: Record<string, unknown> };
  readonly parentConfig?: { readonly configurable?: Record<string, unknown> };
  readonly metadata?: Record<string, unknown>;
  readonly createdAt?: string;
}

/**
 * A compiled LangGraph graph, as the handler uses it (structural: the root entry never imports
 * LangGraph). `createAgent` agents are accepted too: their compiled graph is `agent.graph`.
 */
export interface CompiledGraphLike {
  streamEvents(input: unknown, options: Record<string, unknown>): unknown;
  getState(config: { configurable: Record<string, unknown> }): Promise<GraphStateSnapshot>;
  getStateHistory?(config: { configurable: Record<string, unknown> }, options?: { limit?: number }): AsyncIterable<GraphStateSnapshot>;
  /** LangGraph's copy of the graph (`Pregel.withConfig`): how a graph without a checkpointer gets the handler's. */
  withConfig?(config: Record<string, unknown>): unknown;
  checkpointer?: unknown;
  name?: string;
}

/** What `graphs` maps an assistant id to: a compiled graph or a `createAgent` agent. */
export type AgentProtocolGraph = CompiledGraphLike | { readonly graph: CompiledGraphLike };

/** The checkpointer a graph's threads live in, as the handler reads and creates them. */
export interface ThreadCheckpointer {
  getTuple(config: unknown): Promise<unknown>;
  put(...args: unknown[]): Promise<unknown>;
}

/**
 * The compiled graph of a graph or agent, with a checkpointer: its own, else the handler's on a
 * copy (LangGraph's `withConfig({})`, a new graph over the same nodes and channels), so the
 * user's object is never changed and two handlers given one graph each keep their own
 * checkpointer (decision 0300). langgraph-api, by contrast, sets it on the graph it loaded.
 */
export function compiledGraph(assistantId: string, value: unknown, checkpointer: unknown): CompiledGraphLike {
  const candidate = (value as { graph?: unknown } | null)?.graph ?? value;
  const graph = candidate as CompiledGraphLike | null;
  const where = `createAgentProtocolHandler: graphs[${JSON.stringify(assistantId)}]`;
  if (graph === null || typeof graph !== 'object' || typeof graph.streamEvents !== 'function' || typeof graph.getState !== 'function') {
    throw new TypeError(`${where} must be a compiled LangGraph graph (graph.compile()) or a createAgent agent, got ${describe(value)}.`);
  }
  if (graph.checkpointer) return graph;
  if (typeof graph.withConfig !== 'function') {
    throw new TypeError(`${where} has no checkpointer and no withConfig() to copy it with one: compile it with a checkpointer (graph.compile({ checkpointer })).`);
  }
  const copy = graph.withConfig({}) as CompiledGraphLike;
  copy.checkpointer = checkpointer;
  return copy;
}

/** The checkpointer of a graph `compiledGraph` returned. */
export function checkpointerOf(graph: CompiledGraphLike): ThreadCheckpointer {
  return graph.checkpointer as ThreadCheckpointer;
}

/** Pending interrupts of a snapshot: `{ id, value }` of every task's interrupts. */
export function pendingInterrupts(snapshot: GraphStateSnapshot): Array<{ id: string; value: unknown }> {
  return snapshot.tasks.flatMap((task) => (task.interrupts ?? []).flatMap((i) => (typeof i.id === 'string' ? [{ id: i.id, value: i.value }] : [])));
}

/** The protocol's ThreadState (the legacy REST shape `useStream` hydrates from). */
export function threadState(threadId: string, snapshot: GraphStateSnapshot): Record<string, unknown> {
  const configurable = snapshot.config?.configurable ?? {};
  const parent = snapshot.parentConfig?.configurable;
  return {
    values: snapshot.values ?? {},
    next: [...snapshot.next],
    tasks: snapshot.tasks.map((task) => ({
      id: task.id,
      name: task.name,
      error: task.error ?? null,
      interrupts: (task.interrupts ?? []).map((i) => ({ id: i.id, value: i.value })),
      checkpoint: null,
      state: null,
      result: null,
    })),
    checkpoint: { thread_id: threadId, checkpoint_ns: String(configurable.checkpoint_ns ?? ''), checkpoint_id: configurable.checkpoint_id ?? null },
    parent_checkpoint: parent ? { thread_id: threadId, checkpoint_ns: String(parent.checkpoint_ns ?? ''), checkpoint_id: parent.checkpoint_id ?? null } : null,
    metadata: snapshot.metadata ?? {},
    created_at: snapshot.createdAt ?? null,
    parent_config: null,
  };
}
