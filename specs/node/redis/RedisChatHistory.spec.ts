import { RedisChatMessageHistory } from '@langchain/redis';
import type { BaseListChatMessageHistory } from '@langchain/core/chat_history';
import { AIMessage, AIMessageChunk, HumanMessage, type BaseMessage } from '@langchain/core/messages';
import { from, lastValueFrom, map, of, toArray } from 'rxjs';
import { chatTurns } from '../../../src';
import { RedisChatHistory, RedisUnavailableError, type RedisClient } from '../../../src/node';
import type { NodeRedisClient } from '../../../src/node/redis/nodeRedis';
import { describeWithRedis, startRedisServer, type RedisServer } from '../../support/redis';

const TURN = [new HumanMessage('什么是Python？👩‍👩‍👧'), new AIMessage('一种编程语言 🐍，像"胶水"。')];
const typesOf = (messages: BaseMessage[]): string[] => messages.map((m) => m._getType());

/** `cmdstat_<name>` calls so far. */
async function calls(client: NodeRedisClient, name: string): Promise<number> {
  const info = await client.info('commandstats');
  return Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
}

/** True for a write that carries the (long) answer of a squeezed turn. */
const carriesAnswer = (values: unknown): boolean => JSON.stringify(values).includes('好好好');

/**
 * `client`, except that `beforeAnswer()` runs just before a command that writes the answer:
 * `lPush` (what @langchain/redis sends per message) and `MULTI … EXEC` (what RedisChatHistory sends).
 */
function fillingUp(client: NodeRedisClient, beforeAnswer: () => Promise<void>): NodeRedisClient {
  const lPush = async (key: string, values: unknown) => (carriesAnswer(values) && (await beforeAnswer()), client.lPush(key, values as string));
  const multi = () => {
    const queued = client.multi();
    let answer = false;
    const builder: Record<string | symbol, unknown> = new Proxy(queued, {
      get(target, name) {
        if (name === 'exec') return async () => (answer && (await beforeAnswer()), target.exec());
        const value = Reflect.get(target, name) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (name === 'lPush' && carriesAnswer(args[1])) answer = true;
          const result = (value as (...a: unknown[]) => unknown).apply(target, args);
          return result === target ? builder : result;
        };
      },
    }) as never;
    return builder;
  };
  const forward = (target: NodeRedisClient, name: string | symbol): unknown => {
    const value = Reflect.get(target, name) as unknown;
    return typeof value === 'function' ? value.bind(target) : value; // its methods use private fields
  };
  return new Proxy(client, { get: (target, name) => (name === 'lPush' ? lPush : name === 'multi' ? multi : forward(target, name)) });
}

