// The same contract with two instances that share only Redis (each its own clients, RedisReplyLog
// and RedisConversationLock) and a checkpointer.
import { RedisConversationLock, RedisReplyLog } from '../../../src/node';
import type { NodeRedisClient as RedisClient } from '../../../src/node/redis/nodeRedis';
import { startCluster, type ProtocolCluster } from '../../support/agentProtocol';
import { describeWithRedis, startRedisServer, type RedisServer } from '../../support/redis';
import { agentProtocolContract } from './protocol.contract';

describeWithRedis('createAgentProtocolHandler over Redis', () => {
  let redis: RedisServer;
  const logs: RedisReplyLog[] = [];
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterEach(async () => {
    await Promise.all(logs.splice(0).map((log) => log.close()));
    await redis.flush();
  });
  afterAll(async () => {
    await redis.stop();
  });

  agentProtocolContract('two instances, each with its own Redis clients', async (): Promise<ProtocolCluster> => {
    const clients: RedisClient[] = [await redis.client(), await redis.client()];
    return startCluster(() => {
      const client = clients.shift()!;
      const replyLog = new RedisReplyLog({ client });
      logs.push(replyLog);
      return { replyLog, lock: new RedisConversationLock({ client }) };
    });
  });
});
