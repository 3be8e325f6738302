import { ignore } from './client';
import type { NodeRedisClient } from './nodeRedis';

/** What a listener of a channel is told. */
export interface ChannelListener {
  /** A message published on the channel. */
  message(message: string): void;
  /**
   * The connection came back after an outage (node-redis subscribed its channels again): messages
   * published meanwhile were lost, so look again at whatever the message would have said.
   */
  resubscribed(): void;
}

/** A channel's listeners, and what the server was last told about it. */
interface Channel {
  readonly listeners: Set<ChannelListener>;
  /** The connection is subscribed to it (the last SUBSCRIBE was answered, no UNSUBSCRIBE since). */
  subscribed: boolean;
  /** The last SUBSCRIBE or UNSUBSCRIBE sent (each waits for the one before). */
  settled: Promise<void>;
  readonly dispatch: (message: string) => void;
}

/**
 * The channels of one node-redis subscriber connection, counted here (decision 0405). node-redis 4
 * sends a SUBSCRIBE for a listener added while the channel has none yet, and an UNSUBSCRIBE when its
 * last known listener leaves, without waiting for each other: a listener added while the first
 * SUBSCRIBE is unanswered, then the first listener leaving, sends SUBSCRIBE, SUBSCRIBE, UNSUBSCRIBE,
 * and Redis unsubscribes the connection while node-redis still holds the second listener, which
 * never hears a message again (a reader of the agent protocol waited forever for the next run).
 * Here each channel has one node-redis listener, subscribed while the channel has listeners of its
 * own, and one SUBSCRIBE or UNSUBSCRIBE at a time.
 *
 * @example
 * const hub = new ChannelHub(subscriberConnection);
 * const { ready, leave } = hub.listen('stop:42', { message: () => stop(), resubscribed: () => checkFlag() });
 * await ready; // subscribed: a message published from now on is heard
 * leave();
 */
export class ChannelHub {
  readonly #channels = new Map<string, Channel>();

  /** @param client A connected node-redis client used only for pub/sub. */
  constructor(readonly client: NodeRedisClient) {
    // Connected already: every later `ready` is a reconnection.
    client.on('ready', () => {
      for (const channel of [...this.#channels.values()]) for (const listener of [...channel.listeners]) listener.resubscribed();
    });
  }

  /**
   * Listens to `name` until `leave()`.
   *
   * @param name The channel.
   * @param listener Told of each message and of each reconnection.
   * @returns `ready`, resolved once the connection is subscribed (rejected if the SUBSCRIBE fails), and `leave`.
   */
  listen(name: string, listener: ChannelListener): { ready: Promise<void>; leave(): void } {
    const channel = this.#channels.get(name) ?? this.#open(name);
    channel.listeners.add(listener);
    const ready = this.#settle(name, channel);
    let left = false;
    const leave = (): void => {
      if (left) return;
      left = true;
      channel.listeners.delete(listener);
      this.#settle(name, channel).catch(ignore);
    };
    return { ready, leave };
  }

  /** Channels with listeners or a subscription (for specs: nothing is kept after everyone left). */
  get size(): number {
    return this.#channels.size;
  }

  #open(name: string): Channel {
    const channel: Channel = {
      listeners: new Set(),
      subscribed: false,
      settled: Promise.resolve(),
      dispatch: (message) => {
        for (const listener of [...channel.listeners]) listener.message(message);
      },
    };
    this.#channels.set(name, channel);
    return channel;
  }

  /** After the commands sent before it: subscribes or unsubscribes so the server matches the listeners. */
  #settle(name: string, channel: Channel): Promise<void> {
    const step = channel.settled.then(async () => {
      const wanted = channel.listeners.size > 0;
      if (wanted && !channel.subscribed) {
        await this.client.subscribe(name, channel.dispatch);
        channel.subscribed = true;
      } else if (!wanted && channel.subscribed) {
        await this.client.unsubscribe(name, channel.dispatch);
        channel.subscribed = false;
      }
      // Nobody left and nothing subscribed: forget it (a later listen starts a new one).
      if (channel.listeners.size === 0 && !channel.subscribed && this.#channels.get(name) === channel) this.#channels.delete(name);
    });
    channel.settled = step.catch(ignore); // one failed command does not stop the next
    return step;
  }
}
