export * from './types';
export * from './errors';
export * from './chatTurns';
export * from './windowHistory';
export * from './SyncInMemoryChatMessageHistory';
export * from './FileChatMessageHistory';
export * from './ChatSession';
