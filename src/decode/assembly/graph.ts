import { graphTuple } from '../graphTuples';
import type { PartOrigin } from '../../parts/types';
import { decodeMessage } from './messages';
import { isMessageLike, isMessagePair, notParts } from './shapes';
import { inferredFinishReason, type Assembly } from './steps';

/**
 * Decodes a LangGraph stream tuple: `[message, metadata]` (`messages` mode), `[mode, data]`
 * and `[namespace, mode, data]` (`subgraphs: true`). `messages`, `updates` (with
 * `__interrupt__`) and `custom` carry parts; the other modes carry none.
 */
export function decodeTuple(a: Assembly, value: readonly unknown[]): void {
  const tuple = graphTuple(value, isMessageLike);
  if (tuple === undefined) throw notParts(value);
  const { namespace, mode, data } = tuple;
  a.assembled = true;
  switch (mode) {
    case 'messages': {
      if (!isMessagePair(data)) throw notParts(value);
      const metadata = data[1] as Record<string, unknown> | undefined;
      const node = typeof metadata?.langgraph_node === 'string' ? metadata.langgraph_node : undefined;
      const [origin, key] = originFor(a, node, namespace);
      return decodeMessage(a, data[0], key, origin);
    }
    case 'updates':
      return decodeUpdates(a, data, namespace);
    case 'custom': {
      a.sink.next({ type: 'custom', data, ...(namespace && { namespace }) });
      return;
    }
    default:
      return; // values, debug, tasks, checkpoints, tools: nothing a part stream needs
  }
}

/** `{ node: { messages } }` updates: whole messages, and `__interrupt__` (decision 0195). */
function decodeUpdates(a: Assembly, data: unknown, namespace: readonly string[] | undefined): void {
  if (typeof data !== 'object' || data === null) return;
  for (const [node, update] of Object.entries(data)) {
    if (node === '__interrupt__') {
      // A graph interrupts between nodes: the steps before it are over, their messages whole (decision 0195).
      for (const step of [...a.open]) {
        step.finishReason ??= inferredFinishReason(step);
        a.closeStep(step);
      }
      a.interrupts.decode(update, namespace && { namespace });
      continue;
    }
    const updates = Array.isArray(update) ? update : [update];
    for (const u of updates) {
      if (typeof u !== 'object' || u === null) continue;
      const messages = (u as { messages?: unknown }).messages;
      const list = Array.isArray(messages) ? messages : messages === undefined ? [] : [messages];
      const [origin, key] = originFor(a, node, namespace);
      for (const m of list) if (isMessageLike(m)) decodeMessage(a, m, key, origin, true);
    }
  }
}

/** The origin of a node's values and its key, made once per node and namespace (every chunk of a graph asks). */
function originFor(a: Assembly, node: string | undefined, namespace: readonly string[] | undefined): readonly [PartOrigin | undefined, string] {
  const key = namespace === undefined ? node ?? '' : `${namespace.join('|')}|${node ?? ''}`;
  let entry = a.origins.get(key);
  if (entry === undefined) {
    const origin = originOf(node, namespace);
    entry = [origin, originKeyOf(origin)];
    a.origins.set(key, entry);
  }
  return entry;
}

function originOf(node: string | undefined, namespace: readonly string[] | undefined): PartOrigin | undefined {
  if (node === undefined && namespace === undefined) return undefined;
  return { ...(node !== undefined && { node }), ...(namespace !== undefined && { namespace }) };
}

function originKeyOf(origin: PartOrigin | undefined): string {
  if (origin === undefined) return '';
  return origin.namespace ? `${origin.namespace.join('|')}|${origin.node ?? ''}` : origin.node ?? '';
}
