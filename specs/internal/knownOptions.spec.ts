/**
 * A misspelt or unknown option is refused, not ignored (issue 22, decision 0401): the shared checker,
 * and every function that takes a big options object, as a plain-JavaScript caller would call it.
 */
import { createServer } from 'node:http';
import { createAgent } from 'langchain';
import { createAgentProtocolHandler, createChatHandler, UnknownOptionError } from '../../src';
import { assertKnownOptions, closestName, optionNames } from '../../src/internal/knownOptions';
import { RedisChatHistory, RedisConversationLock, RedisConversationOwners, RedisReplyLog, serveChatOverWebSocket, toNodeHandler, UnknownOptionError as NodeUnknownOptionError } from '../../src/node';
import { ScriptedChatModel } from '../../src/offline';

/** What a plain-JavaScript caller may pass: anything. */
const untyped = <T>(options: Record<string, unknown>): T => options as T;

/** The error thrown by `call`, which must throw. */
function thrown(call: () => unknown): Error {
  try {
    call();
  } catch (error) {
    return error as Error;
  }
  throw new Error('it did not throw');
}

describe('assertKnownOptions', () => {
  const KNOWN = optionNames<{ maxConcurrentRuns?: number; maxConcurrentRunsPerPrincipal?: number; basePath?: string; heartbeatMs?: number }>({
    maxConcurrentRuns: true,
    maxConcurrentRunsPerPrincipal: true,
    basePath: true,
    heartbeatMs: true,
  });

  it('passes known keys, set or undefined', () => {
    expect(() => assertKnownOptions('f', { maxConcurrentRuns: 2, basePath: undefined }, KNOWN)).not.toThrow();
    expect(() => assertKnownOptions('f', {}, KNOWN)).not.toThrow();
  });

  it('refuses an unknown key with UnknownOptionError (a TypeError, code UNKNOWN_OPTION), naming the key and the closest option', () => {
    const error = thrown(() => assertKnownOptions('createChatHandler', { basePath: '/x', maxConcurentRuns: 8 }, KNOWN)) as UnknownOptionError;
    expect(error).toBeInstanceOf(UnknownOptionError);
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('createChatHandler: unknown option "maxConcurentRuns"; did you mean "maxConcurrentRuns"?');
    expect([error.name, error.code, error.where, error.option, error.suggestion]).toEqual(['UnknownOptionError', 'UNKNOWN_OPTION', 'createChatHandler', 'maxConcurentRuns', 'maxConcurrentRuns']);
    expect(error.known).toEqual(KNOWN);
  });

  it('a key far from every option gets the list of options instead of a guess; an undefined value is still refused', () => {
    const error = thrown(() => assertKnownOptions('f', { 模型: undefined }, KNOWN)) as UnknownOptionError;
    expect(error.message).toBe('f: unknown option "模型"; the options are maxConcurrentRuns, maxConcurrentRunsPerPrincipal, basePath, heartbeatMs.');
    expect(error.suggestion).toBeUndefined();
  });

  it.each([
    ['basepath', 'basePath'], // case
    ['heartbeatMS', 'heartbeatMs'],
    ['hearbteatMs', 'heartbeatMs'], // swapped neighbours
    ['maxConcurrentRun', 'maxConcurrentRuns'], // a letter missing
    ['maxConcurrentRunsPerPrinciple', 'maxConcurrentRunsPerPrincipal'],
    ['basePathh', 'basePath'],
    ['path', undefined], // 4 edits from basePath: more than a third of the key
    ['timeout', undefined],
  ])('closest option to %j: %j', (key, expected) => {
    expect(closestName(key, KNOWN)).toBe(expected);
  });
});

describe('every options object of the chat back end refuses an unknown key', () => {
  const model = new ScriptedChatModel();
  const cases: Array<[string, () => unknown, string]> = [
    ['createChatHandler', () => createChatHandler(untyped({ model, maxConcurentRuns: 8 })), 'createChatHandler: unknown option "maxConcurentRuns"; did you mean "maxConcurrentRuns"?'],
    ['createChatHandler', () => createChatHandler(untyped({ model, autorize: () => 'alice' })), 'createChatHandler: unknown option "autorize"; did you mean "authorize"?'],
    [
      'createAgentProtocolHandler',
      () => createAgentProtocolHandler(untyped({ graphs: { agent: createAgent({ model, tools: [] }) }, retryAfterSecond: 3 })),
      'createAgentProtocolHandler: unknown option "retryAfterSecond"; did you mean "retryAfterSeconds"?',
    ],
    ['RedisConversationLock', () => new RedisConversationLock(untyped({ client: {}, ttlMS: 5000 })), 'RedisConversationLock: unknown option "ttlMS"; did you mean "ttlMs"?'],
    ['RedisChatHistory', () => new RedisChatHistory(untyped({ client: {}, sessionId: 'h', sessionTtl: 60 })), 'RedisChatHistory: unknown option "sessionTtl"; did you mean "sessionTTL"?'],
    ['RedisConversationOwners', () => new RedisConversationOwners(untyped({ client: {}, ttlSecond: 60 })), 'RedisConversationOwners: unknown option "ttlSecond"; did you mean "ttlSeconds"?'],
    ['RedisReplyLog', () => new RedisReplyLog(untyped({ client: {}, graceMS: 1000 })), 'RedisReplyLog: unknown option "graceMS"; did you mean "graceMs"?'],
  ];
  it.each(cases)('%s', (_, call, message) => {
    const error = thrown(call);
    expect(error).toBeInstanceOf(UnknownOptionError);
    expect(error.message).toBe(message);
  });

  it('serveChatOverWebSocket, before it attaches to the server', () => {
    const server = createServer();
    const error = thrown(() => serveChatOverWebSocket(server, untyped({ streamTurn: () => model.stream('hi'), maxConcurrentTurn: 2 })));
    expect(error).toBeInstanceOf(NodeUnknownOptionError);
    expect(error.message).toBe('serveChatOverWebSocket: unknown option "maxConcurrentTurn"; did you mean "maxConcurrentTurns"?');
    expect(server.listenerCount('upgrade')).toBe(0);
  });

  it('toNodeHandler takes no options: a second argument is refused', () => {
    const handler = createChatHandler({ model });
    const withOptions = toNodeHandler as unknown as (h: unknown, o: unknown) => unknown;
    expect(() => withOptions(handler, { maxBodyBytes: 10 })).toThrow(
      new TypeError('toNodeHandler takes only the handler, got a second argument (an object (Object)); options such as maxBodyBytes go to createChatHandler(…).'),
    );
    expect(typeof toNodeHandler(handler)).toBe('function');
  });
});
