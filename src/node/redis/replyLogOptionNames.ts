import { assertKnownOptions, optionNames } from '../../internal/knownOptions';
import type { RedisReplyLogOptions } from './RedisReplyLog';

/** Every option of `RedisReplyLog` (a misspelt one is refused, not ignored: decision 0401). */
const OPTION_NAMES = optionNames<RedisReplyLogOptions>({
  client: true, prefix: true, heartbeatMs: true, producerTimeoutMs: true, tailConnections: true, writers: true,
  commandTimeoutMs: true, flushMs: true, scheduler: true, graceMs: true, maxEvents: true,
});

/** Refuses an option `RedisReplyLog` does not know, with the closest name (`UnknownOptionError`). */
export function assertRedisReplyLogOptionNames(options: RedisReplyLogOptions): void {
  assertKnownOptions('RedisReplyLog', options, OPTION_NAMES);
}
