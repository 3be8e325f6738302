// The offline agent without approvals, for @langchain/langgraph-api's server (see server.mts).
import { createAgent } from 'langchain';
import { ScriptedChatModel, createOfflineTools } from '../../../src/offline';

export const plain = createAgent({ model: new ScriptedChatModel(), tools: createOfflineTools() });
