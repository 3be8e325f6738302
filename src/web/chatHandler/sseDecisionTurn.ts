import type { Context } from 'hono';
import type { GatedDecisions } from './decisionGate';
import { wireDecisionGate, wireDecisionsOf } from './decisionBody';
import { replyLogResponse, type ReplyLogResponseOptions } from './replyLogResponse';
import { conversationAccess, type RouteContext } from './routeContext';

/**
 * `POST {base}/stream` `{ conversationId, decisions: [{ id, type, args?, message? }] }`: answers the
 * requests the conversation waits for and streams the resumed run in our SSE framing (`start`,
 * `chunk`s, then `done`, another `approval-request` or `error`). Checked under the conversation's
 * lock: a second answer to the same requests, from this instance or another, is a 409.
 */
export async function sseDecisionTurn(ctx: RouteContext, c: Context, body: Record<string, unknown>, sseReply: ReplyLogResponseOptions): Promise<Response> {
  const { conversations } = ctx;
  const { conversationId, principal } = await conversationAccess(ctx, c, body.conversationId, 'send', 'not-found');
  const wire = wireDecisionsOf(body.decisions);
  if (conversations.config.decisionRefusal) throw conversations.config.decisionRefusal;
  const release = conversations.acquire(principal);
  const ref = { conversationId, principal, replyId: conversations.newReplyId() };
  const gated: GatedDecisions = {};
  await conversations.start(ref, conversations.sseTurn(ref, gated), release, wireDecisionGate(conversations, conversationId, wire, gated));
  return replyLogResponse(conversations.config.log.read(ref.replyId), sseReply);
}
