// rxjs-langchain/node: adapters that need Node (http, fs, ws).
export { sendServerSentEvents } from './sendServerSentEvents';
export type {
  SendServerSentEventsOptions,
  ServerSentEventsDelivery,
  ServerSentEventsOutcome,
  ServerSentEventsStats,
} from './sendServerSentEvents';
export { sendUIMessageStream } from './sendUIMessageStream';
export type { SendUIMessageStreamOptions } from './sendUIMessageStream';
export { serveChatOverWebSocket } from './serveChatOverWebSocket';
export type { ChatOverWebSocketOptions, ChatWebSocketServer, ChatClientMessage, ChatServerMessage, ChatConnection, WebSocketServerLike } from './serveChatOverWebSocket';
export { checkRequest, parseRequestTarget } from './checkRequest';
export type { RequestCheckOptions, RequestRefusal, AllowedHosts, AllowedOrigins } from './checkRequest';
export { FileChatMessageHistory } from './FileChatMessageHistory';
export type { FileChatMessageHistoryOptions } from './FileChatMessageHistory';
export { HistoryFileTypeError } from './HistoryFileTypeError';
export type { HistoryFileKind } from './HistoryFileTypeError';
export { HistoryFileCorruptError, BadChatMessageError } from '../errors';

// Scale-out: resumable replies (a reply log), conversation locks, stop from any instance; in memory or in Redis.
// The in-memory log and lock live in the root entry (platform-neutral); re-exported here as before.
export { InMemoryReplyLog } from '../replyLog/InMemoryReplyLog';
export { InMemoryConversationLock } from '../replyLog/InMemoryConversationLock';
export { sendReplyLog, replyLogErrorFrame } from './replyLog/sendReplyLog';
export type { SendReplyLogOptions, ReplyLogDelivery } from './replyLog/sendReplyLog';
export { toTurnServerSentEvents } from '../replyLog/toTurnServerSentEvents';
export type { ToTurnServerSentEventsOptions } from '../replyLog/toTurnServerSentEvents';
export type {
  ReplyLog,
  ReplyLogEntry,
  ReplyLogOptions,
  AppendReplyOptions,
  ReadReplyOptions,
  LatestReply,
  ConversationLock,
  ConversationLockOptions,
  LockTurn,
} from '../replyLog/types';
export { RedisReplyLog } from './redis/RedisReplyLog';
export type { RedisReplyLogOptions } from './redis/RedisReplyLog';
export { RedisConversationLock } from './redis/RedisConversationLock';
export type { RedisConversationLockOptions } from './redis/RedisConversationLock';
export type { RedisClient } from './redis/client';
export { connectRedis } from './redis/connectRedis';
export type { ConnectRedisOptions } from './redis/connectRedis';
export { RedisChatHistory } from './redis/RedisChatHistory';
export type { RedisChatHistoryOptions } from './redis/RedisChatHistory';
export { RedisUnreachableError, RedisUnavailableError, RedisTimeoutError, RedisRefusedError } from './redis/errors';
export {
  ReplyNotFoundError,
  ReplyEventNotFoundError,
  ReplyProducerGoneError,
  ReplyExistsError,
  ConversationBusyError,
  ConversationLockLostError,
  StoreUnavailableError,
  UnknownOptionError,
} from '../errors';

// Mount a Web-standard handler (createChatHandler) in node:http or Express 5.
export { toNodeHandler } from './toNodeHandler';
export type { FetchHandler } from './toNodeHandler';
export { RedisConversationOwners } from './redis/RedisConversationOwners';
export type { RedisConversationOwnersOptions } from './redis/RedisConversationOwners';

// Thread state shared by instances: LangGraph's Postgres checkpointer, connected fail-fast.
export { connectPostgresCheckpointer } from './postgres/connectPostgresCheckpointer';
export type { ConnectPostgresCheckpointerOptions, PostgresCheckpointer, PostgresSaverClass } from './postgres/connectPostgresCheckpointer';
export { PostgresUnreachableError } from './postgres/errors';
