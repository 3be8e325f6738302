/**
 * Two instances, one conversation: chatTurns with a shared history, the
 * conversation lock and stop from any instance. Run in memory (one process,
 * shared objects) and in Redis (two clients; history in @langchain/redis's
 * RedisChatMessageHistory, a plain Redis list, no modules needed).
 */
import type { NodeRedisClient as RedisClient } from '../../../src/node/redis/nodeRedis';
import { randomUUID } from 'node:crypto';
import { InMemoryChatMessageHistory, type BaseListChatMessageHistory } from '@langchain/core/chat_history';
import type { BaseMessage } from '@langchain/core/messages';
import { ChatPromptTemplate, MessagesPlaceholder } from '@langchain/core/prompts';
import { RedisChatMessageHistory } from '@langchain/redis';
import { lastValueFrom, of, tap, toArray } from 'rxjs';
import { chatTurns, fromRunnable, type TurnEvent } from '../../../src';
import {
  InMemoryConversationLock,
  InMemoryReplyLog,
  RedisConversationLock,
  RedisReplyLog,
  type ConversationLock,
  type ReplyLog,
} from '../../../src/node';
import { ScriptedChatModel } from '../../../src/testing';
import { until } from '../../support/http';
import { describeWithRedis, startRedisServer, type RedisServer } from '../../support/redis';

interface Instance {
  log: ReplyLog;
  lock: ConversationLock;
  history(conversationId: string): BaseListChatMessageHistory;
}

const prompt = ChatPromptTemplate.fromMessages([['system', '你是助手'], new MessagesPlaceholder('history'), ['human', '{question}']]);

/** Replies with what it was shown, so a spec sees which history each turn got. */
function modelSeeingHistory(chunkDelayMs = 0): { model: ScriptedChatModel; aborted: () => number } {
  let aborted = 0;
  const model = new ScriptedChatModel({
    chunkDelayMs,
    reply: (messages: BaseMessage[]) => `第${messages.length - 2}条历史 😀 ` + 'word '.repeat(chunkDelayMs ? 200 : 3),
  });
  const stream = model._streamResponseChunks.bind(model);
  model._streamResponseChunks = async function* (messages, options, runManager) {
    try {
      yield* stream(messages, options, runManager);
    } finally {
      if (options.signal?.aborted) aborted++;
    }
  };
  return { model, aborted: () => aborted };
}

/** One turn on one instance: the lock, then chatTurns over the shared history, stoppable through the log. */
function turn(instance: Instance, conversationId: string, question: string, model: ScriptedChatModel, replyId = randomUUID(), onIncomplete: 'discard' | 'keep-partial' = 'discard') {
  return instance.lock.run(
    conversationId,
    of(question).pipe(
      chatTurns(({ history, question: q }) => fromRunnable(prompt.pipe(model), { history, question: q }), {
        history: instance.history(conversationId),
        stop$: instance.log.stops(replyId),
        onIncomplete,
        maxMessages: Infinity,
      }),
    ),
  );
}

const last = (events: TurnEvent[]): TurnEvent => events[events.length - 1];

