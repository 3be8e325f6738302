// connectPostgresCheckpointer against a private Postgres cluster (specs/support/postgres.ts):
// fail fast with a clear error, tables created once by instances that start together, and thread
// state that one instance writes and another reads.
import { emptyCheckpoint } from '@langchain/langgraph-checkpoint';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { connectPostgresCheckpointer, PostgresUnreachableError } from '../../../src/node';
import { describeWithPostgres, startPostgresServer, type PostgresServer } from '../../support/postgres';
import { freePort } from '../../support/redis';
import { useCleanup } from '../../support/cleanup';
import { startServices } from '../../support/services';

const cleanup = useCleanup();

const errorOf = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => undefined, (e: unknown) => e);

it('refuses what is not a Postgres URL, without echoing a password', async () => {
  await expect(connectPostgresCheckpointer('mysql://app:hunter2@db/app')).rejects.toThrow(
    'connectPostgresCheckpointer: url must be a postgresql:// or postgres:// URL, got "mysql://app:***@db/app".',
  );
  await expect(connectPostgresCheckpointer(42 as never)).rejects.toThrow(TypeError);
  await expect(connectPostgresCheckpointer('postgresql://127.0.0.1/app', { acquireTimeoutMs: 0 })).rejects.toThrow('acquireTimeoutMs');
});

it('rejects with PostgresUnreachableError naming the URL, password redacted, when nothing listens there', async () => {
  const port = await freePort(); // nothing listens there
  const error = await errorOf(connectPostgresCheckpointer(`postgresql://app:hunter2@127.0.0.1:${port}/app`, { connectTimeoutMs: 2000 }));
  expect(error).toBeInstanceOf(PostgresUnreachableError);
  const { message, url, code } = error as PostgresUnreachableError;
  expect(code).toBe('POSTGRES_UNREACHABLE');
  expect(url).toBe(`postgresql://app:***@127.0.0.1:${port}/app`);
  expect(message).toContain(`Cannot use Postgres at postgresql://app:***@127.0.0.1:${port}/app within 2000 ms (connect ECONNREFUSED`);
  expect(message).toContain('DATABASE_URL');
  expect(message).not.toContain('hunter2');
});

describeWithPostgres('connectPostgresCheckpointer on a private cluster', () => {
  let pg: PostgresServer;
  beforeAll(async () => {
    pg = await startPostgresServer();
  });
  afterAll(async () => {
    await pg.stop();
  });

  it('rejects with PostgresUnreachableError when the database does not exist', async () => {
    const error = await errorOf(connectPostgresCheckpointer(pg.url.replace(/\/postgres$/, '/no_such_db')));
    expect(error).toBeInstanceOf(PostgresUnreachableError);
    expect((error as Error).message).toContain('database "no_such_db" does not exist');
  });

  it('two instances that start together on a fresh database both set it up, and share thread state', async () => {
    const url = await pg.createDatabase();
    const [a, b] = await startServices(cleanup, () => connectPostgresCheckpointer(url, { PostgresSaver }), () => connectPostgresCheckpointer(url, { PostgresSaver }));
    expect(a).toBeInstanceOf(PostgresSaver);
    const config = { configurable: { thread_id: 'thread-1', checkpoint_ns: '' } };
    const checkpoint = { ...emptyCheckpoint(), id: 'checkpoint-1' };
    await a.put(config, checkpoint, { source: 'input', step: -1, parents: {} }, {});
    const read = await b.getTuple(config);
    expect(read?.checkpoint.id).toBe('checkpoint-1');
    expect(read?.metadata).toMatchObject({ source: 'input', step: -1 });
    const migrations = await pg.pool(url).query('SELECT count(*)::int AS n, count(DISTINCT v)::int AS distinct_n FROM checkpoint_migrations');
    expect(migrations.rows[0].n).toBe(migrations.rows[0].distinct_n);
  });

  it('logs one line when Postgres goes away, instead of crashing on the idle connections', async () => {
    const own = await startPostgresServer();
    const lines: string[] = [];
    const saver = await connectPostgresCheckpointer(own.url, { PostgresSaver, log: (line) => lines.push(line) });
    cleanup(() => own.stop());
    cleanup(() => saver.end());
    await saver.getTuple({ configurable: { thread_id: 'idle', checkpoint_ns: '' } }); // leaves an idle connection
    await own.kill();
    await new Promise<void>((resolve) => {
      const check = (): void => void (lines.length > 0 ? resolve() : setImmediate(check));
      check();
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^Postgres at postgresql://postgres@127.0.0.1:${own.port}/postgres: connection lost`));
  });

  it('after start, a read waits for a busy pool past the start deadline (acquireTimeoutMs), and runs when a connection frees', async () => {
    const url = await pg.createDatabase();
    const saver = await connectPostgresCheckpointer(url, { PostgresSaver, connectTimeoutMs: 200, maxConnections: 1 });
    cleanup(() => saver.end());
    const held = await (saver as unknown as { pool: { connect(): Promise<{ release(): void }> } }).pool.connect();
    let outcome = 'pending';
    const read = saver.getTuple({ configurable: { thread_id: 'burst', checkpoint_ns: '' } }).then(
      () => (outcome = 'read'),
      (error: Error) => (outcome = error.message),
    );
    // The start deadline's timer (200 ms) would fire before this one: a lower bound, not a race.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(outcome).toBe('pending');
    held.release();
    await read;
    expect(outcome).toBe('read');
  });
});
