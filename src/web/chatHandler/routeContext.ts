import type { Context } from 'hono';
import { concat, finalize, from, take, throwError, type Observable } from 'rxjs';
import { ReplyEventNotFoundError, ReplyNotFoundError, ReplyProducerGoneError } from '../../errors';
import type { ReplyLogEntry } from '../../replyLog/types';
import { checkConversationId, principalOf } from './access';
import type { Conversations } from './conversations';
import { ChatRequestError, conversationNotFound } from './errors';
import { isJson } from './requestPolicy';
import type { Authorize, ChatAction } from './types';

/** What every route needs. */
export interface RouteContext {
  conversations: Conversations;
  authorize: Authorize | undefined;
  heartbeatMs: number;
  maxQuestionChars: number;
}

/** A conversation route's caller: the checked id and the principal (404 when it is someone else's). */
export async function conversationAccess(ctx: RouteContext, c: Context, id: unknown, action: ChatAction, ownerless: 'ok' | 'not-found'): Promise<{ conversationId: string; principal: string | undefined }> {
  const conversationId = checkConversationId(id, 'The conversation id', ctx.authorize !== undefined);
  const principal = await principalOf(ctx.authorize, c.req.raw, conversationId, action);
  await ctx.conversations.assertVisible(conversationId, principal, ownerless);
  return { conversationId, principal };
}

/** The JSON body (the size is capped by the route's bodyLimit): 415 when it is not declared JSON, 400 when it is not JSON. */
export async function jsonBody(c: Context, example: string): Promise<Record<string, unknown>> {
  if (!isJson(c.req.header('content-type') ?? null)) throw new ChatRequestError(415, `Send the body as Content-Type: application/json, like ${example}.`);
  let body: unknown;
  try {
    body = await c.req.json();
  } catch (error) {
    if ((error as { status?: unknown })?.status === 413) throw error; // bodyLimit's
    throw new ChatRequestError(400, `The request body must be JSON like ${example}.`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ChatRequestError(400, `The request body must be a JSON object like ${example}.`);
  return body as Record<string, unknown>;
}

/** A non-empty `Last-Event-ID`, or undefined. */
export function lastEventIdOf(c: Context): string | undefined {
  const id = c.req.header('last-event-id');
  return id === undefined || id === '' ? undefined : id;
}

/**
 * A read after `after` in this reply only: an id from another reply or conversation is a 404
 * before any byte is sent (decision 0171). Waits for the read's first notification, so a
 * client that is caught up with a live reply gets its headers with the next event.
 */
export async function checkedRead(conversations: Conversations, replyId: string, after: string | undefined): Promise<Observable<ReplyLogEntry>> {
  const read = (): Observable<ReplyLogEntry> => conversations.config.log.read(replyId, { after });
  if (after === undefined) return read();
  await new Promise<void>((resolve, reject) => {
    read()
      .pipe(take(1))
      .subscribe({
        complete: resolve,
        error: (error: unknown) => (error instanceof ReplyEventNotFoundError || error instanceof ReplyNotFoundError ? reject(new ChatRequestError(404, 'No such event in this conversation (Last-Event-ID).')) : error instanceof ReplyProducerGoneError ? resolve() : reject(error)),
      });
  });
  return read();
}

/** A reply that is not live, read to its end: its entries and the error of a producer that is gone; null when it ended normally or is not kept. */
export function cutReply(conversations: Conversations, replyId: string): Promise<Observable<ReplyLogEntry> | null> {
  return new Promise((resolve, reject) => {
    const entries: ReplyLogEntry[] = []; // at most the log's maxEvents
    conversations.config.log.read(replyId).subscribe({
      next: (entry) => void entries.push(entry),
      complete: () => resolve(null),
      error: (error: unknown) => {
        if (error instanceof ReplyProducerGoneError) resolve(concat(from(entries), throwError(() => error)));
        else if (error instanceof ReplyNotFoundError) resolve(null); // expired in between
        else reject(error);
      },
    });
  });
}

/** A one-off reply's run: released when it ends or its client leaves, whichever comes first. */
export function oneOff<T>(c: Context, run$: Observable<T>, release: () => void): Observable<T> {
  c.req.raw.signal?.addEventListener('abort', release, { once: true });
  return run$.pipe(finalize(release));
}

export { conversationNotFound };
