import { isModelStreamEvent } from '../decode/modelEvents';
import type { StreamPart } from '../parts/types';

/** A protocol event as the SDK hands it over (structural: the package's types do not require the SDK). */
export interface ProtocolEventLike {
  readonly method: string;
  readonly seq?: number;
  readonly params: { readonly namespace: readonly string[]; readonly data: unknown };
}

/** What the parts of one run remember between events. */
export interface AgentServerRunState {
  readonly toolNames: Map<string, string>;
  /** An interrupt was requested (the run awaits a decision). */
  asked: boolean;
}

const record = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {});

/** A tool's output as servers send it: a ToolMessage (as a dict or LangChain-serialized) or a plain value. */
function toolOutput(output: unknown): unknown {
  const o = record(output);
  if ('content' in o) return o.content;
  if (o.lc === 1 && 'kwargs' in o) return record(o.kwargs).content;
  return output;
}

/** A message of a node's update as servers send it: a dict, or LangChain-serialized (`{ lc: 1, kwargs }`). */
function messageDict(message: unknown): Record<string, unknown> {
  const m = record(message);
  if (m.lc !== 1 || !('kwargs' in m)) return m;
  const kind = Array.isArray(m.id) ? String(m.id.at(-1)) : '';
  return { ...record(m.kwargs), ...(kind === 'ToolMessage' && { type: 'tool' }) };
}

/**
 * The tool messages of a node's update whose tool never started: a person rejected the call
 * (`langchain`'s HITL middleware writes the rejection as the call's result without running it).
 * They become `tool-result` parts (`denied` when `approvalResume` made the answer), as in
 * `fromAgent`; results of tools that ran came on the `tools` channel already.
 */
function unstartedToolMessages(update: Record<string, unknown>, toolNames: ReadonlyMap<string, string>): unknown[] {
  const messages = Array.isArray(update.messages) ? update.messages : [];
  return messages.map(messageDict).filter((m) => (m.type === 'tool' || m.role === 'tool') && typeof m.tool_call_id === 'string' && !toolNames.has(m.tool_call_id));
}

/**
 * What one protocol event adds to the parts (values `toParts` assembles: the `messages` channel's
 * content-block events as they are, parts for tools and custom data, interrupts as LangGraph's
 * `__interrupt__` updates), and whether the root lifecycle ended the run.
 */
export function protocolEventParts(event: ProtocolEventLike, run: AgentServerRunState): { values: unknown[]; end?: 'completed' | 'interrupted' | 'failed' } {
  const toolNames = run.toolNames;
  const data = record(event.params.data);
  const namespace = event.params.namespace;
  const origin = namespace.length > 0 ? { namespace: [...namespace] } : {};
  switch (event.method) {
    case 'messages':
      return { values: isModelStreamEvent(data) ? [data] : [] };
    case 'tools': {
      const id = String(data.tool_call_id ?? '');
      if (data.event === 'tool-started') toolNames.set(id, String(data.tool_name ?? ''));
      if (data.event !== 'tool-finished' && data.event !== 'tool-error') return { values: [] };
      const isError = data.event === 'tool-error';
      const part: StreamPart = { type: 'tool-result', id, name: toolNames.get(id) ?? '', content: isError ? data.message : toolOutput(data.output), isError, ...origin };
      return { values: [part] };
    }
    case 'updates':
      return { values: unstartedToolMessages(data, toolNames) };
    case 'custom':
      return { values: [{ type: 'custom', data: data.payload, ...origin } satisfies StreamPart] };
    case 'input.requested': {
      // As LangGraph's own `__interrupt__` update: toParts makes the approval-request parts (decision 0195).
      run.asked = true;
      const update = { __interrupt__: [{ id: data.interrupt_id, value: data.payload }] };
      return { values: [namespace.length > 0 ? [[...namespace], 'updates', update] : ['updates', update]] };
    }
    case 'lifecycle': {
      if (namespace.length > 0) return { values: [] };
      if (data.event === 'completed') return { values: [], end: 'completed' };
      if (data.event === 'failed') return { values: [], end: 'failed' };
      // Stopped for a decision: toParts' own finish says 'awaiting-decision'. Otherwise it was cancelled.
      if (data.event === 'interrupted') return { values: run.asked ? [] : [{ type: 'finish', finishReason: 'interrupted' } satisfies StreamPart], end: 'interrupted' };
      return { values: [] };
    }
    default:
      return { values: [] };
  }
}
