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
export type { ChatOverWebSocketOptions, ChatWebSocketServer, ChatClientMessage, ChatServerMessage, WebSocketServerLike } from './serveChatOverWebSocket';
export { checkRequest, parseRequestTarget } from './checkRequest';
export type { RequestCheckOptions, RequestRefusal, AllowedHosts, AllowedOrigins } from './checkRequest';
export { FileChatMessageHistory } from './FileChatMessageHistory';
export { HistoryFileCorruptError, BadChatMessageError } from '../errors';
