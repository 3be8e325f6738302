import { graphMessage } from './graphTuples';
import { TOOL_BLOCK_TYPES } from './toolBlocks';

/**
 * The one definition of "first chunk" (docs/glossary.md): the first stream value
 * that carries content, i.e. text, reasoning, or a tool-call delta. A role-only
 * chunk (`{"delta":{"role":"assistant","content":""}}`), a usage-only or a
 * finish-only chunk carries none; nor do step, usage, finish and custom parts,
 * tool results, or content-block events other than text / reasoning / tool-call
 * starts and deltas. Every TTFT, first-chunk timeout, retry window and chunk
 * count in the library asks this function.
 */
export function hasContent(value: unknown): boolean {
  if (typeof value === 'string') return value.length > 0;
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) {
    // A LangGraph [message, metadata] pair or [mode, data] tuple: the model message in it, if any.
    const message = graphMessage(value);
    return message !== undefined && message !== null && hasContent(message);
  }
  const v = value as {
    type?: unknown;
    text?: unknown;
    argsText?: unknown;
    content?: unknown;
    event?: unknown;
    tool_call_chunks?: unknown;
    additional_kwargs?: { reasoning_content?: unknown };
  };
  if (typeof v.event === 'string') return eventHasContent(value as ContentBlockEvent);
  if (typeof v.type === 'string' && !('content' in v)) {
    // A StreamPart.
    switch (v.type) {
      case 'text':
      case 'reasoning':
        return typeof v.text === 'string' && v.text.length > 0;
      case 'tool-call-start':
      case 'tool-call':
        return true;
      case 'tool-call-delta':
        return typeof v.argsText === 'string' && v.argsText.length > 0;
      default:
        return false;
    }
  }
  if (v.type === 'tool-result' || v.type === 'tool') return false; // a tool's answer, not the model's
  if (Array.isArray(v.tool_call_chunks) && v.tool_call_chunks.length > 0) return true;
  const reasoning = v.additional_kwargs?.reasoning_content;
  if (typeof reasoning === 'string' && reasoning.length > 0) return true;
  const content = v.content;
  if (typeof content === 'string') return content.length > 0;
  if (Array.isArray(content)) {
    for (const part of content) {
      if (typeof part === 'string') {
        if (part.length > 0) return true;
      } else if (typeof part === 'object' && part !== null) {
        const p = part as { type?: unknown; text?: unknown; reasoning?: unknown; thinking?: unknown };
        for (const field of [p.text, p.reasoning, p.thinking]) if (typeof field === 'string' && field.length > 0) return true;
        if (p.type === 'tool_use' || p.type === 'input_json_delta') return true;
      }
    }
  }
  return false;
}

interface ContentBlockEvent {
  event: string;
  delta?: { type?: unknown; text?: unknown; reasoning?: unknown; args?: unknown; fields?: { type?: unknown; args?: unknown } };
  content?: { type?: unknown; text?: unknown; reasoning?: unknown; thinking?: unknown; name?: unknown };
}

/** Content-block events: text / reasoning / tool-call deltas, and block starts that already carry some. */
function eventHasContent(e: ContentBlockEvent): boolean {
  const nonEmpty = (s: unknown): boolean => typeof s === 'string' && s.length > 0;
  if (e.event === 'content-block-delta') {
    const d = e.delta;
    if (d === undefined) return nonEmpty(e.content?.text) || nonEmpty(e.content?.reasoning) || nonEmpty(e.content?.thinking);
    switch (d.type) {
      case 'text-delta':
        return nonEmpty(d.text);
      case 'reasoning-delta':
        return nonEmpty(d.reasoning);
      case 'tool-call-delta':
        return nonEmpty(d.args);
      case 'block-delta':
        return typeof d.fields?.type === 'string' && TOOL_BLOCK_TYPES.has(d.fields.type) && nonEmpty(d.fields.args);
      default:
        return false;
    }
  }
  if (e.event === 'content-block-start') {
    const c = e.content;
    if (typeof c?.type === 'string' && TOOL_BLOCK_TYPES.has(c.type)) return nonEmpty(c.name); // like a tool-call-start part
    return nonEmpty(c?.text) || nonEmpty(c?.reasoning) || nonEmpty(c?.thinking);
  }
  return false;
}