function scenario(make: () => Promise<{ a: Instance; b: Instance; close(): Promise<void> }>): void {
  let fx: { a: Instance; b: Instance; close(): Promise<void> };
  beforeEach(async () => {
    fx = await make();
  });
  afterEach(async () => {
    await fx.close();
  });

  it("turns alternating between instances each see the conversation's full history", async () => {
    const conversationId = randomUUID();
    const { model } = modelSeeingHistory();
    const texts: string[] = [];
    for (const [i, instance] of [fx.a, fx.b, fx.a].entries()) {
      const events = await lastValueFrom(turn(instance, conversationId, `问题 ${i}`, model).pipe(toArray()));
      const done = last(events);
      expect(done.type).toBe('done');
      texts.push(done.type === 'done' ? done.text : '');
    }
    expect(texts.map((t) => t.split(' ')[0])).toEqual(['第0条历史', '第2条历史', '第4条历史']);
    const stored = await fx.b.history(conversationId).getMessages();
    expect(stored.map((m) => `${m.getType()}:${m.content}`)).toEqual([
      'human:问题 0', `ai:${texts[0]}`, 'human:问题 1', `ai:${texts[1]}`, 'human:问题 2', `ai:${texts[2]}`,
    ]);
  });

  it('two turns of one conversation sent to two instances at once run one after the other (the lock)', async () => {
    const conversationId = randomUUID();
    const { model } = modelSeeingHistory(1);
    const [one, two] = await Promise.all([
      lastValueFrom(turn(fx.a, conversationId, 'first', model).pipe(toArray())),
      lastValueFrom(turn(fx.b, conversationId, 'second', model).pipe(toArray())),
    ]);
    const seen = [one, two].map((events) => (last(events) as { text: string }).text.split(' ')[0]).sort();
    expect(seen).toEqual(['第0条历史', '第2条历史']); // the second turn saw the first one, whole
    const stored = await fx.a.history(conversationId).getMessages();
    expect(stored.map((m) => m.getType())).toEqual(['human', 'ai', 'human', 'ai']);
  });

  it('a stop sent on the other instance aborts the model where it runs; nothing cut is saved as complete', async () => {
    const conversationId = randomUUID();
    const { model, aborted } = modelSeeingHistory(2);
    const replyId = randomUUID();
    const chunks: string[] = [];
    const events = lastValueFrom(
      turn(fx.a, conversationId, 'long question', model, replyId, 'keep-partial').pipe(
        tap((e) => e.type === 'chunk' && chunks.push(e.text)),
        toArray(),
      ),
    );
    await until(() => chunks.length >= 5, 'a few chunks');
    await fx.b.log.stop(replyId);
    const result = await events;
    const end = last(result);
    expect(end.type).toBe('stopped');
    expect(aborted()).toBe(1);
    const stored = await fx.b.history(conversationId).getMessages();
    expect(stored).toHaveLength(2);
    const partial = stored[1];
    expect(partial.response_metadata).toMatchObject({ partial: true, partial_reason: 'stop' });
    expect((partial.response_metadata as Record<string, unknown>).finish_reason).toBeUndefined();
    expect(String(partial.content).length).toBeLessThan(`第0条历史 😀 ${'word '.repeat(200)}`.length);
    // The next turn (on the other instance) runs at once: the stopped turn released the lock.
    const next = await lastValueFrom(turn(fx.b, conversationId, 'again', modelSeeingHistory().model).pipe(toArray()));
    expect(last(next).type).toBe('done');
  });

  it("with onIncomplete 'discard' a stopped turn leaves the history as it was", async () => {
    const conversationId = randomUUID();
    const { model } = modelSeeingHistory(2);
    const replyId = randomUUID();
    let chunks = 0;
    const events = lastValueFrom(turn(fx.b, conversationId, 'q', model, replyId).pipe(tap((e) => e.type === 'chunk' && chunks++), toArray()));
    await until(() => chunks >= 3, 'a few chunks');
    expect(await fx.a.log.stop(replyId)).toBe(false); // no reply log append here: only stops() listens
    expect(last(await events).type).toBe('stopped');
    expect(await fx.a.history(conversationId).getMessages()).toEqual([]);
  });
}

describe('a conversation on two instances', () => {
  describe('in memory (one process)', () => {
    scenario(async () => {
      const log = new InMemoryReplyLog();
      const lock = new InMemoryConversationLock();
      const histories = new Map<string, InMemoryChatMessageHistory>();
      const history = (id: string): InMemoryChatMessageHistory => {
        if (!histories.has(id)) histories.set(id, new InMemoryChatMessageHistory());
        return histories.get(id)!;
      };
      const instance: Instance = { log, lock, history };
      return { a: instance, b: instance, close: () => log.close() };
    });
  });

  describeWithRedis('in Redis (RedisChatMessageHistory from @langchain/redis)', () => {
    let redis: RedisServer;
    beforeAll(async () => {
      redis = await startRedisServer();
    });
    afterAll(async () => {
      await redis?.stop();
    });

    scenario(async () => {
      const clients: RedisClient[] = [];
      const instance = async (): Promise<Instance> => {
        const client = await redis.client();
        clients.push(client);
        const log = new RedisReplyLog({ client });
        return {
          log,
          lock: new RedisConversationLock({ client }),
          history: (id) => new RedisChatMessageHistory({ sessionId: `rxlc:conversation:{${id}}:history`, client }),
        };
      };
      const [a, b] = await Promise.all([instance(), instance()]);
      return {
        a,
        b,
        close: async () => {
          await Promise.all([a.log.close(), b.log.close()]);
          await Promise.all(clients.map((c) => c.disconnect()));
        },
      };
    });
  });
});
