/**
 * The one definition of "first chunk" (docs/glossary.md): the first stream value
 * that carries content, i.e. text, reasoning, or a tool-call delta. A role-only
 * chunk (`{"delta":{"role":"assistant","content":""}}`), a usage-only or a
 * finish-only chunk carries none. Every TTFT, first-chunk timeout, retry window and
 * chunk count in the library asks this function.
 */
export function hasContent(value: unknown): boolean {
  if (typeof value === 'string') return value.length > 0;
  if (typeof value !== 'object' || value === null) return false;
  const v = value as {
    type?: unknown;
    text?: unknown;
    argsText?: unknown;
    content?: unknown;
    tool_call_chunks?: unknown;
    additional_kwargs?: { reasoning_content?: unknown };
  };
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
