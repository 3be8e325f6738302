import { AIMessage, type BaseMessage } from '@langchain/core/messages';
import { toPartialRun } from '../../history/chatTurns';
import { isStreamPart } from '../../decode/assemble';
import { RunCollector } from '../../parts/collectRun';
import type { ApprovalDecision } from '../../sources/approvalResume';

/**
 * What one turn of the AI SDK route saves, whatever its reply streams: model chunks (the answer
 * text), or an agent run's parts (its tool calls, their results, the answer: the whole run, as
 * `chatTurns` saves it; decision 0231). A run that stopped for a decision is saved with its
 * guarded calls marked awaiting (never complete, never lost); a stopped one marked partial,
 * without a call that has no result.
 */
export class TurnMessages {
  #run: RunCollector | undefined;

  /** @param decisions Set for a decision turn: the calls it answers are the resumed run's, their results kept. */
  constructor(private readonly decisions: readonly ApprovalDecision[] | undefined) {}

  /** Reads one value of the reply (before the wire encoding). */
  push(value: unknown): void {
    if (!isStreamPart(value)) return;
    this.#run ??= new RunCollector(this.decisions?.flatMap((d) => (d.request.toolCallId === undefined ? [] : [d.request.toolCallId])));
    this.#run.push(value);
  }

  /** True when the run stopped for a person's decision. */
  get awaiting(): boolean {
    return this.#run !== undefined && this.#run.approvalRequests.length > 0;
  }

  /**
   * The messages after the question: of a run that ended (`finish`) or was stopped (`abort`);
   * `text` is the answer of a reply that streamed no parts.
   */
  reply(end: 'finish' | 'abort', text: string): BaseMessage[] {
    const run = this.#run;
    if (run === undefined) {
      return [new AIMessage({ content: text, response_metadata: end === 'abort' ? { partial: true, partial_reason: 'stop' } : {} })];
    }
    if (end === 'abort') return toPartialRun(run, 'stop', undefined);
    return this.awaiting ? run.result().messages : run.answeredMessages();
  }
}
