/**
 * connectRedis with credentials Redis refuses: Redis answered, so retrying cannot help. It gives up
 * after one attempt with a message that names the credentials, not "Is redis-server running there?".
 * Before: a wrong password retried every 100 ms until `connectTimeoutMs` (5 s by default; probe22
 * measured 4.95 s and a hint about a server that was running), and no password at all "connected":
 * every command, so every turn, then failed with NOAUTH. No wall-clock bound: the deadline here is 10 minutes,
 * and the spec counts the connections the server received.
 */
import { connectRedis, RedisUnreachableError } from '../../../src/node';
import { describeWithRedis, startRedisServer, type RedisServer } from '../../support/redis';

/** The admin commands this spec sends (a plain node-redis client has them). */
type Admin = { info(section: string): Promise<string>; configSet(name: string, value: string): Promise<unknown> };

const connectionsOf = async (admin: Admin): Promise<number> => Number(/total_connections_received:(\d+)/.exec(await admin.info('stats'))?.[1]);

describeWithRedis('connectRedis: credentials Redis refuses', () => {
  let redis: RedisServer;
  let admin: Admin;
  beforeAll(async () => {
    redis = await startRedisServer();
    admin = (await redis.client()) as unknown as Admin; // connected before the password is set: it stays usable
    await admin.configSet('requirepass', 'right-pw');
  });
  afterAll(() => redis.stop());

  it.each([
    ['a wrong password', (port: number) => `redis://:hunter2@127.0.0.1:${port}`, /WRONGPASS/],
    ['no password', (port: number) => `redis://127.0.0.1:${port}`, /NOAUTH/],
  ])('%s: one attempt, then RedisUnreachableError naming the credentials, the password redacted', async (_name, urlOf, why) => {
    const before = await connectionsOf(admin);
    const lines: string[] = [];
    const error = await connectRedis(urlOf(redis.port), { connectTimeoutMs: 600_000, log: (line) => lines.push(line) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RedisUnreachableError);
    const { message, code } = error as RedisUnreachableError;
    expect(code).toBe('REDIS_UNREACHABLE');
    expect(message).toMatch(why);
    expect(message).toMatch(/^Redis at redis:\/\/(:\*\*\*@)?127\.0\.0\.1:\d+ refused the credentials \(.+\)\. Check the user and password in the URL \(REDIS_URL\)\.$/);
    expect(message).not.toContain('hunter2');
    expect((await connectionsOf(admin)) - before).toBe(1);
    expect(lines).toEqual([]);
  });
});
