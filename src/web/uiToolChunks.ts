import type { ToolCallDeltaPart, ToolCallPart, ToolCallStartPart, ToolResultPart } from '../parts/types';
import type { UIMessageChunk } from './uiMessageChunk';

/**
 * The UI message chunks of one tool-call part: `tool-input-start` / `-delta` / `-available`
 * (`tool-input-error` for arguments that never parsed), `tool-output-available` /
 * `tool-output-error` for a result. `announced` collects the calls whose start was sent.
 */
export function toolPartChunks(
  part: ToolCallStartPart | ToolCallDeltaPart | ToolCallPart | ToolResultPart,
  announced: Set<string>,
  dynamic: boolean,
): UIMessageChunk[] {
  switch (part.type) {
    case 'tool-call-start':
      announced.add(part.id);
      return [dynamic ? { type: 'tool-input-start', toolCallId: part.id, toolName: part.name, dynamic: true } : { type: 'tool-input-start', toolCallId: part.id, toolName: part.name }];
    case 'tool-call-delta':
      return [{ type: 'tool-input-delta', toolCallId: part.id, inputTextDelta: part.argsText }];
    case 'tool-call':
      if (part.invalid) {
        const errorText = `The arguments of the ${part.name} call are not valid JSON.`;
        return [{ type: 'tool-input-error', toolCallId: part.id, toolName: part.name, input: part.argsText ?? '', errorText, ...(dynamic && { dynamic: true }) }];
      }
      return [
        dynamic
          ? { type: 'tool-input-available', toolCallId: part.id, toolName: part.name, input: part.args, dynamic: true }
          : { type: 'tool-input-available', toolCallId: part.id, toolName: part.name, input: part.args },
      ];
    case 'tool-result':
      if (part.isError) return [{ type: 'tool-output-error', toolCallId: part.id, errorText: resultText(part.content) }];
      // JSON drops `undefined`; `null` keeps the output field.
      return [{ type: 'tool-output-available', toolCallId: part.id, output: part.content === undefined ? null : part.content }];
  }
}

function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  try {
    return JSON.stringify(content) ?? String(content);
  } catch {
    return String(content);
  }
}
