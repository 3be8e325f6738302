import type { Context } from 'hono';
import { defer } from 'rxjs';
import { BadUIMessagesError } from '../../errors';
import { ApprovalResponseError } from '../approvalErrors';
import { fromUIApprovals } from '../fromUIApprovals';
import { fromUIMessages } from '../fromUIMessages';
import { toUIMessageStreamResponse } from '../toUIMessageStreamResponse';
import { checkConversationId, principalOf } from './access';
import { questionGate, uiDecisionGate, type GatedDecisions } from './decisionGate';
import { ChatRequestError } from './errors';
import { replyLogResponse, type ReplyLogResponseOptions } from './replyLogResponse';
import { jsonBody, oneOff, type RouteContext } from './routeContext';

const EXAMPLE = '{"id": "…", "messages": [UIMessage, …], "trigger": "submit-message"}';

/**
 * `POST {base}`: an AI SDK turn of conversation `id` (a one-off reply without `id`). A body whose
 * last message is the assistant message with answered approvals (`addToolApprovalResponse`, resent
 * automatically) is a decision turn: it continues that message once (a second answer is a 409).
 */
export function uiPost(ctx: RouteContext, uiReply: ReplyLogResponseOptions): (c: Context) => Promise<Response> {
  const { conversations } = ctx;
  return async (c) => {
    const body = await jsonBody(c, EXAMPLE);
    const { trigger = 'submit-message' } = body;
    if (trigger !== 'submit-message' && trigger !== 'regenerate-message') throw new ChatRequestError(400, `trigger must be "submit-message" or "regenerate-message", got ${JSON.stringify(trigger)}.`);
    if (await hasApprovalResponses(body.messages)) return decisionTurn(ctx, c, body, uiReply);
    let messages;
    try {
      messages = fromUIMessages(body.messages);
    } catch (error) {
      if (error instanceof BadUIMessagesError) throw new ChatRequestError(error.status, error.message);
      throw error;
    }
    // The server's history is authoritative: of the client's messages only the new question counts.
    const question = messages.at(-1);
    if (!question || question.getType() !== 'human') throw new ChatRequestError(400, 'messages must end with the user message to answer.');
    if (body.id === undefined) {
      const principal = await principalOf(ctx.authorize, c.req.raw, undefined, 'send');
      const release = conversations.acquire(principal);
      const run$ = conversations.config.stream({ messages: [...conversations.systemMessages(), question], conversationId: undefined, principal, protocol: 'ui-message-stream' });
      // No conversation: nothing to resume, so the client leaving aborts the model.
      return toUIMessageStreamResponse(oneOff(c, run$, release), { heartbeatMs: ctx.heartbeatMs, errorText: conversations.config.errorText });
    }
    const conversationId = checkConversationId(body.id, 'id (the chat id)', ctx.authorize !== undefined);
    const principal = await principalOf(ctx.authorize, c.req.raw, conversationId, 'send');
    await conversations.assertVisible(conversationId, principal, 'ok');
    const release = conversations.acquire(principal);
    const ref = { conversationId, principal, replyId: conversations.newReplyId() };
    const turn$ = conversations.uiTurn(ref, { question, regenerate: trigger === 'regenerate-message' });
    await conversations.start(ref, turn$, release, questionGate(conversations, conversationId));
    return replyLogResponse(conversations.config.log.read(ref.replyId), uiReply);
  };
}

/** True when the body's last message carries approval responses (malformed ones are a 400). */
async function hasApprovalResponses(messages: unknown): Promise<boolean> {
  try {
    return (await fromUIApprovals(messages)) !== undefined;
  } catch (error) {
    if (error instanceof ApprovalResponseError) throw new ChatRequestError(error.status, error.message);
    throw error;
  }
}

/** The decision turn: checked against what the conversation waits for under its lock, then the continuation. */
async function decisionTurn(ctx: RouteContext, c: Context, body: Record<string, unknown>, uiReply: ReplyLogResponseOptions): Promise<Response> {
  const { conversations } = ctx;
  if (body.id === undefined) throw new ChatRequestError(400, 'Approval responses answer a conversation: send its id (the chat id).');
  const conversationId = checkConversationId(body.id, 'id (the chat id)', ctx.authorize !== undefined);
  const principal = await principalOf(ctx.authorize, c.req.raw, conversationId, 'send');
  await conversations.assertVisible(conversationId, principal, 'not-found');
  if (conversations.config.decisionRefusal) throw conversations.config.decisionRefusal;
  const release = conversations.acquire(principal);
  const ref = { conversationId, principal, replyId: conversations.newReplyId() };
  const gated: GatedDecisions = {};
  // Deferred: the gate fills `gated` under the lock before the turn is subscribed.
  const turn$ = defer(() => conversations.uiTurn(ref, { decisions: gated.decisions, messageId: gated.messageId }));
  await conversations.start(ref, turn$, release, uiDecisionGate(conversations, conversationId, body.messages, gated));
  return replyLogResponse(conversations.config.log.read(ref.replyId), uiReply);
}
