// The offline agent without approvals (`plain`), and the approval spec's mail agent (`mail`:
// send_email behind humanInTheLoopMiddleware), for @langchain/langgraph-api's server (see server.mts).
import { createAgent } from 'langchain';
import { ScriptedChatModel, createOfflineTools } from '../../../src/offline';
import { approvalAgent } from '../approvalAgent';

export const plain = createAgent({ model: new ScriptedChatModel(), tools: createOfflineTools() });
export const mail = approvalAgent({ preamble: '' }).agent;
