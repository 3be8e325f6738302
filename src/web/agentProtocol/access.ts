import { checkConversationId, principalOf } from '../chatHandler/access';
import { ChatRequestError } from '../chatHandler/errors';
import type { ConversationOwners } from '../chatHandler/owners';
import type { Authorize, ChatAction } from '../chatHandler/types';
import { AgentProtocolRequestError } from './errors';

const HANDLER = 'createAgentProtocolHandler';

/** What {@link threadAccess} needs: the handler's `authorize` and where thread owners are kept. */
export interface ThreadAccess {
  readonly authorize: Authorize | undefined;
  readonly owners: ConversationOwners;
}

/**
 * What `authorize` hears for a command: `state.get` reads (`'history'`); `run.start`,
 * `input.respond` and any other command write (`'send'`).
 */
export function commandAction(method: string): ChatAction {
  return method === 'state.get' ? 'history' : 'send';
}

/**
 * Who asks about `threadId`, in the chat handler's words (a thread is the protocol's
 * conversation): the id must be 1–128 characters of `[A-Za-z0-9_-]`, and at least 16 without
 * `authorize` (the id is the capability then; the SDK's ids are UUIDs); `authorize` names the
 * principal (`null` → 401). A thread belongs to the first principal who sends to it or opens its
 * event stream — claimed on both, since the stream stays open across runs and would otherwise
 * hear the runs of whoever starts the thread later. Anyone else gets the 404 of a thread that
 * does not exist (no enumeration); stop and reads of a thread nobody owns are 404 too.
 *
 * @returns The principal, or `undefined` without `authorize`.
 */
export async function threadAccess(access: ThreadAccess, request: Request, threadId: string, action: ChatAction): Promise<string | undefined> {
  let principal: string | undefined;
  try {
    checkConversationId(threadId, 'The thread id', access.authorize !== undefined, HANDLER);
    principal = await principalOf(access.authorize, request, threadId, action, HANDLER);
  } catch (error) {
    if (error instanceof ChatRequestError) throw new AgentProtocolRequestError(error.status, error.status === 401 ? 'permission_denied' : 'invalid_argument', error.message);
    throw error;
  }
  if (principal === undefined) return undefined;
  const claims = action === 'send' || action === 'resume';
  const owner = claims ? await access.owners.claim(threadId, principal) : await access.owners.owner(threadId);
  if (owner !== principal) throw threadNotFound(threadId);
  return principal;
}

/** The answer to a thread the principal may not see: the same as a thread that does not exist. */
export function threadNotFound(threadId: string): AgentProtocolRequestError {
  return new AgentProtocolRequestError(404, 'invalid_argument', `Thread ${threadId} not found.`);
}
