export * from './types';
export * from './chatTurns';
export * from './windowHistory';
export * from './SyncInMemoryChatMessageHistory';
