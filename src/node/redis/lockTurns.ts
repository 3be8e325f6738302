import { randomUUID } from 'node:crypto';
import type { LockTurn } from '../replyLog/types';

/**
 * The turns of a {@link RedisConversationLock} (decision 0325): the holder's turn is in its token
 * (the lock key's value), each waiter's token in a sorted set beside the lock, scored by when
 * it stops waiting (so an instance that crashed while waiting is not listed after that).
 */

/**
 * Takes the lock (`SET NX PX`) or, failing, lists the waiter: KEYS = lock, waiting set;
 * ARGV = token, ttlMs, '1' to list it, its score (ms), the set's TTL (ms). 1 when taken.
 */
export const ACQUIRE_OR_WAIT =
  "if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then " +
  "if ARGV[3] == '1' then redis.call('ZREM', KEYS[2], ARGV[1]) end return 1 end " +
  "if ARGV[3] == '1' then redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1]) " +
  "if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[5]) then redis.call('PEXPIRE', KEYS[2], ARGV[5]) end end return 0";

/** A lock token: a UUID, and for a hold with a turn, the turn beside it (JSON). */
export function lockToken(turn: LockTurn | undefined): string {
  return turn === undefined ? randomUUID() : JSON.stringify([randomUUID(), turn.id, turn.principal ?? null]);
}

/** The turn of a token ({@link lockToken}), or undefined for a hold without one (or a foreign value). */
export function turnOfToken(token: string | null): LockTurn | undefined {
  if (token === null || !token.startsWith('[')) return undefined;
  try {
    const [, id, principal] = JSON.parse(token) as [string, unknown, unknown];
    if (typeof id !== 'string') return undefined;
    return typeof principal === 'string' ? { id, principal } : { id };
  } catch {
    return undefined;
  }
}
