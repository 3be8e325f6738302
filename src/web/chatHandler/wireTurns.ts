import { createParser } from 'eventsource-parser';
import { concatMap, defer, type Observable } from 'rxjs';
import { checkQuestion } from '../checkQuestion';
import { checkConversationId, principalOf } from './access';
import type { Conversations } from './conversations';
import { ChatRequestError } from './errors';
import { questionGate } from './decisionGate';
import type { ChatDecisionInput, ChatTurnInput, ChatTurnMessage } from './types';
import { wireDecisionGate, wireDecisionsOf } from './decisionBody';
import type { GatedDecisions } from './decisionGate';

/**
 * A conversation turn asked over another wire (a WebSocket): the same checks, caps, lock,
 * ownership, history and reply log as `POST {base}/stream`. Resolves once the turn started to
 * its messages, read from the log: `start` `{ conversationId, replyId }`, `chunk` `{ text }`,
 * `done`, `approval-request` `{ requests }` (the turn waits for a decision) or `error`; unsubscribing releases the reader only (the turn runs on, a stop ends it).
 */
export async function askOverWire(conversations: Conversations, authorize: Parameters<typeof principalOf>[0], maxQuestionChars: number, input: ChatTurnInput): Promise<Observable<ChatTurnMessage>> {
  const conversationId = checkConversationId(input.conversationId, 'conversationId', authorize !== undefined);
  const principal = await principalOf(authorize, input.request, conversationId, 'send');
  await conversations.assertVisible(conversationId, principal, 'ok');
  const problem = checkQuestion(input.question, maxQuestionChars);
  if (problem) throw new ChatRequestError(problem.reason === 'too-long' ? 413 : 400, problem.message);
  const release = conversations.acquire(principal);
  const ref = { conversationId, principal, replyId: conversations.newReplyId() };
  await conversations.start(ref, conversations.sseTurn(ref, input.question as string, 'websocket'), release, questionGate(conversations, conversationId));
  return logMessages(conversations, ref.replyId);
}

/**
 * A decision sent over another wire (a WebSocket `decide`): the same checks as `POST {base}/stream`
 * `{ conversationId, decisions }` — under the conversation's lock, once (a second answer: 409).
 * Resolves once the resumed turn started, to its messages, as {@link askOverWire}.
 */
export async function decideOverWire(conversations: Conversations, authorize: Parameters<typeof principalOf>[0], input: ChatDecisionInput): Promise<Observable<ChatTurnMessage>> {
  const conversationId = checkConversationId(input.conversationId, 'conversationId', authorize !== undefined);
  const principal = await principalOf(authorize, input.request, conversationId, 'send');
  await conversations.assertVisible(conversationId, principal, 'not-found');
  const wire = wireDecisionsOf(input.decisions);
  if (conversations.config.decisionRefusal) throw conversations.config.decisionRefusal;
  const release = conversations.acquire(principal);
  const ref = { conversationId, principal, replyId: conversations.newReplyId() };
  const gated: GatedDecisions = {};
  await conversations.start(ref, conversations.sseTurn(ref, gated, 'websocket'), release, wireDecisionGate(conversations, conversationId, wire, gated));
  return logMessages(conversations, ref.replyId);
}

/**
 * A reply's SSE frames in the log, read back as messages; unsubscribing releases the reader only.
 * Composed, so an unsubscribe during a synchronous replay of a stored reply stops it at once.
 */
function logMessages(conversations: Conversations, replyId: string): Observable<ChatTurnMessage> {
  return defer(() => {
    const parsed: ChatTurnMessage[] = [];
    // The log's SSE frames back into messages: each feed yields the events its frames complete.
    const parser = createParser({ onEvent: (event) => parsed.push({ type: event.event ?? 'message', ...(JSON.parse(event.data) as object) }) });
    return conversations.config.log.read(replyId).pipe(
      concatMap((entry) => {
        parser.feed(entry.data);
        return parsed.splice(0);
      }),
    );
  });
}

/** A stop asked over another wire: the same checks as `POST {base}/:id/stop`. */
export async function stopOverWire(conversations: Conversations, authorize: Parameters<typeof principalOf>[0], input: Omit<ChatTurnInput, 'question'>): Promise<{ stopped: boolean; replyId?: string }> {
  const conversationId = checkConversationId(input.conversationId, 'conversationId', authorize !== undefined);
  return conversations.stop(conversationId, await principalOf(authorize, input.request, conversationId, 'stop'));
}
