// createAgentProtocolHandler checks its options at construction, with the chat handler's request
// policy checks (one shared function) and messages that say what to pass.
import { MemorySaver } from '@langchain/langgraph';
import { EMPTY } from 'rxjs';
import { createAgent } from 'langchain';
import { createAgentProtocolHandler, createChatHandler, type AgentProtocolHandlerOptions } from '../../../src';
import { ScriptedChatModel, createOfflineTools } from '../../../src/offline';

const agent = createAgent({ model: new ScriptedChatModel(), tools: createOfflineTools() });
const create = (options: Partial<Record<keyof AgentProtocolHandlerOptions, unknown>>) => () =>
  createAgentProtocolHandler({ graphs: { agent }, ...options } as AgentProtocolHandlerOptions);

describe('createAgentProtocolHandler options', () => {
  it.each([
    ['allowedHosts: "*"', { allowedHosts: '*' }, TypeError, /createAgentProtocolHandler: allowedHosts must be 'any', a function, or an array of host names such as "chat.example.com", got the string "\*"/],
    ['allowedHosts: [""]', { allowedHosts: [''] }, TypeError, /allowedHosts must be 'any', a function, or an array of host names/],
    ['allowedOrigins: "*"', { allowedOrigins: '*' }, TypeError, /createAgentProtocolHandler: allowedOrigins must be a function or an array of origins such as "https:\/\/app.example.com" \(no path\), got the string "\*"/],
    ['allowedOrigins with a path', { allowedOrigins: ['https://app.example.com/chat'] }, TypeError, /allowedOrigins must be a function or an array of origins/],
    ['checkpointer: {}', { checkpointer: {} }, TypeError, /checkpointer must be a LangGraph checkpointer \(new MemorySaver\(\), a PostgresSaver …\), got an object \(Object\)/],
    ['replyLog: "redis"', { replyLog: 'redis' }, TypeError, /replyLog must be an object, got the string "redis"/],
    ['authorize: true', { authorize: true }, TypeError, /authorize must be a function, got boolean/],
    ['owners: "redis"', { owners: 'redis' }, TypeError, /owners must be an object, got the string "redis"/],
    ['retryAfterSeconds: 0', { retryAfterSeconds: 0 }, RangeError, /retryAfterSeconds must be an integer >= 1/],
    ['maxConcurrentRuns: 0', { maxConcurrentRuns: 0 }, RangeError, /maxConcurrentRuns must be an integer >= 1, got the number 0/],
    ['maxBodyBytes: 1.5', { maxBodyBytes: 1.5 }, RangeError, /maxBodyBytes must be an integer >= 1/],
    ['maxRunsKept: -1', { maxRunsKept: -1 }, RangeError, /maxRunsKept must be an integer >= 1/],
    ['heartbeatMs: -1', { heartbeatMs: -1 }, RangeError, /heartbeatMs must be a number >= 0/],
    ['keyPrefix: ""', { keyPrefix: '' }, TypeError, /keyPrefix must be a non-empty string/],
    ['scheduler: {}', { scheduler: {} }, TypeError, /scheduler must be an RxJS scheduler/],
    ['graphs: {}', { graphs: {} }, TypeError, /graphs must name at least one graph/],
    ['a graph that is not one', { graphs: { agent: {} } }, TypeError, /graphs\["agent"\] must be a compiled LangGraph graph/],
  ])('%s is refused at construction', (_, options, type, message) => {
    expect(create(options)).toThrow(type);
    expect(create(options)).toThrow(message);
  });

  it('the chat handler refuses the same request policy values with the same words', () => {
    expect(() => createChatHandler({ stream: () => EMPTY, allowedHosts: '*' as never })).toThrow(/createChatHandler: allowedHosts must be 'any', a function, or an array of host names/);
    expect(() => createChatHandler({ stream: () => EMPTY, allowedOrigins: '*' as never })).toThrow(/createChatHandler: allowedOrigins must be a function or an array of origins/);
  });

  it('accepts every documented form', async () => {
    for (const options of [
      { allowedHosts: 'any', allowedOrigins: ['https://app.example.com'] },
      { allowedHosts: ['agents.example.com'], allowedOrigins: () => true },
      { allowedHosts: () => true, checkpointer: new MemorySaver(), heartbeatMs: 0, keyPrefix: 'a:', maxRunsKept: 1 },
    ]) {
      const handler = create(options)();
      await handler.close();
    }
  });
});
