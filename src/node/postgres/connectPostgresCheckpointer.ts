import { createRequire } from 'node:module';
import { assertObject, assertPositiveInteger, describe } from '../../internal/validate';
import { redactUrl } from '../redis/deadline';
import { PostgresUnreachableError } from './errors';

/** What {@link connectPostgresCheckpointer} returns, at least: a LangGraph checkpointer on a pool of its own. */
export interface PostgresCheckpointer {
  /** Creates the checkpoint tables and runs the package's migrations (already done once by `connectPostgresCheckpointer`). */
  setup(): Promise<void>;
  /** Closes the saver's connection pool. */
  end(): Promise<void>;
}

/** `PostgresSaver` of `@langchain/langgraph-checkpoint-postgres`, structurally: `new PostgresSaver(pool, serde?, { schema })`. */
export type PostgresSaverClass<Saver extends PostgresCheckpointer> = new (pool: never, serde?: undefined, options?: { schema?: string }) => Saver;

/** Options of {@link connectPostgresCheckpointer}. */
export interface ConnectPostgresCheckpointerOptions<Saver extends PostgresCheckpointer = PostgresCheckpointer> {
  /** At start, give up connecting (and waiting for another instance's table setup) after this long, ms. Default 5000. */
  connectTimeoutMs?: number;
  /**
   * After start, how long a checkpoint read or write waits for a connection (a free one of the
   * pool, or a new one), ms. Default 30000. node-postgres has one deadline for both: at the start
   * deadline's 5 s, a burst of runs on a busy machine failed most of its runs waiting for a free
   * connection (38 of 60 in the agent protocol bench, Postgres healthy).
   */
  acquireTimeoutMs?: number;
  /** Postgres schema of the checkpoint tables. Default `public`. */
  schema?: string;
  /** Connections of the pool. Default 10. */
  maxConnections?: number;
  /** One line when an idle connection is lost (once per outage). Default `console.warn`; `() => {}` for silence. */
  log?: (line: string) => void;
  /** Your `import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres'`, so the result has its type. Default: loaded for you. */
  PostgresSaver?: PostgresSaverClass<Saver>;
  /** More node-postgres `Pool` options (ssl, idleTimeoutMillis…); the URL, the deadline and `max` are ours. */
  poolOptions?: Record<string, unknown>;
}

interface PgPool {
  connect(): Promise<{ query(sql: string, values?: unknown[]): Promise<unknown>; release(error?: unknown): void }>;
  end(): Promise<void>;
  on(event: 'error' | 'connect', listener: (error?: unknown) => void): unknown;
}

/** A fixed advisory-lock key of the setup: instances that start together create the tables one at a time. */
const SETUP_LOCK = 0x72786c63; // "rxlc"

/**
 * Connects LangGraph's Postgres checkpointer (`PostgresSaver` of
 * `@langchain/langgraph-checkpoint-postgres`), the thread state instances share, and fails fast:
 * a Postgres that cannot be reached or refuses us (wrong URL, password or database) rejects at
 * start-up with `PostgresUnreachableError` naming the URL (password redacted), instead of failing
 * the first run. Creates the tables once (`setup()`), under an advisory lock so that instances
 * starting together do not race on the migrations. Its pool logs one line per lost connection
 * instead of crashing the process on an idle client's error. `end()` closes it.
 *
 * @example
 * ```ts
 * import { createAgentProtocolHandler } from 'rxjs-langchain';
 * import { connectPostgresCheckpointer, PostgresUnreachableError } from 'rxjs-langchain/node';
 * import { ScriptedChatModel } from 'rxjs-langchain/offline';
 * import { createAgent } from 'langchain';
 *
 * try {
 *   const checkpointer = await connectPostgresCheckpointer(process.env.DATABASE_URL ?? 'postgresql://127.0.0.1:5432/app');
 *   const handler = createAgentProtocolHandler({ graphs: { agent: createAgent({ model: new ScriptedChatModel(), tools: [] }) }, checkpointer });
 * } catch (e) {
 *   if (e instanceof PostgresUnreachableError) process.exit((console.error(e.message), 1));
 *   throw e;
 * }
 * ```
 *
 * @see {@link PostgresUnreachableError}, {@link createAgentProtocolHandler}
 *
 * @param url `postgresql://[user[:password]@]host[:port]/database[?…]` (or `postgres://`).
 * @param options `connectTimeoutMs`, `acquireTimeoutMs`, `schema`, `maxConnections`, `log`, `PostgresSaver`, `poolOptions`.
 * @returns The connected checkpointer with its tables in place; yours to `end()`.
 */
