/**
 * Where the web demo's agents keep their threads (LangGraph checkpoints): in this process by
 * default (each agent its own `MemorySaver`), in Postgres with `DATABASE_URL` (LangGraph's
 * `PostgresSaver` through the library's `connectPostgresCheckpointer`), so that instances behind
 * one Redis also share what their agents are waiting for (decision 0290).
 *
 * Two savers, one per schema: the chat handler's agent (`npm run web -- --agent`, the chat id is the
 * thread, and clients choose chat ids) in `chat_threads`; the 智能体协议 mode's threads in `public`,
 * where `npm run agent-server` keeps them too. A chat id can then never name a protocol thread.
 */
import { connectPostgresCheckpointer, type PostgresCheckpointer } from '../../src/node';

/** The schema of the chat handler's agent threads. */
export const CHAT_THREADS_SCHEMA = 'chat_threads';

/** The demo's checkpointers: none in memory mode (each agent makes its own `MemorySaver`). */
export interface ThreadState {
  readonly kind: 'memory' | 'postgres';
  /** The chat handler's agent (`--agent`). */
  readonly chat?: PostgresCheckpointer;
  /** The agent protocol mount (`/api/agent`). */
  readonly agentProtocol?: PostgresCheckpointer;
  /** Ends both pools. */
  close(): Promise<void>;
}

/**
 * Connects both savers to `databaseUrl`, or none without one. A Postgres that cannot be used fails
 * the start with one `PostgresUnreachableError` naming the URL (password redacted) and DATABASE_URL.
 *
 * @example
 * ```ts
 * const threads = await openThreadState(process.env.DATABASE_URL);
 * const { agent, Command } = createGuardedAgent(model, threads.chat);
 * // …
 * await threads.close();
 * ```
 * @param databaseUrl `postgresql://…`, or undefined for threads in this process.
 * @param connectTimeoutMs How long the start waits for Postgres. Default 5000, as for Redis.
 * @returns The checkpointers and `close()`.
 */
export async function openThreadState(databaseUrl: string | undefined, connectTimeoutMs = 5000): Promise<ThreadState> {
  if (!databaseUrl) return { kind: 'memory', close: async () => undefined };
  const log = (line: string): void => void process.stderr.write(`${line}\n`); // one line per outage
  // Five connections each: a demo instance runs few threads at once, and two pools share the server's limit.
  const connect = (schema: string) => connectPostgresCheckpointer(databaseUrl, { connectTimeoutMs, log, schema, maxConnections: 5 });
  const agentProtocol = await connect('public');
  const chat = await connect(CHAT_THREADS_SCHEMA).catch(async (error: unknown) => {
    await agentProtocol.end();
    throw error;
  });
  return {
    kind: 'postgres',
    chat,
    agentProtocol,
    async close() {
      await Promise.all([chat.end(), agentProtocol.end()]);
    },
  };
}
