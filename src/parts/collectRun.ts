import { Observable, type OperatorFunction } from 'rxjs';
import { AIMessage, ToolMessage, type BaseMessage, type UsageMetadata } from '@langchain/core/messages';
import { mergeUsage } from './assemble';
import { subscribeLinked } from './linked';
import { assembleParts } from './toParts';
import type { PartSourceValue, StreamPart, ToolCallPart, ToolResultPart } from './types';

/** What {@link collectRun} emits when a run completes. */
export interface RunResult {
  /**
   * The run as LangChain messages, in order: per model step an `AIMessage` (its text,
   * `tool_calls`, `invalid_tool_calls`, usage and finish reason), then a `ToolMessage`
   * per tool result; the last `AIMessage` is the answer. Ready for a chat history.
   */
  readonly messages: BaseMessage[];
  /** All answer text of the run (every step's `text` parts, concatenated). */
  readonly text: string;
  /** Every complete tool call, in order (`invalid: true` ones included). */
  readonly toolCalls: readonly ToolCallPart[];
  /** Every tool result, in order. */
  readonly toolResults: readonly ToolResultPart[];
  /** Usage summed over the steps; undefined when the model reported none. */
  readonly usage: UsageMetadata | undefined;
  /** The run's finish reason (of its last step); `'unknown'` when none was reported. */
  readonly finishReason: string;
  /** Model steps. */
  readonly steps: number;
}

interface StepDraft {
  text: string;
  reasoning: string;
  calls: ToolCallPart[];
  usage?: UsageMetadata;
  finishReason?: string;
}

/**
 * Emits one {@link RunResult} when a run completes: the whole run as LangChain
 * messages (`AIMessage` with `tool_calls`, `ToolMessage`s, the final `AIMessage`),
 * the text, the tool calls and results, and the summed usage. Accepts parts
 * (`fromAgent`) and everything `toParts()` recognises. Nothing is emitted when the
 * run errors or is unsubscribed, so a cut run is never collected as complete.
 *
 * @example
 * ```ts
 * import { lastValueFrom } from 'rxjs';
 * import { createAgent } from 'langchain';
 * import { HumanMessage } from '@langchain/core/messages';
 * import { InMemoryChatMessageHistory } from '@langchain/core/chat_history';
 * import { collectRun, fromAgent } from 'rxjs-langchain';
 * import { createOfflineTools, ScriptedChatModel } from 'rxjs-langchain/offline';
 *
 * const agent = createAgent({ model: new ScriptedChatModel(), tools: createOfflineTools() });
 * const history = new InMemoryChatMessageHistory();
 * const q = 'Python 3.0 是哪一年发布的？再过 16 年是哪一年？';
 * const run = await lastValueFrom(fromAgent(agent, { messages: [{ role: 'user', content: q }] }).pipe(collectRun()));
 * await history.addMessages([new HumanMessage(q), ...run.messages]);
 * console.log(run.text, run.toolCalls.map((c) => c.name), run.usage?.total_tokens);
 * ```
 *
 * @returns An operator from parts (or raw stream values) to one result.
 * @see fromAgent
 * @see toParts
 */
export function collectRun(): OperatorFunction<PartSourceValue, RunResult> {
  return (source) =>
    new Observable<RunResult>((subscriber) => {
      const messages: BaseMessage[] = [];
      const toolCalls: ToolCallPart[] = [];
      const toolResults: ToolResultPart[] = [];
      let text = '';
      let usage: UsageMetadata | undefined;
      let finishReason = 'unknown';
      let steps = 0;
      let step: StepDraft | undefined;
      const draft = (): StepDraft => (step ??= { text: '', reasoning: '', calls: [] });
      const closeStep = (): void => {
        if (!step) return;
        messages.push(toAIMessage(step));
        step = undefined;
      };
      subscribeLinked(assembleParts(source), subscriber, {
        next: (part: StreamPart) => {
          switch (part.type) {
            case 'step-start':
              closeStep();
              steps++;
              draft();
              return;
            case 'text':
              text += part.text;
              draft().text += part.text;
              return;
            case 'reasoning':
              draft().reasoning += part.text;
              return;
            case 'tool-call':
              toolCalls.push(part);
              draft().calls.push(part);
              return;
            case 'step-finish': {
              const s = draft();
              if (part.usage) s.usage = part.usage;
              if (part.finishReason !== undefined) s.finishReason = part.finishReason;
              closeStep();
              return;
            }
            case 'tool-result':
              closeStep();
              toolResults.push(part);
              messages.push(
                new ToolMessage({
                  content: typeof part.content === 'string' || Array.isArray(part.content) ? part.content : JSON.stringify(part.content),
                  tool_call_id: part.id,
                  name: part.name,
                  status: part.isError ? 'error' : 'success',
                }),
              );
              return;
            case 'usage':
              return; // counted from step-finish and finish
            case 'finish':
              finishReason = part.finishReason;
              if (part.usage) usage = part.usage;
              return;
            default:
              return;
          }
        },
        complete: () => {
          closeStep();
          if (usage === undefined) {
            for (const m of messages) if (m instanceof AIMessage && m.usage_metadata) usage = mergeUsage(usage, m.usage_metadata);
          }
          subscriber.next({ messages, text, toolCalls, toolResults, usage, finishReason, steps });
          subscriber.complete();
        },
      });
    });
}

function toAIMessage(step: StepDraft): AIMessage {
  const valid = step.calls.filter((c) => !c.invalid);
  const invalid = step.calls.filter((c) => c.invalid);
  return new AIMessage({
    content: step.text,
    tool_calls: valid.map((c) => ({ id: c.id, name: c.name, args: c.args, type: 'tool_call' as const })),
    invalid_tool_calls: invalid.map((c) => ({
      id: c.id,
      name: c.name,
      args: c.argsText ?? '',
      error: 'The arguments are not a JSON object.',
      type: 'invalid_tool_call' as const,
    })),
    ...(step.reasoning.length > 0 && { additional_kwargs: { reasoning_content: step.reasoning } }),
    ...(step.usage && { usage_metadata: step.usage }),
    response_metadata: step.finishReason !== undefined ? { finish_reason: step.finishReason } : {},
  });
}
