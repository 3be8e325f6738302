// The channels of one pub/sub connection, counted here (decision 0405): one SUBSCRIBE or UNSUBSCRIBE
// at a time per channel, subscribed while it has listeners. A fake client answers each command when
// the spec says, so every interleaving is exact; the last block runs the same against redis-server.
import { EventEmitter } from 'node:events';
import { firstValueFrom } from 'rxjs';
import { ChannelHub, type ChannelListener } from '../../../src/node/redis/channelHub';
import type { NodeRedisClient } from '../../../src/node/redis/nodeRedis';
import { RedisReplyLog } from '../../../src/node';
import { describeWithRedis, startRedisServer, type RedisServer } from '../../support/redis';

/** Runs every queued promise callback (the hub's commands go out from them). */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A pub/sub client whose commands wait until `answer()`; it records what it was sent. */
class FakeSubscriber extends EventEmitter {
  readonly sent: string[] = [];
  readonly #waiting: Array<{ resolve(): void; reject(error: Error): void }> = [];
  #handlers = new Map<string, (message: string) => void>();

  subscribe(channel: string, handler: (message: string) => void): Promise<void> {
    this.sent.push(`SUBSCRIBE ${channel}`);
    return this.#wait().then(() => void this.#handlers.set(channel, handler));
  }

  unsubscribe(channel: string): Promise<void> {
    this.sent.push(`UNSUBSCRIBE ${channel}`);
    return this.#wait().then(() => void this.#handlers.delete(channel));
  }

  publish(channel: string, message: string): void {
    this.#handlers.get(channel)?.(message);
  }

  /** Answers the oldest command (or fails it). */
  async answer(error?: Error): Promise<void> {
    await flush();
    const next = this.#waiting.shift();
    if (!next) throw new Error('no command is waiting');
    if (error) next.reject(error);
    else next.resolve();
    await flush(); // let the hub send what comes next
  }

  get pending(): number {
    return this.#waiting.length;
  }

  #wait(): Promise<void> {
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }
}

function recorder(): ChannelListener & { heard: string[]; rechecks: number } {
  const listener = {
    heard: [] as string[],
    rechecks: 0,
    message: (message: string) => void listener.heard.push(message),
    resubscribed: () => void listener.rechecks++,
  };
  return listener;
}

