import type { BaseMessage } from '@langchain/core/messages';
import { describe } from '../internal/validate';

/**
 * The last `maxMessages` messages of a conversation, never starting with an
 * answer whose question fell out of the window: the window begins at a human
 * message. System messages at the start of `messages` are pinned in front and
 * not counted. Returns a new array.
 *
 * @example
 * ```ts
 * import { AIMessage, HumanMessage } from '@langchain/core/messages';
 * import { windowHistory } from 'rxjs-langchain';
 *
 * const [h1, a1, h2, a2, h3, a3] = ['1', '一', '2', '二', '3', '三'].map((t, i) => (i % 2 ? new AIMessage(t) : new HumanMessage(t)));
 * windowHistory([h1, a1, h2, a2, h3, a3], 3); // [h3, a3] — a2 alone would lose its question
 * ```
 *
 * @see {@link chatTurns}, which applies it before every turn.
 *
 * @param messages The whole conversation, oldest first.
 * @param maxMessages How many messages the window may hold (an integer >= 1).
 * @returns A new array: the pinned system messages, then the window.
 */
export function windowHistory(messages: readonly BaseMessage[], maxMessages: number): BaseMessage[] {
  if (!Array.isArray(messages)) throw new TypeError(`windowHistory: messages must be an array of messages, got ${describe(messages)}.`);
  assertMaxMessages('windowHistory: maxMessages', maxMessages);
  let pinned = 0;
  while (pinned < messages.length && messages[pinned].getType() === 'system') pinned++;
  const head = messages.slice(0, pinned);
  const rest = messages.slice(pinned);
  let start = Math.max(0, rest.length - maxMessages);
  while (start < rest.length && rest[start].getType() !== 'human') start++;
  return [...head, ...rest.slice(start)];
}

/** maxMessages: an integer >= 0, or Infinity. */
export function assertMaxMessages(name: string, value: unknown): void {
  if (typeof value !== 'number' || !(value === Infinity || (Number.isInteger(value) && value >= 0))) {
    throw new RangeError(`${name} must be an integer >= 0 or Infinity, got ${describe(value)}.`);
  }
}
