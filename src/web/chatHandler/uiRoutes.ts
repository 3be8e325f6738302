import type { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { BadUIMessagesError } from '../../errors';
import { fromUIMessages } from '../fromUIMessages';
import { toUIMessageStreamResponse } from '../toUIMessageStreamResponse';
import { UI_MESSAGE_STREAM_DONE, UI_MESSAGE_STREAM_HEADERS } from '../uiMessageChunk';
import { encodeUIMessageChunk } from '../uiMessageStreamFrames';
import { checkConversationId, principalOf } from './access';
import { toUIMessages } from './historyMessages';
import { replyLogResponse, type ReplyLogResponseOptions } from './replyLogResponse';
import { checkedRead, conversationAccess, cutReply, jsonBody, lastEventIdOf, oneOff, type RouteContext } from './routeContext';
import { ChatRequestError } from './errors';

const EXAMPLE = '{"id": "…", "messages": [UIMessage, …], "trigger": "submit-message"}';

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

  app.post('/', bodyLimit({ maxSize: maxBodyBytes, onError: tooLarge }), async (c) => {
    const body = await jsonBody(c, EXAMPLE);
    const { trigger = 'submit-message' } = body;
    if (trigger !== 'submit-message' && trigger !== 'regenerate-message') throw new ChatRequestError(400, `trigger must be "submit-message" or "regenerate-message", got ${JSON.stringify(trigger)}.`);
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
    await conversations.start(ref, conversations.uiTurn(ref, question, trigger === 'regenerate-message'), release);
    return replyLogResponse(conversations.config.log.read(ref.replyId), uiReply);
  });

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

  app.post('/:id/stop', async (c) => {
    const { conversationId } = await conversationAccess(ctx, c, c.req.param('id'), 'stop', 'not-found');
    return c.json(await conversations.stop(conversationId));
  });

  app.get('/:id/history', async (c) => {
    const { conversationId } = await conversationAccess(ctx, c, c.req.param('id'), 'history', 'not-found');
    return c.json({ messages: toUIMessages(await conversations.messages(conversationId)) }, 200, { 'cache-control': 'no-store' });
  });
}
