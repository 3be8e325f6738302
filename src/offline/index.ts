// rxjs-langchain/offline: the embedded offline chat model the demos and the CLI run on.
export { ScriptedChatModel, REALISTIC_LATENCY } from './ScriptedChatModel';
export type { ScriptedChatModelParams, ScriptedReplyContext } from './ScriptedChatModel';
export type { ScriptedReply } from './agentScript';
export { createOfflineTools } from './agentTools';
export type { OfflineToolsOptions } from './agentTools';
export { tokenize } from './tokenize';