describe('ChannelHub', () => {
  let fake: FakeSubscriber;
  let hub: ChannelHub;
  beforeEach(() => {
    fake = new FakeSubscriber();
    hub = new ChannelHub(fake as unknown as NodeRedisClient);
  });

  it('sends one SUBSCRIBE for listeners that come while it is unanswered, and tells both once it is answered', async () => {
    const a = recorder();
    const b = recorder();
    const first = hub.listen('stop', a);
    const second = hub.listen('stop', b);
    await flush();
    expect(fake.sent).toEqual(['SUBSCRIBE stop']);
    await fake.answer();
    await Promise.all([first.ready, second.ready]);
    fake.publish('stop', '1');
    expect([a.heard, b.heard]).toEqual([['1'], ['1']]);
    expect(fake.sent).toEqual(['SUBSCRIBE stop']);
  });

  it('the first listener leaving while a second one waits keeps the channel subscribed (node-redis 4 sent SUBSCRIBE, SUBSCRIBE, UNSUBSCRIBE here)', async () => {
    const a = recorder();
    const b = recorder();
    const first = hub.listen('stop', a);
    const second = hub.listen('stop', b);
    await fake.answer();
    await first.ready;
    first.leave();
    await second.ready;
    await flush();
    expect(fake.pending).toBe(0);
    fake.publish('stop', '1');
    expect([a.heard, b.heard]).toEqual([[], ['1']]);
    expect(fake.sent).toEqual(['SUBSCRIBE stop']);
  });

  it('a listener that comes while the UNSUBSCRIBE is unanswered subscribes again once it is answered, not before', async () => {
    const a = recorder();
    const first = hub.listen('stop', a);
    await fake.answer();
    await first.ready;
    first.leave();
    await flush();
    expect(fake.sent).toEqual(['SUBSCRIBE stop', 'UNSUBSCRIBE stop']);
    const b = recorder();
    const second = hub.listen('stop', b);
    await flush();
    expect(fake.sent).toEqual(['SUBSCRIBE stop', 'UNSUBSCRIBE stop']);
    await fake.answer();
    expect(fake.sent).toEqual(['SUBSCRIBE stop', 'UNSUBSCRIBE stop', 'SUBSCRIBE stop']);
    await fake.answer();
    await second.ready;
    fake.publish('stop', '1');
    expect(b.heard).toEqual(['1']);
  });

  it('keeps nothing once every listener left, and leave() twice is one leave', async () => {
    const a = recorder();
    const b = recorder();
    const first = hub.listen('x', a);
    const second = hub.listen('y', b);
    await fake.answer();
    await fake.answer();
    first.leave();
    first.leave();
    second.leave();
    await fake.answer();
    await fake.answer();
    expect(fake.pending).toBe(0);
    expect(hub.size).toBe(0);
    expect(fake.sent).toEqual(['SUBSCRIBE x', 'SUBSCRIBE y', 'UNSUBSCRIBE x', 'UNSUBSCRIBE y']);
  });

  it('a failed SUBSCRIBE rejects ready and does not stop the next listener from subscribing', async () => {
    const first = hub.listen('stop', recorder());
    const refused = new Error('connection lost');
    await fake.answer(refused);
    await expect(first.ready).rejects.toBe(refused);
    first.leave();
    const b = recorder();
    const second = hub.listen('stop', b);
    await fake.answer();
    await second.ready;
    fake.publish('stop', '1');
    expect(b.heard).toEqual(['1']);
    expect(fake.sent).toEqual(['SUBSCRIBE stop', 'SUBSCRIBE stop']);
  });

  it('tells every listener when the connection is ready again (messages of the outage are lost)', async () => {
    const a = recorder();
    const b = recorder();
    hub.listen('x', a);
    const gone = hub.listen('y', b);
    await fake.answer();
    await fake.answer();
    fake.emit('ready');
    gone.leave();
    fake.emit('ready');
    expect([a.rechecks, b.rechecks]).toEqual([2, 1]);
  });
});

describeWithRedis('RedisReplyLog.stops over redis-server', () => {
  let redis: RedisServer;
  let log: RedisReplyLog;
  beforeAll(async () => {
    redis = await startRedisServer();
    log = new RedisReplyLog({ client: await redis.client() });
  });
  afterAll(async () => {
    await log.close();
    await redis.stop();
  });

  const subscribers = async (replyId: string): Promise<number> => {
    const client = await redis.client();
    const [, count] = (await client.sendCommand(['PUBSUB', 'NUMSUB', `rxlc:reply:{${replyId}}:stop`])) as [string, number];
    return count;
  };

  const settled = async (replyId: string, count: number): Promise<void> => {
    // The SUBSCRIBE / UNSUBSCRIBE is answered when Redis counts it: wait for that (no clock).
    while ((await subscribers(replyId)) !== count) await new Promise((resolve) => setImmediate(resolve));
  };

  it('a reader that listens while another leaves still hears the stop, and the connection unsubscribes once both left', async () => {
    const leaving = log.stops('r-1').subscribe();
    await settled('r-1', 1);
    const staying = firstValueFrom(log.stops('r-1'), { defaultValue: 'completed without a stop' });
    leaving.unsubscribe();
    await log.stop('r-1');
    await expect(staying).resolves.toBeUndefined();
    await settled('r-1', 0);
  });

  it('a stop sent before anyone listened is heard from its flag', async () => {
    await log.stop('r-2');
    await expect(firstValueFrom(log.stops('r-2'))).resolves.toBeUndefined();
    await settled('r-2', 0);
  });
});
