/**
 * Where the web demo keeps conversations: in this process by default, in Redis
 * with a `redisUrl` (then every instance sees the same histories, locks, reply
 * logs and stops). One node-redis client (`connectRedis`: a wrong URL fails the start within
 * `connectTimeoutMs` with the URL and a hint) serves all of them, the history included:
 * `RedisChatHistory`, `@langchain/redis`'s key layout with a turn written atomically (docs/scale-out.md).
 * The agents' threads go to Postgres with a `databaseUrl` (./threadState.ts).
 */
import { InMemoryChatMessageHistory, type BaseListChatMessageHistory } from '@langchain/core/chat_history';
import {
  connectRedis,
  InMemoryConversationLock,
  InMemoryReplyLog,
  RedisChatHistory,
  RedisConversationLock,
  RedisReplyLog,
  type ConversationLock,
  type ReplyLog,
} from '../../src/node';
import { openThreadState, type ThreadState } from './threadState';

/** Options of {@link createScaleOut}. */
export interface ScaleOutOptions {
  /** `redis://…`: conversations in Redis, shared by instances. Default: in this process. */
  redisUrl?: string;
  /** `postgresql://…`: the agents' threads in Postgres (LangGraph's PostgresSaver), shared by instances. Default: in this process. */
  databaseUrl?: string;
  /** How long a finished reply stays resumable, ms. Default 300000. */
  graceMs?: number;
  /** How soon readers of a crashed instance's replies are told, and its conversation locks expire (Redis), ms. Default 10000. */
  producerTimeoutMs?: number;
  /** How long a turn waits for the one before it in its conversation, ms. Default 10000. */
  waitMs?: number;
  /** Conversations kept in memory (the oldest goes first). Default 1000. */
  maxConversations?: number;
  /** How long the start waits for Redis (`RedisUnreachableError`) and Postgres (`PostgresUnreachableError`), ms. Default 5000. */
  connectTimeoutMs?: number;
}

/** The state of the demo's conversations. */
export interface ScaleOut {
  readonly kind: 'memory' | 'redis';
  readonly log: ReplyLog;
  readonly lock: ConversationLock;
  /** The history of a conversation. */
  history(conversationId: string): BaseListChatMessageHistory;
  /** The same, as `createChatHandler`'s options. */
  readonly stores: { history(conversationId: string): BaseListChatMessageHistory; replyLog: ReplyLog; lock: ConversationLock };
  /** The agents' checkpointers (Postgres with `databaseUrl`); absent or `memory`: each agent keeps its threads in this process. */
  readonly threads?: ThreadState;
  close(): Promise<void>;
}

/** A day: a conversation's history in Redis expires a day after its last turn. */
const HISTORY_TTL_SECONDS = 24 * 60 * 60;

/**
 * Opens the demo's state: conversations in Redis with `redisUrl`, threads in Postgres with
 * `databaseUrl`, this process without. Either one that cannot be used fails the start, naming its
 * URL, and leaves nothing open.
 */
export async function createScaleOut(options: ScaleOutOptions = {}): Promise<ScaleOut> {
  const conversations = await openConversations(options);
  const threads = await openThreadState(options.databaseUrl, options.connectTimeoutMs).catch(async (error: unknown) => {
    await conversations.close();
    throw error;
  });
  return {
    ...conversations,
    threads,
    async close() {
      await conversations.close();
      await threads.close();
    },
  };
}

/** Conversations: Redis with `redisUrl`, this process without. */
async function openConversations(options: ScaleOutOptions): Promise<ScaleOut> {
  const { graceMs, producerTimeoutMs, waitMs = 10_000 } = options;
  if (!options.redisUrl) {
    const histories = new Map<string, InMemoryChatMessageHistory>();
    const max = options.maxConversations ?? 1000;
    const log = new InMemoryReplyLog({ graceMs });
    const lock = new InMemoryConversationLock({ waitMs });
    const history = (conversationId: string): BaseListChatMessageHistory => {
      let found = histories.get(conversationId);
      if (!found) {
        histories.set(conversationId, (found = new InMemoryChatMessageHistory()));
        if (histories.size > max) histories.delete(histories.keys().next().value as string);
      }
      return found;
    };
    return { kind: 'memory', log, lock, history, stores: { history, replyLog: log, lock }, close: () => log.close() };
  }
  // One line per outage on stderr, never one per reconnect attempt.
  const client = await connectRedis(options.redisUrl, {
    connectTimeoutMs: options.connectTimeoutMs,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const heartbeatMs = producerTimeoutMs === undefined ? undefined : Math.max(1, Math.floor(producerTimeoutMs / 5));
  const log = new RedisReplyLog({ client, graceMs, producerTimeoutMs, heartbeatMs });
  // A dead instance frees its conversations as soon as its replies are seen cut.
  const lock = new RedisConversationLock({ client, waitMs, ttlMs: producerTimeoutMs });
  const history = (conversationId: string): BaseListChatMessageHistory =>
    new RedisChatHistory({ sessionId: `rxlc:conversation:{${conversationId}}:history`, sessionTTL: HISTORY_TTL_SECONDS, client });
  return {
    kind: 'redis',
    log,
    lock,
    history,
    stores: { history, replyLog: log, lock },
    async close() {
      await log.close();
      await (client as unknown as { quit(): Promise<unknown> }).quit().catch(() => undefined);
    },
  };
}

/**
 * `REDIS_URL` (Redis for conversations), `DATABASE_URL` (Postgres for the agents' threads), `REPLY_GRACE_MS` (how long finished replies stay
 * resumable) and `REPLY_PRODUCER_TIMEOUT_MS` (how soon a crashed instance's replies are cut).
 */
export function scaleOutFromEnv(env: NodeJS.ProcessEnv): ScaleOutOptions {
  const number = (name: string): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be an integer >= 1 (ms), got "${raw}".`);
    return value;
  };
  return { redisUrl: env.REDIS_URL || undefined, databaseUrl: env.DATABASE_URL || undefined, graceMs: number('REPLY_GRACE_MS'), producerTimeoutMs: number('REPLY_PRODUCER_TIMEOUT_MS') };
}
