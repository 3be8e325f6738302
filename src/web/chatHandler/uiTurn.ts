import type { BaseMessage } from '@langchain/core/messages';
import { concat, defer, ignoreElements, map, of, switchMap, tap, type Observable } from 'rxjs';
import type { ApprovalDecision } from '../../sources/approvalResume';
import { toUIMessageStream } from '../toUIMessageStream';
import { UI_MESSAGE_STREAM_DONE } from '../uiMessageChunk';
import { encodeUIMessageChunk } from '../uiMessageStreamFrames';
import type { Conversations, TurnRef } from './conversations';
import { regeneratedQuestion, withoutLastTurn } from './foldHistory';
import { TurnMessages } from './turnMessages';
import { markEdits } from '../../history/editedCalls';

/**
 * What an AI SDK turn answers: a question (`regenerate` replaces the last one and its answer), or
 * the decisions about the requests the conversation waits for, read under its lock (the gate sets
 * them before the turn runs), continuing the assistant message `messageId`.
 */
export interface UITurnInput {
  question?: BaseMessage;
  regenerate?: boolean;
  decisions?: readonly ApprovalDecision[];
  messageId?: string;
}

/**
 * An AI SDK turn's frames (UI message stream): the reply over the stored history, stoppable from
 * any instance; then the save in one `addMessages` (the question, unless it answers decisions, and
 * the reply: an agent run whole, marked awaiting when it stopped for a decision, marked partial
 * after a stop; nothing after an error), then `[DONE]`.
 */
export function uiTurn(conversations: Conversations, ref: TurnRef, input: UITurnInput): Observable<string> {
  const { errorText, toolApprovalSecret } = conversations.config;
  return defer(async () => conversations.messages(ref.conversationId)).pipe(
    switchMap((stored) => {
      const { question, decisions, regenerate = false } = input;
      let text = '';
      let end: 'finish' | 'abort' | 'error' | undefined;
      const saved = new TurnMessages(decisions);
      const before = regenerate ? withoutLastTurn(stored) : stored;
      const messages = conversations.input(before, question);
      const reply$ = conversations.config.stream({ messages, conversationId: ref.conversationId, principal: ref.principal, protocol: 'ui-message-stream', ...(decisions && { decisions }) }).pipe(
        tap((value) => saved.push(value)),
        toUIMessageStream({ stop$: conversations.stops(ref.replyId), errorText, messageId: input.messageId, toolApprovalSecret }),
        tap((chunk) => {
          if (chunk.type === 'text-delta') text += chunk.delta;
          else if (chunk.type === 'finish' || chunk.type === 'abort' || chunk.type === 'error') end ??= chunk.type;
        }),
        map(encodeUIMessageChunk),
      );
      const save$ = defer(async () => {
        if (end === 'finish' || end === 'abort') {
          const head = question === undefined ? [] : [regenerate ? regeneratedQuestion(question) : question];
          // One call: a shared history writes the turn atomically (never a question without its answer).
          await conversations.config.history(ref.conversationId).addMessages([...head, ...markEdits(saved.reply(end, text), decisions)]);
        }
        // A run waiting for a decision has not finished: its decision turn reports.
        if (end !== 'finish' || !saved.awaiting) await conversations.finished(ref, end === 'finish' ? 'done' : end === 'abort' ? 'stopped' : 'error', text);
      }).pipe(ignoreElements());
      return concat(reply$, save$, of(UI_MESSAGE_STREAM_DONE));
    }),
  );
}
