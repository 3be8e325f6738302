export { ScriptedChatModel, REALISTIC_LATENCY } from './ScriptedChatModel';
export type { ScriptedChatModelParams } from './ScriptedChatModel';
export { tokenize } from './tokenize';
export { replyTo, CANNED_REPLIES } from './cannedReplies';
export type { CannedReply } from './cannedReplies';
export { startFakeOpenAIServer } from './fakeOpenAIServer';
export type { FakeOpenAIServer, FakeOpenAIServerOptions, FakeRequestRecord, FakeChatRequest } from './fakeOpenAIServer';
