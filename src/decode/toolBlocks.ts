/**
 * Types of LangChain content blocks that carry a tool call, streamed or complete (in
 * `content-block-*` events and standard content). The one list of the library (issue 26).
 */
export const TOOL_BLOCK_TYPES: ReadonlySet<string> = new Set([
  'tool_call_chunk',
  'tool_call',
  'invalid_tool_call',
  'server_tool_call_chunk',
  'server_tool_call',
]);
