/**
 * A private Postgres cluster for specs (and the bench), the way specs/support/redis.ts starts
 * redis-server: `initdb` into a fresh temp folder (as the `postgres` user when we run as root:
 * Postgres refuses to run as root), `postgres` on 127.0.0.1 on a free port (Postgres cannot take
 * port 0: we bind a socket to find one, and retry if another process takes it first), its unix
 * socket in the temp folder, no durability (fsync off: the cluster dies with the spec). `stop()`
 * ends the pools it handed out, shuts the server down fast and removes the folder. Without the
 * Postgres binaries, `describeWithPostgres` skips its specs and prints one line saying why.
 *
 * @example
 * ```ts
 * describeWithPostgres('my store', () => {
 *   let pg: PostgresServer;
 *   beforeAll(async () => (pg = await startPostgresServer()));
 *   afterAll(() => pg.stop());
 *   it('…', async () => {
 *     const url = await pg.createDatabase(); // a fresh database per test, if you like
 *   });
 * });
 * ```
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { freePort } from './redis';

/** The folder of `initdb` and `postgres`: `$POSTGRES_BIN_DIR`, Debian's newest /usr/lib/postgresql/N/bin, or the PATH; null when none has them. */
export const postgresBinDir: string | null = (() => {
  const candidates = [process.env.POSTGRES_BIN_DIR ?? ''];
  try {
    const versions = readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v)).sort((x, y) => Number(y) - Number(x));
    candidates.push(...versions.map((v) => `/usr/lib/postgresql/${v}/bin`));
  } catch {
    // not Debian's layout
  }
  const onPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  if (onPath.status === 0) candidates.push(onPath.stdout.trim().replace(/\/initdb$/, ''));
  return candidates.find((dir) => dir !== '' && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'))) ?? null;
})();

/** Who runs the cluster: ourselves, or (as root) the `postgres` user; null when root has no such user. */
const runAs: { uid: number; gid: number } | undefined | null = (() => {
  if (process.getuid?.() !== 0) return undefined;
  const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  return id.status === 0 && gid.status === 0 ? { uid: Number(id.stdout), gid: Number(gid.stdout) } : null;
})();

/** Why Postgres specs cannot run here, or null when they can. */
export const POSTGRES_SKIP_MESSAGE: string | null = !postgresBinDir
  ? 'Postgres specs skipped: initdb/postgres not found (install it: apt-get install postgresql, or set POSTGRES_BIN_DIR).'
  : runAs === null
    ? 'Postgres specs skipped: running as root and there is no `postgres` user to run the cluster as (apt-get install postgresql creates it).'
    : null;

/**
 * `describe` when a private cluster can be started; otherwise `describe.skip` and one line on
 * stderr (once per test run), so a machine without Postgres is told, never silently passed.
 */
export function describeWithPostgres(name: string, body: () => void): void {
  if (!POSTGRES_SKIP_MESSAGE) return describe(name, body);
  try {
    writeFileSync(join(tmpdir(), `rxlc-postgres-skipped-${process.ppid}`), '', { flag: 'wx' });
    process.stderr.write(`${POSTGRES_SKIP_MESSAGE}\n`);
  } catch {
    // another spec file of this run said it already
  }
  describe.skip(`${name} (skipped: ${POSTGRES_SKIP_MESSAGE})`, body);
}

/** A running private Postgres cluster. */
export interface PostgresServer {
  readonly port: number;
  /** `postgresql://postgres@127.0.0.1:<port>/postgres` (trust authentication: the cluster is private to this process). */
  readonly url: string;
  /** The folder of its unix socket (`host=<dir>` in libpq terms). */
  readonly socketDir: string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** A pg `Pool` on `url` (or the URL given); ended by `stop()`. */
  pool(url?: string): Pool;
  /** Shuts the server down (fast: open sessions are cut) and waits for it to exit. */
  kill(): Promise<void>;
  /** Ends the pools, shuts the server down, removes its folder. */
  stop(): Promise<void>;
}

/**
 * `postgres` under a tiny shell that shuts it down (SIGINT: fast shutdown) when our end of its
 * stdin closes: when this process ends, even killed, the cluster goes too.
 */
const GUARD = 'exec 3<&0; "$0" "$@" <&- & pid=$!; (read _ <&3; kill -INT $pid) & wait $pid';

function initdb(dataDir: string): void {
  const result = spawnSync(join(postgresBinDir!, 'initdb'), ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C'], {
    encoding: 'utf8',
    ...(runAs ?? {}),
  });
  if (result.status !== 0) throw new Error(`initdb failed (${result.status ?? result.error?.message}):\n${result.stderr}${result.stdout}`);
}

function launch(port: number, dir: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const settings = { listen_addresses: '127.0.0.1', port: String(port), unix_socket_directories: dir, fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '200', logging_collector: 'off' };
    const args = Object.entries(settings).flatMap(([key, value]) => ['-c', `${key}=${value}`]);
    const child = spawn('sh', ['-c', GUARD, join(postgresBinDir!, 'postgres'), '-D', join(dir, 'data'), ...args], { stdio: ['pipe', 'pipe', 'pipe'], ...(runAs ?? {}) });
    let output = '';
    const onData = (part: Buffer): void => {
      output += part.toString();
      if (!output.includes('database system is ready to accept connections')) return;
      child.stderr!.off('data', onData);
      resolve(child);
    };
    child.stderr!.on('data', onData);
    child.stdout!.on('data', (part: Buffer) => (output += part.toString()));
    child.once('exit', (code) => reject(new Error(`postgres exited with ${code} before it was ready:\n${output}`)));
  });
}

/** Starts a private cluster on a free port (retrying if another process takes the port first). */
export async function startPostgresServer(): Promise<PostgresServer> {
  if (POSTGRES_SKIP_MESSAGE) throw new Error(POSTGRES_SKIP_MESSAGE);
  const dir = mkdtempSync(join(tmpdir(), 'rxlc-pg-'));
  if (runAs) chownSync(dir, runAs.uid, runAs.gid);
  let child: ChildProcess | undefined;
  let port = 0;
  try {
    initdb(join(dir, 'data'));
    for (let attempt = 0; !child; attempt++) {
      port = await freePort();
      child = await launch(port, dir).catch((error: unknown) => {
        if (attempt >= 4) throw error;
        return undefined;
      });
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return running(child, port, dir);
}

function running(child: ChildProcess, port: number, dir: string): PostgresServer {
  child.stdout!.resume();
  child.stderr!.resume();
  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  const pools: Pool[] = [];
  let databases = 0;
  const pool = (on = url): Pool => {
    const created = new Pool({ connectionString: on, max: 4 });
    created.on('error', () => undefined); // a spec that kills the server sees the failed query instead
    pools.push(created);
    return created;
  };
  const kill = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.stdin!.end(); // the guard sends SIGINT (fast shutdown) and exits with postgres
    await exited;
  };
  let admin: Pool | undefined;
  return {
    port,
    url,
    socketDir: dir,
    pool,
    async createDatabase(name = `spec_${process.pid}_${++databases}`) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new TypeError(`createDatabase: ${JSON.stringify(name)} is not a plain lower-case identifier.`);
      admin ??= pool();
      await admin.query(`CREATE DATABASE ${name}`);
      return url.replace(/\/postgres$/, `/${name}`);
    },
    kill,
    async stop() {
      await Promise.all(pools.splice(0).map((p) => p.end().catch(() => undefined)));
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
