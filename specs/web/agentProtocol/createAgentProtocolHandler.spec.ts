import { InMemoryConversationLock } from '../../../src/replyLog/InMemoryConversationLock';
import { InMemoryReplyLog } from '../../../src/replyLog/InMemoryReplyLog';
import { startCluster } from '../../support/agentProtocol';
import { agentProtocolContract } from './protocol.contract';

agentProtocolContract('createAgentProtocolHandler: two instances over one in-memory log', () => {
  const shared = { replyLog: new InMemoryReplyLog(), lock: new InMemoryConversationLock() };
  return startCluster(() => shared);
});
