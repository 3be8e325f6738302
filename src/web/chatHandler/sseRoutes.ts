import { HumanMessage } from '@langchain/core/messages';
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { textContent } from '../../operators/textContent';
import { checkQuestion } from '../checkQuestion';
import { SSE_HEADERS } from '../serverSentEventFrame';
import { toServerSentEventsResponse } from '../toServerSentEventsResponse';
import { checkConversationId, principalOf } from './access';
import { ChatRequestError } from './errors';
import { replyLogResponse, type ReplyLogResponseOptions } from './replyLogResponse';
import { replyLogErrorFrame } from '../../replyLog/replyLogErrorFrame';
import { questionGate } from './decisionGate';
import { sseDecisionTurn } from './sseDecisionTurn';
import { checkedRead, conversationAccess, jsonBody, lastEventIdOf, oneOff, type RouteContext } from './routeContext';

const EXAMPLE = '{"question": "…", "conversationId": "…"} or {"conversationId": "…", "decisions": [{"id": "…", "type": "approve"}]}';

/**
 * The library's own SSE routes (what `fromServerSentEvents` reads): `POST /stream`
 * `{ question, conversationId? }` (a turn, or a one-off reply without a conversation),
 * `{ conversationId, decisions }` (a decision turn: the conversation's agent run resumes) and
 * `GET /stream` (`?conversationId=` with `Last-Event-ID`: resume after it; without: the latest
 * reply from its start; `?question=`: a one-off reply, for programs).
 */
export function sseRoutes(app: Hono, ctx: RouteContext, maxBodyBytes: number, tooLarge: () => never): void {
  const { conversations } = ctx;
  const sseReply: ReplyLogResponseOptions = { heartbeatMs: ctx.heartbeatMs, retryMs: 1000, headers: SSE_HEADERS, errorFrame: replyLogErrorFrame };

  const question = (value: unknown): string => {
    const problem = checkQuestion(value, ctx.maxQuestionChars);
    if (problem) throw new ChatRequestError(problem.reason === 'too-long' ? 413 : 400, problem.message);
    return value as string;
  };

  /** A reply with no conversation: streamed as it runs; the client leaving aborts the model. */
  const oneOffReply = async (c: Context, text: string): Promise<Response> => {
    const principal = await principalOf(ctx.authorize, c.req.raw, undefined, 'send');
    const release = conversations.acquire(principal);
    const run$ = conversations.config.stream({ messages: [...conversations.systemMessages(), new HumanMessage(text)], conversationId: undefined, principal, protocol: 'server-sent-events' });
    return toServerSentEventsResponse(oneOff(c, run$, release).pipe(textContent()), { heartbeatMs: ctx.heartbeatMs, errorData: (error) => conversations.errorData(error) });
  };

  app.post('/stream', bodyLimit({ maxSize: maxBodyBytes, onError: tooLarge }), async (c) => {
    const body = await jsonBody(c, EXAMPLE);
    if (body.conversationId === undefined) return oneOffReply(c, question(body.question));
    // The same POST again with Last-Event-ID (what EventSource-style clients and fromServerSentEvents' resume send): a resume, not a new turn.
    if (lastEventIdOf(c) !== undefined || body.replyId !== undefined) return resume(c, body.conversationId, body.replyId);
    if (body.decisions !== undefined) return sseDecisionTurn(ctx, c, body, sseReply);
    const conversationId = checkConversationId(body.conversationId, 'conversationId', ctx.authorize !== undefined);
    const principal = await principalOf(ctx.authorize, c.req.raw, conversationId, 'send');
    await conversations.assertVisible(conversationId, principal, 'ok');
    const text = question(body.question);
    const release = conversations.acquire(principal);
    const ref = { conversationId, principal, replyId: conversations.newReplyId() };
    await conversations.start(ref, conversations.sseTurn(ref, text), release, questionGate(conversations, conversationId));
    return replyLogResponse(conversations.config.log.read(ref.replyId), sseReply);
  });

  /** A resume inside the authorized conversation: after Last-Event-ID, or its latest reply from the start. */
  const resume = async (c: Context, conversationId: unknown, replyId: unknown): Promise<Response> => {
    const { conversationId: id } = await conversationAccess(ctx, c, conversationId, 'resume', 'ok');
    const after = lastEventIdOf(c);
    const latest = await conversations.config.log.latestReply(id);
    if (!latest && after !== undefined) throw new ChatRequestError(404, 'No such event in this conversation (Last-Event-ID).');
    if (!latest) return c.body(null, 204, { 'cache-control': 'no-store' });
    // A replyId (from the `start` event) must be the conversation's latest reply: no other reply is reachable.
    if (replyId !== undefined && replyId !== latest.replyId) throw new ChatRequestError(404, 'No such reply in this conversation.');
    return replyLogResponse(await checkedRead(conversations, latest.replyId, after), sseReply);
  };

  app.get('/stream', async (c) => {
    const conversationId = c.req.query('conversationId');
    if (conversationId !== undefined) return resume(c, conversationId, c.req.query('replyId'));
    const text = c.req.query('question');
    if (text === undefined) throw new ChatRequestError(400, 'Pass ?conversationId=… (with Last-Event-ID to resume) or ?question=….');
    return oneOffReply(c, question(text));
  });
}
