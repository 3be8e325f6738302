/**
 * RedisConversationOwners: who owns a conversation, shared by every instance; and, like the other
 * Redis stores, no command without a deadline: a stalled Redis (frozen by SIGSTOP until the spec
 * resumes it, so the stall outlasts the deadline whatever the load) is a RedisTimeoutError, a down
 * one a RedisUnavailableError at once. Never a hang.
 */
import { once } from 'node:events';
import { connectRedis, RedisConversationOwners, RedisTimeoutError, RedisUnavailableError, type RedisClient } from '../../../src/node';
import type { NodeRedisClient } from '../../../src/node/redis/nodeRedis';
import { describeWithRedis, startRedisServer, type RedisServer } from '../../support/redis';
import { useCleanup } from '../../support/cleanup';

const cleanup = useCleanup();

describeWithRedis('RedisConversationOwners', () => {
  let redis: RedisServer;
  let client: RedisClient;
  beforeAll(async () => {
    redis = await startRedisServer();
    client = (await redis.client()) as unknown as RedisClient;
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('the first claim wins, on any instance; the owner is kept beside the history with its TTL', async () => {
    const [a, b] = [new RedisConversationOwners({ client, ttlSeconds: 600 }), new RedisConversationOwners({ client: (await redis.client()) as unknown as RedisClient })];
    expect(await a.owner('c-owned-0000000001')).toBeNull();
    const claims = await Promise.all([a.claim('c-owned-0000000001', 'alice 😀'), b.claim('c-owned-0000000001', 'bob')]);
    expect(claims[0]).toBe(claims[1]); // one of the two won, and both were told who
    expect(await b.owner('c-owned-0000000001')).toBe(claims[0]);
    const node = client as unknown as NodeRedisClient;
    const ttl = await node.ttl('rxlc:conversation:{c-owned-0000000001}:owner');
    expect(ttl > 0 ? ttl <= 600 : ttl === -1).toBe(true); // 600 s if alice's claim won, b's default otherwise
  });

  it('a stalled Redis: owner() and claim() reject with RedisTimeoutError after commandTimeoutMs, naming the command', async () => {
    const owners = new RedisConversationOwners({ client, commandTimeoutMs: 300 });
    const stalled = await redis.stall(); // until resumed: longer than any deadline, however slow the machine
    try {
      const [owner, claim] = await Promise.all([
        owners.owner('c-stalled-00000001').catch((e: unknown) => e),
        owners.claim('c-stalled-00000001', 'alice').catch((e: unknown) => e),
      ]);
      expect(owner).toBeInstanceOf(RedisTimeoutError);
      expect((owner as Error).message).toMatch(/^Redis at redis:\/\/127\.0\.0\.1:\d+ did not answer the owner GET within 300 ms/);
      expect(claim).toBeInstanceOf(RedisTimeoutError);
      expect((claim as Error).message).toMatch(/did not answer the owner claim within 300 ms/);
    } finally {
      stalled.resume();
    }
    expect(await owners.owner('c-stalled-00000001')).toBe('alice'); // the claim ran after the stall: nobody waited for it
  });

  it('a Redis that is down: RedisUnavailableError at once, not a wait in the offline queue', async () => {
    const down = await startRedisServer();
    cleanup(() => down.stop());
    const lost = await connectRedis(down.url, { log: () => undefined });
    cleanup(() => (lost as unknown as NodeRedisClient).disconnect().catch(() => undefined));
    const noticed = once(lost as unknown as NodeRedisClient, 'error');
    await down.kill();
    await noticed;
    const owners = new RedisConversationOwners({ client: lost });
    await expect(owners.owner('c-down-0000000001')).rejects.toThrow(RedisUnavailableError);
    await expect(owners.claim('c-down-0000000001', 'alice')).rejects.toThrow(RedisUnavailableError);
  });

  it('checks its options', () => {
    expect(() => new RedisConversationOwners({ client, commandTimeoutMs: 0 })).toThrow(RangeError);
    expect(() => new RedisConversationOwners({ client, ttlSeconds: -1 })).toThrow(RangeError);
    expect(() => new RedisConversationOwners({ client: {} as never })).toThrow(/node-redis 4 client/);
  });
});
