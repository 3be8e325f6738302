// rxjs-langchain/offline: the embedded offline chat model the demos and the CLI run on.
export { ScriptedChatModel, REALISTIC_LATENCY } from './ScriptedChatModel';
export type { ScriptedChatModelParams } from './ScriptedChatModel';
export { tokenize } from './tokenize';
