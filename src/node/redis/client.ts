import { describe } from '../../internal/validate';

/**
 * A connected node-redis 4 client (`createClient()` from `redis`), the client
 * `@langchain/redis` uses too. Structural, like `WebSocketServerLike`: the public
 * declarations never import `redis`, so consumers without it (an optional peer)
 * type-check; the implementation reads it as node-redis's own type (./nodeRedis.ts).
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- node-redis's overloaded signatures must be assignable */
export interface RedisClient {
  /** `client.sendCommand(['PING'])`. */
  sendCommand(...args: any[]): Promise<unknown>;
  /** A new client with the same options (not connected). */
  duplicate(...args: any[]): unknown;
  /** `XADD`. */
  xAdd(...args: any[]): Promise<unknown>;
  /** Whether the client is connected. */
  readonly isOpen: boolean;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

export function assertRedisClient(name: string, value: unknown): asserts value is RedisClient {
  const client = value as { sendCommand?: unknown; duplicate?: unknown; xAdd?: unknown } | null;
  if (
    typeof client !== 'object' || client === null ||
    typeof client.sendCommand !== 'function' || typeof client.duplicate !== 'function' || typeof client.xAdd !== 'function'
  ) {
    throw new TypeError(`${name} must be a node-redis 4 client (createClient({ url }) from 'redis', connected), got ${describe(value)}.`);
  }
}

/** Key prefix: a non-empty string without spaces or control characters. */
export function assertPrefix(name: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'string' || value.length === 0 || /[\s\u0000-\u001f]/.test(value))) {
    throw new TypeError(`${name} must be a non-empty key prefix without whitespace (e.g. "rxlc:"), got ${describe(value)}.`);
  }
}

/** PEXPIRE only while the key still holds `value` (the lock token, the reply id). */
export const PEXPIRE_IF_EQUAL =
  "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0";

/** DEL only while the key still holds `value`: never release someone else's lock. */
export const DEL_IF_EQUAL = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

export const ignore = (): void => undefined;
