import { defer, filter, map, takeWhile, type OperatorFunction } from 'rxjs';
import { RemoteStreamError } from '../errors';
import type { StreamPart } from '../parts/types';
import type { UIMessageChunk } from './uiMessageChunk';

/**
 * Turns an AI SDK UI message stream (`fromServerSentEvents(url, { parse: 'ui-message' })`)
 * back into `StreamPart`s, so the part and text operators work on it in the browser:
 * `text-delta` → `text`, `reasoning-delta` → `reasoning`, `tool-input-start` /
 * `-delta` / `-available` → `tool-call-start` / `tool-call-delta` / `tool-call`
 * (`tool-input-error` → an `invalid` `tool-call`), `tool-output-available` / `-error` →
 * `tool-result`, `start-step` / `finish-step` → `step-start` / `step-finish`, `data-*` →
 * `custom`, `finish` → `finish` (with the AI SDK's reason, `'other'` when none). An
 * `error` chunk errors with `RemoteStreamError` (its `errorText`, and the text so far as
 * `partialText`); an `abort` chunk (the server stopped the reply) completes. Other chunks
 * (`start`, `*-start` / `*-end` of text, sources, files, metadata) carry no part.
 *
 * @example
 * ```ts
 * import { decodeUIMessageStream, fromServerSentEvents } from 'rxjs-langchain';
 *
 * const body = JSON.stringify({ id: 'chat-1', messages: [{ id: 'u1', role: 'user', parts: [{ type: 'text', text: '2+3?' }] }] });
 * fromServerSentEvents('/api/chat', { method: 'POST', body, parse: 'ui-message' })
 *   .pipe(decodeUIMessageStream())
 *   .subscribe((part) => part.type === 'tool-call' && console.log(part.name, part.args));
 * ```
 *
 * @returns An operator from `UIMessageChunk`s to `StreamPart`s.
 * @see fromServerSentEvents
 * @see toUIMessageStream
 */
export function decodeUIMessageStream(): OperatorFunction<UIMessageChunk, StreamPart> {
  return (source) =>
    defer(() => {
      let step = -1;
      let partialText = '';
      let calls = 0; // tool calls in this step: their index
      const names = new Map<string, string>();
      const toPart = (chunk: UIMessageChunk): StreamPart | undefined => {
        switch (chunk.type) {
          case 'text-delta':
            partialText += chunk.delta;
            return { type: 'text', text: chunk.delta };
          case 'reasoning-delta':
            return { type: 'reasoning', text: chunk.delta };
          case 'start-step':
            calls = 0;
            return { type: 'step-start', step: ++step };
          case 'finish-step':
            return { type: 'step-finish', step: Math.max(step, 0) };
          case 'tool-input-start':
            names.set(chunk.toolCallId, chunk.toolName);
            return { type: 'tool-call-start', id: chunk.toolCallId, name: chunk.toolName, index: calls++ };
          case 'tool-input-delta':
            return { type: 'tool-call-delta', id: chunk.toolCallId, argsText: chunk.inputTextDelta };
          case 'tool-input-available':
            names.set(chunk.toolCallId, chunk.toolName);
            return { type: 'tool-call', id: chunk.toolCallId, name: chunk.toolName, args: isRecord(chunk.input) ? chunk.input : {} };
          case 'tool-input-error':
            names.set(chunk.toolCallId, chunk.toolName);
            return {
              type: 'tool-call', id: chunk.toolCallId, name: chunk.toolName, args: {}, invalid: true,
              argsText: typeof chunk.input === 'string' ? chunk.input : JSON.stringify(chunk.input ?? null),
            };
          case 'tool-output-available':
            return { type: 'tool-result', id: chunk.toolCallId, name: names.get(chunk.toolCallId) ?? '', content: chunk.output, isError: false };
          case 'tool-output-error':
            return { type: 'tool-result', id: chunk.toolCallId, name: names.get(chunk.toolCallId) ?? '', content: chunk.errorText, isError: true };
          case 'finish':
            return { type: 'finish', finishReason: chunk.finishReason ?? 'other' };
          case 'error':
            throw new RemoteStreamError(chunk.errorText, partialText);
          default:
            if (chunk.type.startsWith('data-')) return { type: 'custom', data: (chunk as { data?: unknown }).data };
            return undefined;
        }
      };
      return source.pipe(
        takeWhile((chunk) => chunk.type !== 'abort'),
        map(toPart),
        filter((part): part is StreamPart => part !== undefined),
      );
    });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
