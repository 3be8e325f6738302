import type { ConversationLock, LockTurn, ReplyLog } from '../../replyLog/types';
import { conversationNotFound } from './errors';
import type { ConversationOwners } from './owners';

/** What a stop answers: whether a turn was stopped, and the newest one's reply id. */
export interface StopAnswer {
  stopped: boolean;
  replyId?: string;
}

/** What a stop reads and writes. */
export interface StopTurnsConfig {
  log: ReplyLog;
  lock: ConversationLock;
  owners: ConversationOwners;
}

/**
 * Stops a conversation's turns wherever they run (decision 0325): every turn the lock lists
 * (waiting for it, or holding it before its reply exists, while it claims the conversation or
 * stores its first frame) and the conversation's latest reply. Each is stopped by its reply id
 * (`ReplyLog.stop`), so a stop never reaches a turn accepted after it. The principal stops their
 * own turns, and the latest reply when they own the conversation; with neither, a 404 (no check
 * without `authorize`). `{ stopped: true }` when a listed turn without a reply yet, or a producing
 * reply, was stopped; a turn whose reply ended is not stopped again (its lock may still be held).
 *
 * @param config The log, the lock and the owners.
 * @param conversationId The conversation.
 * @param principal Who asks (`undefined` without `authorize`).
 * @returns The answer of `POST {base}/:id/stop`.
 */
export async function stopTurns(config: StopTurnsConfig, conversationId: string, principal: string | undefined): Promise<StopAnswer> {
  const { log, lock, owners } = config;
  // Sent together, in this order (a first turn that claims the conversation in between is seen either
  // way), so a stop costs no more round trips than the latest reply's lookup and the stop itself.
  const [turns, owner, latestReply] = await Promise.all([
    lock.turns?.(conversationId) ?? Promise.resolve([] as LockTurn[]),
    principal === undefined ? Promise.resolve(null) : owners.owner(conversationId),
    log.latestReply(conversationId),
  ]);
  const mine = principal === undefined ? turns : turns.filter((turn) => turn.principal === principal);
  const owns = principal === undefined || owner === principal;
  if (!owns && mine.length === 0) throw conversationNotFound();
  // Not `latest.live`: a producer whose heartbeat lapsed may still run (decision 0281).
  const latest = owns ? latestReply : null;
  const ids = [...new Set([...mine.map((turn) => turn.id), ...(latest ? [latest.replyId] : [])])];
  const producing = await Promise.all(ids.map((id) => log.stop(id)));
  // A listed turn whose reply is the latest has one: its producer answers (it may have just ended, its lock not yet released).
  const pending = mine.filter((turn) => turn.id !== latest?.replyId);
  const latestStopped = latest !== null && producing[ids.indexOf(latest.replyId)];
  if (pending.length === 0 && !latestStopped) return { stopped: false };
  return { stopped: true, replyId: pending.at(-1)?.id ?? latest?.replyId };
}
