import type { NodeRedisClient as RedisClient } from '../../../src/node/redis/nodeRedis';
import { lastValueFrom, of } from 'rxjs';
import { ConversationLockLostError, RedisConversationLock } from '../../../src/node';
import { sleep, until } from '../../support/http';
import { describeWithRedis, startRedisServer, type RedisServer } from '../../support/redis';
import { conversationLockContract } from '../replyLog/conversationLock.contract';

describeWithRedis('RedisConversationLock', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  conversationLockContract(async (options) => {
    const [clientA, clientB] = await Promise.all([redis.client(), redis.client()]);
    return {
      a: new RedisConversationLock({ client: clientA, ...options }),
      b: new RedisConversationLock({ client: clientB, ...options }),
      close: async () => {
        await sleep(10); // let fire-and-forget releases land
        await Promise.all([clientA.disconnect(), clientB.disconnect()]);
      },
    };
  });

  describe('in Redis', () => {
    let client: RedisClient;
    beforeEach(async () => {
      client = await redis.client();
    });
    afterEach(async () => {
      await client.disconnect();
    });

    it("lists a waiter in a sorted set beside the lock until it would give up: a crashed instance's waiter drops out", async () => {
      const lock = new RedisConversationLock({ client });
      const waitingKey = 'rxlc:conversation:{k0}:waiting';
      await client.zAdd(waitingKey, [{ score: Date.now() - 1, value: JSON.stringify(['u-1', 'r-crashed', 'alice']) }, { score: Date.now() + 60_000, value: JSON.stringify(['u-2', 'r-waiting', null]) }]);
      expect(await lock.turns('k0')).toEqual([{ id: 'r-waiting' }]);
      await client.set('rxlc:conversation:{k0}:lock', JSON.stringify(['u-3', 'r-holding', 'bob']));
      expect(await lock.turns('k0')).toEqual([{ id: 'r-holding', principal: 'bob' }, { id: 'r-waiting' }]);
      await client.del(['rxlc:conversation:{k0}:lock', waitingKey]);
    });

    it('is SET NX PX with a token, renewed while held, deleted on release', async () => {
      // A TTL no stall of a loaded machine reaches: the renewal is proved by the TTL going up again
      // (an order of observations), not by outliving a short TTL (a live holder lost it under load).
      const lock = new RedisConversationLock({ client, ttlMs: 9000 });
      const holder = lock.hold('k1').subscribe();
      const key = 'rxlc:conversation:{k1}:lock';
      let token: string | null = null;
      while ((token = await client.get(key)) === null) await sleep(5);
      expect(token).toMatch(/^[0-9a-f-]{36}$/);
      // The TTL runs down between renewals (every ttlMs / 3); a renewal puts it back up. Seen in that
      // order (a low, then a value well above it) is the proof, however slow the machine.
      let low = await client.pTTL(key);
      expect(low).toBeGreaterThan(0);
      let ttl = low;
      while ((ttl = await client.pTTL(key)) <= low + 500) {
        low = Math.min(low, ttl);
        await sleep(50);
      }
      expect(ttl).toBeLessThanOrEqual(9000);
      expect(await client.get(key)).toBe(token); // the same holder's token, renewed
      holder.unsubscribe();
      while ((await client.exists(key)) !== 0) await sleep(5); // deleted on release
    }, 120_000);

    it('a crashed holder frees the conversation after ttlMs', async () => {
      const doomed = await redis.client();
      let held = false;
      new RedisConversationLock({ client: doomed, ttlMs: 100 }).hold('k2').subscribe({ next: () => (held = true), error: () => undefined });
      await until(() => held, 'the doomed holder');
      await doomed.disconnect(); // the instance dies holding the lock; nobody renews it
      const lock = new RedisConversationLock({ client, waitMs: 120_000 }); // patience: it is free after ttlMs
      expect(await lastValueFrom(lock.run('k2', of('next turn')))).toBe('next turn');
    });

    it('never deletes the lock of another holder, and a holder that lost its lock gets ConversationLockLostError', async () => {
      const lock = new RedisConversationLock({ client, ttlMs: 60 });
      let error: unknown;
      let held = false;
      const holder = lock.hold('k3').subscribe({ next: () => (held = true), error: (e: unknown) => (error = e) });
      await until(() => held, 'the holder');
      // The key expired during a stall and another instance took it.
      await client.set('rxlc:conversation:{k3}:lock', 'someone-else', { PX: 10_000 });
      await until(() => error !== undefined, 'the renewal to notice');
      expect(error).toBeInstanceOf(ConversationLockLostError);
      holder.unsubscribe();
      await sleep(20);
      expect(await client.get('rxlc:conversation:{k3}:lock')).toBe('someone-else');
    });

    it('checks its options', () => {
      expect(() => new RedisConversationLock({ client, ttlMs: 10 })).toThrow(/ttlMs must be at least 30/);
      expect(() => new RedisConversationLock({ client: {} as never })).toThrow(/node-redis 4 client/);
    });
  });
});
