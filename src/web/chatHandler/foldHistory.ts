import { HumanMessage, type BaseMessage } from '@langchain/core/messages';

/**
 * The mark of a question asked again (`regenerate-message`): stored in its
 * `additional_kwargs`, it replaces the previous question and its answer when the
 * history is read. A regenerated turn is then, like every turn, ONE append of
 * `[question, answer]` (atomic on a shared store), never a rewrite (decision 0172).
 */
export const REGENERATES = 'rxlc_regenerates';

/** A question that replaces the last question and its answer. */
export function regeneratedQuestion(question: BaseMessage): BaseMessage {
  return new HumanMessage({ content: question.content, additional_kwargs: { ...question.additional_kwargs, [REGENERATES]: true } });
}

/** True for a question stored by a `regenerate-message` turn. */
export function isRegenerated(message: BaseMessage): boolean {
  return message.getType() === 'human' && message.additional_kwargs?.[REGENERATES] === true;
}

/**
 * The conversation as the user sees it: each regenerated question drops the question
 * before it and everything after that question (its answer, tool calls and results).
 */
export function foldHistory(stored: readonly BaseMessage[]): BaseMessage[] {
  const out: BaseMessage[] = [];
  for (const message of stored) {
    if (isRegenerated(message)) {
      let last = out.length - 1;
      while (last >= 0 && out[last].getType() !== 'human') last--;
      if (last >= 0) out.length = last;
    }
    out.push(message);
  }
  return out;
}

/** The last question and what follows it, removed: what a regenerated turn's model sees before the question. */
export function withoutLastTurn(messages: readonly BaseMessage[]): BaseMessage[] {
  let last = messages.length - 1;
  while (last >= 0 && messages[last].getType() !== 'human') last--;
  return last >= 0 ? messages.slice(0, last) : [...messages];
}
