/**
 * A real redis-server for specs: started on 127.0.0.1 on a free port with no
 * persistence (no RDB, no AOF, its dir a fresh temp dir), stopped and removed
 * after. Without redis-server on the PATH, `describeWithRedis` skips its specs
 * and prints one line saying why and how to get it.
 */
import type { NodeRedisClient as RedisClient } from '../../src/node/redis/nodeRedis';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';

/** Absolute path of redis-server, or null when it is not on the PATH. */
export const redisServerPath: string | null = (() => {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const path = found.status === 0 ? found.stdout.trim() : '';
  return path === '' ? null : path;
})();

export const REDIS_SKIP_MESSAGE =
  'Redis specs skipped: redis-server is not on the PATH (install it: apt-get install redis-server, or brew install redis; .ci/run does this).';

/**
 * `describe` when redis-server is installed; otherwise `describe.skip` and one
 * line on stderr, so a machine without Redis is told, never silently passed.
 */
export function describeWithRedis(name: string, body: () => void): void {
  if (redisServerPath) return describe(name, body);
  // One line per test run, not per file: jest's workers share a parent, which names the marker.
  try {
    writeFileSync(join(tmpdir(), `rxlc-redis-skipped-${process.ppid}`), '', { flag: 'wx' });
    process.stderr.write(`${REDIS_SKIP_MESSAGE}\n`);
  } catch {
    // another spec file of this run said it already
  }
  describe.skip(`${name} (skipped: redis-server not installed)`, body);
}

/** A running redis-server of one spec file. */
export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** A connected client; closed by `stop()`. */
  client(): Promise<RedisClient>;
  /** Deletes every key (between specs). */
  flush(): Promise<void>;
  /** Stops the server and waits for it to exit; the clients stay (they see the connection lost). */
  kill(): Promise<void>;
  /**
   * Freezes redis-server (SIGSTOP) until `resume()` (SIGCONT): a stall that lasts exactly as long as
   * the spec wants, whatever the machine's load (a `DEBUG SLEEP n` may start after the command it
   * should delay, and ends on its own clock). Connections stay open; commands wait in them. Its
   * clock runs on: keys whose TTL passes meanwhile are gone when it wakes.
   */
  stall(): Promise<{ resume(): void }>;
  /** Closes the clients, stops the server, removes its temp dir. */
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * redis-server under a tiny shell that kills it when our end of its stdin closes: when this process
 * ends, even killed, the server goes too (no orphan on a crashed spec or bench).
 */
const GUARD = 'exec 3<&0; "$0" "$@" <&- & pid=$!; (read _ <&3; kill $pid) & wait $pid';

function launch(port: number, dir: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'sh',
      ['-c', GUARD, redisServerPath!,
        '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--loglevel', 'notice', '--logfile', '',
        '--enable-debug-command', 'local'], // DEBUG SLEEP: the stall specs
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let output = '';
    const onData = (part: Buffer): void => {
      output += part.toString();
      if (output.includes('Ready to accept connections')) {
        child.stdout!.off('data', onData);
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (part: Buffer) => (output += part.toString()));
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code} before it was ready:\n${output}`)));
  });
}

/** Starts redis-server on a free port (retrying if another process takes the port first). */
export async function startRedisServer(): Promise<RedisServer> {
  if (!redisServerPath) throw new Error(REDIS_SKIP_MESSAGE);
  const dir = mkdtempSync(join(tmpdir(), 'rxlc-redis-'));
  let child: ChildProcess | undefined;
  let port = 0;
  for (let attempt = 0; !child; attempt++) {
    port = await freePort();
    try {
      child = await launch(port, dir);
    } catch (error) {
      if (attempt >= 4) throw error;
    }
  }
  const running = child;
  running.stdout!.resume();
  running.stderr!.resume();
  const url = `redis://127.0.0.1:${port}`;
  const clients: RedisClient[] = [];
  let admin: RedisClient | undefined;
  const connect = async (): Promise<RedisClient> => {
    const client = createClient({ url }) as unknown as RedisClient;
    client.on('error', () => undefined); // a spec that kills the server sees the failed command instead
    await client.connect();
    clients.push(client);
    return client;
  };
  let stalledPid: number | undefined;
  const resume = (): void => {
    if (stalledPid !== undefined) process.kill(stalledPid, 'SIGCONT');
    stalledPid = undefined;
  };
  const kill = async (): Promise<void> => {
    resume(); // a stopped process would hold SIGTERM until continued
    if (running.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.stdin!.end(); // the guard sends SIGTERM to redis-server and exits with it
    await exited;
  };
  return {
    port,
    url,
    client: connect,
    async flush() {
      admin ??= await connect();
      await admin.flushAll();
    },
    kill,
    async stall() {
      admin ??= await connect();
      const pid = Number(/process_id:(\d+)/.exec(await admin.info('server'))?.[1]);
      if (!Number.isInteger(pid) || pid <= 0) throw new Error('redis-server did not tell its process_id');
      process.kill(pid, 'SIGSTOP');
      stalledPid = pid;
      return { resume };
    },
    async stop() {
      resume();
      await Promise.all(clients.map((client) => (client.isOpen ? client.disconnect().catch(() => undefined) : undefined)));
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * What the heartbeat TTL of an instance killed mid-reply does in time, done now: removes the
 * heartbeat key of the instance producing `replyId` (key names as RedisReplyLog writes them), so
 * readers see that producer gone at their next two checks. Specs kill producers this way instead of
 * racing a short `producerTimeoutMs` against a loaded machine; the killed log should run on a
 * virtual scheduler nobody advances, so no heartbeat of it can land after this.
 */
export async function expireHeartbeatOf(client: RedisClient, replyId: string, prefix = 'rxlc:'): Promise<void> {
  const owner = await client.get(`${prefix}reply:{${replyId}}:producer`);
  if (owner === null) throw new Error(`reply ${replyId} has no producer key: it ended or never started`);
  await client.del(`${prefix}instance:${owner}:alive`);
}
