import { ChatRequestError } from './errors';
import type { Authorize, ChatAction } from './types';

/** An id a client may send: URL-safe, no separator of Redis keys. */
const ID = /^[A-Za-z0-9_-]{1,128}$/;
/** Without `authorize`, an id is a capability: long enough not to be guessed. */
export const MIN_UNGUESSABLE_ID_CHARS = 16;

/**
 * Checks a conversation id from a client: 1–128 characters of `[A-Za-z0-9_-]`, and without
 * `authorize` at least 16 of them, since then whoever knows the id holds the conversation.
 */
export function checkConversationId(id: unknown, name: string, authorized: boolean, handler = 'createChatHandler'): string {
  if (typeof id !== 'string' || !ID.test(id)) {
    throw new ChatRequestError(400, `${name} must be 1–128 letters, digits, "-" or "_".`);
  }
  if (!authorized && id.length < MIN_UNGUESSABLE_ID_CHARS) {
    throw new ChatRequestError(
      400,
      `${name} must be at least ${MIN_UNGUESSABLE_ID_CHARS} random characters of [A-Za-z0-9_-]: without authorize, whoever knows a conversation id can read and stop it, so a short one could be guessed. Generate ids with crypto.randomUUID(), or pass authorize to ${handler}.`,
    );
  }
  return id;
}

/**
 * Who asks: `authorize`'s principal (`null` → 401), or `undefined` without `authorize`
 * (ids are capabilities then).
 */
export async function principalOf(authorize: Authorize | undefined, request: Request, conversationId: string | undefined, action: ChatAction, handler = 'createChatHandler'): Promise<string | undefined> {
  if (!authorize) return undefined;
  const principal = await authorize({ request, conversationId, action });
  if (principal === null) throw new ChatRequestError(401, 'Sign in first: this request is not authorized.');
  if (typeof principal !== 'string' || principal === '') {
    throw new TypeError(`${handler}: authorize must return a principal id (a non-empty string) or null, got ${typeof principal}.`);
  }
  return principal;
}
