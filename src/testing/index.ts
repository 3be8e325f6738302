// rxjs-langchain/testing: the marble model, chunk helpers, the fake OpenAI server, and the offline model.
export { ScriptedChatModel, REALISTIC_LATENCY, tokenize, createOfflineTools } from '../offline';
export type { ScriptedChatModelParams, ScriptedReply, ScriptedReplyContext, OfflineToolsOptions } from '../offline';
export { SyncInMemoryChatMessageHistory } from '../history/SyncInMemoryChatMessageHistory';
export { startFakeOpenAIServer } from './fakeOpenAIServer';
export type { FakeOpenAIServer, FakeOpenAIServerOptions, FakeRequestRecord, FakeChatRequest, FakeFault, FakeTurn, FakeToolCall } from './fakeOpenAIServer';
export { marbleChatModel, MarbleChatModel } from './marbleChatModel';
export { flushAsync } from './flushAsync';
export type { FlushAsyncOptions } from './flushAsync';
export type { MarbleChatModelOptions, MarbleDiagram, MarbleReplies, MarbleScript, MarbleSubscriptionLog, MarbleValues } from './marbleChatModel';
export { chunk, chunks, toolCallChunk } from './marbleChunks';
export type { ChunksOptions, MarbleChunkValue, ToolCallChunkOptions, UsageInput } from './marbleChunks';
export { providerError, ProviderError } from './marbleErrors';
export type { ProviderErrorOptions } from './marbleErrors';
export { expectText, mapToText } from './marbleText';
export type { ExpectObservableFn } from './marbleText';
export { hitlInterrupt } from './marbleApprovals';
export type { MarbleActionRequest, MarbleInterrupt } from './marbleApprovals';