describeWithRedis('RedisChatHistory', () => {
  let redis: RedisServer;
  let client: NodeRedisClient;
  beforeAll(async () => {
    redis = await startRedisServer();
    client = await redis.client();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  beforeEach(() => redis.flush());
  const ours = (sessionId: string, sessionTTL?: number): RedisChatHistory =>
    new RedisChatHistory({ client: client as unknown as RedisClient, sessionId, sessionTTL });

  it("keeps @langchain/redis's key layout: each reads what the other wrote, in order, Unicode intact", async () => {
    const theirs = new RedisChatMessageHistory({ sessionId: 'h:1', client });
    await ours('h:1').addMessages(TURN);
    await theirs.addMessages([new HumanMessage('再说一遍'), new AIMessage('好的 ✅')]);
    expect((await theirs.getMessages()).map((m) => m.content)).toEqual(['什么是Python？👩‍👩‍👧', '一种编程语言 🐍，像"胶水"。', '再说一遍', '好的 ✅']);
    expect(await ours('h:1').getMessages()).toEqual(await theirs.getMessages());
    expect(typesOf(await ours('h:1').getMessages())).toEqual(['human', 'ai', 'human', 'ai']);
  });

  it('stores no field LangChain fills in again when it reads (an empty additional_kwargs, tool_calls…); both classes read back equal messages', async () => {
    const turn = [
      new HumanMessage('什么是Python？👩‍👩‍👧'),
      new AIMessage({ content: '一种编程语言 🐍', response_metadata: { finish_reason: 'stop' }, additional_kwargs: { kept: true }, tool_calls: [{ id: 'c1', name: 'search', args: { q: 'Python' } }] }),
      new AIMessage('第二个 ✅'),
    ];
    await ours('h:compact').addMessages(turn);
    const stored = (await client.lRange('h:compact', 0, -1)).reverse().map((value) => JSON.parse(value) as { data: Record<string, unknown> });
    expect(stored.map((m) => Object.keys(m.data).sort())).toEqual([
      ['content'],
      ['additional_kwargs', 'content', 'response_metadata', 'tool_calls'],
      ['content'],
    ]);
    const theirs = new RedisChatMessageHistory({ sessionId: 'h:compact', client });
    expect(await theirs.getMessages()).toEqual(turn);
    expect(await ours('h:compact').getMessages()).toEqual(turn);
    // The same turn as @langchain/redis writes it, less its empty fields, is what ours wrote.
    await theirs.addMessages(turn);
    const [full, compact] = [await client.lRange('h:compact', 0, 2), await client.lRange('h:compact', 3, 5)];
    expect(full.map((v) => v.replace(/"(additional_kwargs|response_metadata)":\{\},?|"(tool_calls|invalid_tool_calls)":\[\],?/g, '').replace(/,\}/g, '}'))).toEqual(compact);
    expect(full.join('').length - compact.join('').length).toBe(156); // of 440 characters: 35 %
  });

  it('writes a turn in ONE LPUSH inside MULTI, with its EXPIRE', async () => {
    const [lpush, multi] = [await calls(client, 'lpush'), await calls(client, 'multi')];
    await ours('h:2', 3600).addMessages(TURN);
    expect(await calls(client, 'lpush')).toBe(lpush + 1);
    expect(await calls(client, 'multi')).toBe(multi + 1);
    expect(await client.ttl('h:2')).toBeGreaterThan(3500);
    await ours('h:2').addMessage(new HumanMessage('单条'));
    expect(await client.lLen('h:2')).toBe(3);
    await ours('h:2').clear();
    expect(await client.exists('h:2')).toBe(0);
  });

  describe('Redis full (maxmemory with noeviction)', () => {
    afterEach(() => client.configSet('maxmemory', '0'));

    /**
     * Runs six chat turns (a short question, a ~30 KB answer). On odd turns Redis fills up in the
     * middle of the turn: the client handed to the history sets `maxmemory` to 1 byte just before the
     * write that carries the answer (after the question's own write, when a history writes them
     * apart); on even turns there is no limit. The flip is a command on the same connection, ahead of
     * the write, so the outcome does not depend on how much memory Redis reports at that moment (an
     * earlier version set "used + 15 KB" and lost its race with Redis's lazy query-buffer shrink on
     * a loaded machine).
     */
    async function squeezedTurns(history: (client: NodeRedisClient) => BaseListChatMessageHistory): Promise<string[]> {
      await client.configSet({ 'maxmemory-policy': 'noeviction' });
      let turn = 0;
      const full = async (): Promise<void> => void (turn % 2 === 0 && (await client.configSet('maxmemory', '1')));
      const model = () => from(client.configSet('maxmemory', '0')).pipe(map(() => (turn++, new AIMessageChunk(`答案 ${'好'.repeat(10_000)} 🐍`))));
      const questions = from(['什么是Python', '再说一遍 🐍', '第三个问题', '第四个', '第五个', '最后一个 ✅']);
      const events = await lastValueFrom(questions.pipe(chatTurns(model, { history: history(fillingUp(client, full)), requireCompletion: false }), toArray()));
      return events.filter((e) => e.type === 'done' || e.type === 'error').map((e) => e.type);
    }
    const ALTERNATING = ['done', 'error', 'done', 'error', 'done', 'error'];

    it('never keeps a question without its answer: a turn is stored whole or not at all', async () => {
      expect(await squeezedTurns((c) => new RedisChatHistory({ client: c as unknown as RedisClient, sessionId: 'h:full' }))).toEqual(ALTERNATING);
      const stored = await ours('h:full').getMessages();
      expect(typesOf(stored)).toEqual(['human', 'ai', 'human', 'ai', 'human', 'ai']);
      expect(stored.filter((m) => m._getType() === 'human').map((m) => m.content)).toEqual(['什么是Python', '第三个问题', '第五个']);
    });

    it("the same squeeze through @langchain/redis's two LPUSHes keeps a question without its answer per refused turn", async () => {
      expect(await squeezedTurns((c) => new RedisChatMessageHistory({ sessionId: 'h:theirs', client: c }))).toEqual(ALTERNATING);
      const stored = typesOf(await ours('h:theirs').getMessages());
      const orphans = stored.filter((type, i) => type === 'human' && stored[i + 1] !== 'ai').length;
      expect(orphans).toBe(3);
    });

    it('a turn refused whole is an error event with nothing saved; the history stays readable', async () => {
      await client.configSet({ 'maxmemory-policy': 'noeviction', maxmemory: '1' });
      const events = await lastValueFrom(of('你好').pipe(chatTurns(() => of(new AIMessageChunk('在')), { history: ours('h:none'), requireCompletion: false }), toArray()));
      expect(events.at(-1)).toMatchObject({ type: 'error', saved: false });
      expect(await ours('h:none').getMessages()).toEqual([]);
    });
  });

  it('checks its options, and refuses at once while Redis is down', async () => {
    expect(() => new RedisChatHistory({ client: {} as never, sessionId: 'x' })).toThrow(/node-redis 4 client/);
    expect(() => ours('')).toThrow(/sessionId must be a non-empty string/);
    expect(() => new RedisChatHistory({ client: client as unknown as RedisClient, sessionId: 'x', sessionTTL: 0 })).toThrow(RangeError);
    await expect(ours('x').addMessages('no' as never)).rejects.toThrow(/messages must be an array/);
    const down = { ...client, isReady: false, sendCommand: client.sendCommand, duplicate: client.duplicate, xAdd: client.xAdd, options: { url: 'redis://u:pw@h:1' } };
    await expect(new RedisChatHistory({ client: down as unknown as RedisClient, sessionId: 'x' }).getMessages()).rejects.toThrow(
      new RedisUnavailableError('history LRANGE', 'redis://u:***@h:1'),
    );
  });
});
