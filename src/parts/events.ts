import type { UsageMetadata } from '@langchain/core/messages';

// The content-block events of `model.streamEvents()` without `version` (`@langchain/core` >= 1.4),
// declared structurally so the package's types do not require that core version.

/** A content block as the events carry it (`{ type: 'text', text }`, `{ type: 'tool_call_chunk', id, name, args }` …). */
export interface ModelStreamContentBlock {
  readonly type: string;
}

/** One event of `model.streamEvents(input)` (no `version`): the content-block protocol of `@langchain/core` 1.4. */
export type ModelStreamEvent =
  | { readonly event: 'message-start'; readonly id?: string; readonly usage?: Partial<UsageMetadata> }
  | { readonly event: 'content-block-start'; readonly index: number; readonly content: ModelStreamContentBlock }
  | {
      readonly event: 'content-block-delta';
      readonly index: number;
      /** `{ type: 'text-delta', text }`, `{ type: 'reasoning-delta', reasoning }`, `{ type: 'tool-call-delta', args }`, `{ type: 'block-delta', fields }` … */
      readonly delta: { readonly type: string };
    }
  | { readonly event: 'content-block-finish'; readonly index: number; readonly content: ModelStreamContentBlock }
  | { readonly event: 'usage'; readonly usage: Partial<UsageMetadata> }
  | {
      readonly event: 'message-finish';
      readonly reason?: string;
      readonly usage?: Partial<UsageMetadata>;
      readonly responseMetadata?: Record<string, unknown>;
    }
  | { readonly event: 'provider'; readonly provider: string; readonly name: string; readonly payload: unknown }
  | { readonly event: 'error'; readonly message: string; readonly code?: string };

/** The `event` names of {@link ModelStreamEvent}. */
export const MODEL_STREAM_EVENTS: ReadonlySet<string> = new Set([
  'message-start',
  'content-block-start',
  'content-block-delta',
  'content-block-finish',
  'usage',
  'message-finish',
  'provider',
  'error',
]);

/** LangGraph stream modes, the first element of a `[mode, data]` tuple. */
export const STREAM_MODES: ReadonlySet<string> = new Set([
  'messages',
  'updates',
  'values',
  'custom',
  'tools',
  'debug',
  'checkpoints',
  'tasks',
]);

/** The `type` of every {@link StreamPart}. */
export const PART_TYPES: ReadonlySet<string> = new Set([
  'text',
  'reasoning',
  'tool-call-start',
  'tool-call-delta',
  'tool-call',
  'tool-result',
  'step-start',
  'step-finish',
  'usage',
  'custom',
  'approval-request',
  'finish',
]);
