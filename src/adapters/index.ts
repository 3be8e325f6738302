export { encodeServerSentEvent, SSE_HEARTBEAT } from './serverSentEventFrame';
export type { ServerSentEventFields } from './serverSentEventFrame';
export { toServerSentEvents, defaultServerSentEventData, defaultServerSentErrorData } from './toServerSentEvents';
export type { ToServerSentEventsOptions, ServerSentEventKind } from './toServerSentEvents';
export { sendServerSentEvents, SSE_HEADERS, DEFAULT_MAX_BUFFERED_BYTES } from './sendServerSentEvents';
export type {
  SendServerSentEventsOptions,
  ServerSentEventsDelivery,
  ServerSentEventsOutcome,
  ServerSentEventsStats,
} from './sendServerSentEvents';
export { toSSEResponse } from './toSSEResponse';
export type { ToSSEResponseOptions } from './toSSEResponse';
export { SlowConsumerError, BadChatMessageError } from './errors';
export * from './terminal';
export { serveChatOverWebSocket } from './serveChatOverWebSocket';
export type { ChatOverWebSocketOptions, ChatWebSocketServer, ChatClientMessage, ChatServerMessage } from './serveChatOverWebSocket';