export async function connectPostgresCheckpointer<Saver extends PostgresCheckpointer = PostgresCheckpointer>(
  url: string,
  options: ConnectPostgresCheckpointerOptions<Saver> = {},
): Promise<Saver> {
  if (typeof url !== 'string' || !/^postgres(ql)?:\/\//.test(url)) {
    throw new TypeError(`connectPostgresCheckpointer: url must be a postgresql:// or postgres:// URL, got ${typeof url === 'string' ? JSON.stringify(redactUrl(url)) : describe(url)}.`);
  }
  assertObject('connectPostgresCheckpointer: options', options);
  assertPositiveInteger('connectPostgresCheckpointer: options.connectTimeoutMs', options.connectTimeoutMs);
  assertPositiveInteger('connectPostgresCheckpointer: options.maxConnections', options.maxConnections);
  assertPositiveInteger('connectPostgresCheckpointer: options.acquireTimeoutMs', options.acquireTimeoutMs);
  const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
  const shown = redactUrl(url);
  const packages = loadPackages(options.PostgresSaver);
  const schema = options.schema ?? 'public';
  // The setup runs on a pool of its own with the start deadline (two connections: the advisory
  // lock's and setup()'s); the checkpointer's pool waits acquireTimeoutMs for a connection.
  const setupPool = new packages.Pool({ ...options.poolOptions, connectionString: url, connectionTimeoutMillis: connectTimeoutMs, max: 2 });
  try {
    await setupOnce(setupPool, new packages.PostgresSaver(setupPool as never, undefined, { schema }), connectTimeoutMs);
  } catch (error) {
    throw new PostgresUnreachableError(shown, connectTimeoutMs, error);
  } finally {
    await setupPool.end().catch(() => undefined);
  }
  const pool = new packages.Pool({ ...options.poolOptions, connectionString: url, connectionTimeoutMillis: options.acquireTimeoutMs ?? 30_000, max: options.maxConnections ?? 10 });
  logOutages(pool, shown, options.log ?? ((line: string) => console.warn(line)));
  return new packages.PostgresSaver(pool as never, undefined, { schema });
}

/** Runs `saver.setup()` while holding the setup advisory lock (waiting for it at most `ms`). */
async function setupOnce(pool: PgPool, saver: PostgresCheckpointer, ms: number): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query(`SET lock_timeout = ${ms}`);
    await client.query('SELECT pg_advisory_lock($1)', [SETUP_LOCK]);
    try {
      await saver.setup();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [SETUP_LOCK]);
      await client.query('RESET lock_timeout'); // the session goes back to the pool for checkpoint writes
    }
    client.release();
  } catch (error) {
    client.release(error); // a broken session is not given back to the pool
    throw error;
  }
}

/** Without an `error` listener, an idle client's error (Postgres restarted) would crash the process. */
function logOutages(pool: PgPool, shown: string, log: (line: string) => void): void {
  let down = false;
  pool.on('error', (error) => {
    if (down) return;
    down = true;
    log(`Postgres at ${shown}: connection lost (${error instanceof Error ? error.message : String(error)}); the next query reconnects.`);
  });
  pool.on('connect', () => {
    if (down) log(`Postgres at ${shown}: connected again.`);
    down = false;
  });
}

/**
 * The optional peer `@langchain/langgraph-checkpoint-postgres` and its own `pg` (resolved from
 * that package, so the pool is the one it was built with), or how to install them.
 */
function loadPackages<Saver extends PostgresCheckpointer>(given: PostgresSaverClass<Saver> | undefined): {
  PostgresSaver: PostgresSaverClass<Saver>;
  Pool: new (config: Record<string, unknown>) => PgPool;
} {
  try {
    const entry = require.resolve('@langchain/langgraph-checkpoint-postgres');
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: the rest of rxjs-langchain/node works without Postgres
    const PostgresSaver = given ?? (require('@langchain/langgraph-checkpoint-postgres') as { PostgresSaver: PostgresSaverClass<Saver> }).PostgresSaver;
    return { PostgresSaver, Pool: (createRequire(entry)('pg') as { Pool: new (config: Record<string, unknown>) => PgPool }).Pool };
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code !== 'MODULE_NOT_FOUND') throw error;
    throw new Error('connectPostgresCheckpointer needs the optional peer dependency "@langchain/langgraph-checkpoint-postgres" (^1.0.5): run `npm install @langchain/langgraph-checkpoint-postgres`.', { cause: error });
  }
}
