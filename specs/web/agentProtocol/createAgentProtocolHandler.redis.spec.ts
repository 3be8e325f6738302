// The same contract with two instances that share only services, as two processes would: each its
// own Redis clients (RedisReplyLog, RedisConversationLock) and its own PostgresSaver (thread state)
// over one database of a private Postgres cluster.
import { connectPostgresCheckpointer, RedisConversationLock, RedisReplyLog, type PostgresCheckpointer } from '../../../src/node';
import type { NodeRedisClient as RedisClient } from '../../../src/node/redis/nodeRedis';
import { startCluster, type ProtocolCluster } from '../../support/agentProtocol';
import { describeWithPostgres, startPostgresServer, type PostgresServer } from '../../support/postgres';
import { describeWithRedis, startRedisServer, type RedisServer } from '../../support/redis';
import { useCleanupAfterAll } from '../../support/cleanup';
import { startServices } from '../../support/services';
import { agentProtocolContract } from './protocol.contract';

describeWithRedis('createAgentProtocolHandler over Redis', () => {
  describeWithPostgres('and Postgres', () => {
    let redis: RedisServer;
    let pg: PostgresServer;
    let databaseUrl: string;
    const logs: RedisReplyLog[] = [];
    const savers: PostgresCheckpointer[] = [];
    beforeAll(async () => {
      [redis, pg] = await startServices(cleanupAll, startRedisServer, startPostgresServer);
      databaseUrl = await pg.createDatabase();
    });
    afterEach(async () => {
      await Promise.all(logs.splice(0).map((log) => log.close()));
      await Promise.all(savers.splice(0).map((saver) => saver.end()));
      await redis.flush();
    });
    afterAll(async () => {
      // The thread state really was in Postgres: every contract case's threads have checkpoints there.
      const { rows } = await pg.pool(databaseUrl).query('SELECT count(DISTINCT thread_id)::int AS threads FROM checkpoints');
      expect(rows[0].threads).toBeGreaterThanOrEqual(4);
    });
    const cleanupAll = useCleanupAfterAll(); // after the afterAll above: the servers stop once it has read Postgres

    agentProtocolContract('two instances, each with its own Redis clients and its own PostgresSaver', async (): Promise<ProtocolCluster> => {
      const clients: RedisClient[] = [await redis.client(), await redis.client()];
      return startCluster(async () => {
        const client = clients.shift()!;
        const replyLog = new RedisReplyLog({ client });
        logs.push(replyLog);
        const checkpointer = await connectPostgresCheckpointer(databaseUrl, { maxConnections: 4 });
        savers.push(checkpointer);
        return { replyLog, lock: new RedisConversationLock({ client }), checkpointer };
      });
    });
  });
});
