import type { Hono, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { UI_MESSAGE_STREAM_DONE, UI_MESSAGE_STREAM_HEADERS } from '../uiMessageChunk';
import { encodeUIMessageChunk } from '../uiMessageStreamFrames';
import { historyView } from './historyMessages';
import { replyLogResponse, type ReplyLogResponseOptions } from './replyLogResponse';
import { checkedRead, conversationAccess, cutReply, lastEventIdOf, type RouteContext } from './routeContext';
import { uiPost } from './uiPost';
import { ChatRequestError } from './errors';
import { checkConversationId, principalOf } from './access';

/**
 * The AI SDK's routes (`useChat` / `DefaultChatTransport`): `POST /` a turn (or a one-off reply
 * without `id`), `GET /:id/stream` its reconnect, `POST /:id/stop`, `GET /:id/history`.
 */
export function uiRoutes(app: Hono, ctx: RouteContext, maxBodyBytes: number, tooLarge: () => never): void {
  const { conversations } = ctx;
  const uiReply: ReplyLogResponseOptions = {
    heartbeatMs: ctx.heartbeatMs,
    headers: UI_MESSAGE_STREAM_HEADERS,
    errorFrame: (error) => encodeUIMessageChunk({ type: 'error', errorText: error instanceof Error ? error.message : String(error) }) + UI_MESSAGE_STREAM_DONE,
  };

  // Every POST here starts a run: at the instance's cap it is refused before its body is read (decision 0420).
  const room: MiddlewareHandler = async (_c, next) => {
    conversations.assertRoom();
    await next();
  };
  app.post('/', room, bodyLimit({ maxSize: maxBodyBytes, onError: tooLarge }), uiPost(ctx, uiReply));

  // DefaultChatTransport.reconnectToStream: the running reply from its first frame, then the live tail.
  app.get('/:id/stream', async (c) => {
    const { conversationId } = await conversationAccess(ctx, c, c.req.param('id'), 'resume', 'ok');
    const after = lastEventIdOf(c);
    const latest = await conversations.config.log.latestReply(conversationId);
    if (!latest && after !== undefined) throw new ChatRequestError(404, 'No such event in this conversation (Last-Event-ID).');
    if (!latest) return c.body(null, 204, { 'cache-control': 'no-store' });
    if (after !== undefined || latest.live) return replyLogResponse(await checkedRead(conversations, latest.replyId, after), uiReply);
    // Ended (its answer is in the history: 204) or its producer is gone (a crash): everything stored, then an error chunk.
    const cut = await cutReply(conversations, latest.replyId);
    return cut ? replyLogResponse(cut, uiReply) : c.body(null, 204, { 'cache-control': 'no-store' });
  });

  // Who may stop is the stop's own check: the owner, or the principal of a turn that has not claimed the conversation yet.
  app.post('/:id/stop', async (c) => {
    const conversationId = checkConversationId(c.req.param('id'), 'The conversation id', ctx.authorize !== undefined);
    return c.json(await conversations.stop(conversationId, await principalOf(ctx.authorize, c.req.raw, conversationId, 'stop')));
  });

  app.get('/:id/history', async (c) => {
    const { conversationId } = await conversationAccess(ctx, c, c.req.param('id'), 'history', 'not-found');
    return c.json(await historyView(await conversations.messages(conversationId), conversations.config.toolApprovalSecret), 200, { 'cache-control': 'no-store' });
  });
}
