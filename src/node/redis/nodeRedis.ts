import type { RedisClientType } from 'redis';
import type { RedisClient } from './client';

/**
 * node-redis's own client type, for the implementation only: no public declaration refers
 * to this file, so `rxjs-langchain/node`'s types never import `redis` (an optional peer).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type NodeRedisClient = RedisClientType<any, any, any>;

/** The structural {@link RedisClient} a caller passed, as the node-redis client it is (checked by `assertRedisClient`). */
export const asNodeRedis = (client: RedisClient): NodeRedisClient => client as unknown as NodeRedisClient;
