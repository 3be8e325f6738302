import { MODEL_STREAM_EVENTS } from '../parts/events';
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
      return { values: typeof data.event === 'string' && MODEL_STREAM_EVENTS.has(data.event) ? [data] : [] };
    case 'tools': {
      const id = String(data.tool_call_id ?? '');
      if (data.event === 'tool-started') toolNames.set(id, String(data.tool_name ?? ''));
      if (data.event !== 'tool-finished' && data.event !== 'tool-error') return { values: [] };
      const isError = data.event === 'tool-error';
      const part: StreamPart = { type: 'tool-result', id, name: toolNames.get(id) ?? '', content: isError ? data.message : toolOutput(data.output), isError, ...origin };
      return { values: [part] };
    }
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
