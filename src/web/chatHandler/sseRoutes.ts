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
import { checkedRead, conversationAccess, jsonBody, lastEventIdOf, oneOff, type RouteContext } from './routeContext';

const EXAMPLE = '{"question": "…", "conversationId": "…"}';

/**
 * The library's own SSE routes (what `fromServerSentEvents` reads): `POST /stream`
 * `{ question, conversationId? }` (a turn, or a one-off reply without a conversation) and
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
    const errorData = (error: unknown) => ({ name: error instanceof Error ? error.name : 'Error', message: conversations.config.errorText(error) });
    return toServerSentEventsResponse(oneOff(c, run$, release).pipe(textContent()), { heartbeatMs: ctx.heartbeatMs, errorData });
  };

  app.post('/stream', bodyLimit({ maxSize: maxBodyBytes, onError: tooLarge }), async (c) => {
    const body = await jsonBody(c, EXAMPLE);
    if (body.replyId !== undefined) throw new ChatRequestError(400, 'replyId is not accepted: resume with GET ?conversationId=… and Last-Event-ID.');
    if (body.conversationId === undefined) return oneOffReply(c, question(body.question));
    const conversationId = checkConversationId(body.conversationId, 'conversationId', ctx.authorize !== undefined);
    const principal = await principalOf(ctx.authorize, c.req.raw, conversationId, 'send');
    await conversations.assertVisible(conversationId, principal, 'ok');
    const text = question(body.question);
    const release = conversations.acquire(principal);
    const ref = { conversationId, principal, replyId: conversations.newReplyId() };
    await conversations.start(ref, conversations.sseTurn(ref, text), release);
    return replyLogResponse(conversations.config.log.read(ref.replyId), sseReply);
  });

  app.get('/stream', async (c) => {
    const conversationId = c.req.query('conversationId');
    if (c.req.query('replyId') !== undefined) throw new ChatRequestError(400, 'replyId is not accepted: resume with ?conversationId=… and Last-Event-ID.');
    if (conversationId === undefined) {
      const text = c.req.query('question');
      if (text === undefined) throw new ChatRequestError(400, 'Pass ?conversationId=… (with Last-Event-ID to resume) or ?question=….');
      return oneOffReply(c, question(text));
    }
    await conversationAccess(ctx, c, conversationId, 'resume', 'ok');
    const after = lastEventIdOf(c);
    const latest = await conversations.config.log.latestReply(conversationId);
    if (!latest && after !== undefined) throw new ChatRequestError(404, 'No such event in this conversation (Last-Event-ID).');
    if (!latest) return c.body(null, 204, { 'cache-control': 'no-store' });
    return replyLogResponse(await checkedRead(conversations, latest.replyId, after), sseReply);
  });
}
