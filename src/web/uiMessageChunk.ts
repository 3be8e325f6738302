/**
 * The AI SDK's UI message stream (protocol v1), as plain types: what `useChat` / `Chat`
 * read. Declared here rather than imported from `ai` so the library does not depend on
 * it; `specs/web/uiMessageChunk.types.spec.ts` checks they stay assignable to the SDK's
 * own `UIMessageChunk`. Provider metadata fields are left out: the library never sends them.
 */

/** The AI SDK's finish reasons (`finish.finishReason`). */
export type UIFinishReason = 'stop' | 'length' | 'content-filter' | 'tool-calls' | 'error' | 'other';

/** A `data-<name>` chunk: app data for the client (`transient` ones reach `onData` only). */
export interface UIDataChunk {
  type: `data-${string}`;
  id?: string;
  data: unknown;
  transient?: boolean;
}

/** One chunk of a UI message stream (one SSE `data:` line on the wire). Discriminated on `type`. */
export type UIMessageChunk =
  | { type: 'start'; messageId?: string; messageMetadata?: unknown }
  | { type: 'start-step' }
  | { type: 'text-start'; id: string }
  | { type: 'text-delta'; id: string; delta: string }
  | { type: 'text-end'; id: string }
  | { type: 'reasoning-start'; id: string }
  | { type: 'reasoning-delta'; id: string; delta: string }
  | { type: 'reasoning-end'; id: string }
  | { type: 'tool-input-start'; toolCallId: string; toolName: string; dynamic?: boolean; title?: string; providerExecuted?: boolean }
  | { type: 'tool-input-delta'; toolCallId: string; inputTextDelta: string }
  | { type: 'tool-input-available'; toolCallId: string; toolName: string; input: unknown; dynamic?: boolean; title?: string; providerExecuted?: boolean }
  | { type: 'tool-input-error'; toolCallId: string; toolName: string; input: unknown; errorText: string; dynamic?: boolean; title?: string; providerExecuted?: boolean }
  | { type: 'tool-output-available'; toolCallId: string; output: unknown; dynamic?: boolean; preliminary?: boolean; providerExecuted?: boolean }
  | { type: 'tool-output-error'; toolCallId: string; errorText: string; dynamic?: boolean; providerExecuted?: boolean }
  | { type: 'tool-output-denied'; toolCallId: string }
  | { type: 'tool-approval-request'; approvalId: string; toolCallId: string }
  | { type: 'source-url'; sourceId: string; url: string; title?: string }
  | { type: 'source-document'; sourceId: string; mediaType: string; title: string; filename?: string }
  | { type: 'file'; url: string; mediaType: string }
  | UIDataChunk
  | { type: 'finish-step' }
  | { type: 'finish'; finishReason?: UIFinishReason; messageMetadata?: unknown }
  | { type: 'abort'; reason?: string }
  | { type: 'message-metadata'; messageMetadata: unknown }
  | { type: 'error'; errorText: string };

/** The `type` of every chunk. */
export type UIMessageChunkType = UIMessageChunk['type'];

/**
 * The response headers of a UI message stream: the AI SDK's own set without the hop-by-hop
 * `connection` header (HTTP/2 forbids it; Node's HTTP/1.1 keeps connections alive anyway).
 */
export const UI_MESSAGE_STREAM_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache',
  'x-vercel-ai-ui-message-stream': 'v1',
  'x-accel-buffering': 'no',
});

/** The last frame of every UI message stream. */
export const UI_MESSAGE_STREAM_DONE = 'data: [DONE]\n\n';
