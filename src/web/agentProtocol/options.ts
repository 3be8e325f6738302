import { assertKnownOptions, optionNames } from '../../internal/knownOptions';
import { assertFunction, assertNonNegative, assertObject, assertPositiveInteger, assertScheduler, describe } from '../../internal/validate';
import { checkRequestPolicyOptions } from '../requestPolicyOptions';
import type { AgentProtocolHandlerOptions } from './createAgentProtocolHandler';

const N = 'createAgentProtocolHandler';

/** Every option of `createAgentProtocolHandler` (a misspelt one is refused, not ignored: decision 0401). */
const OPTION_NAMES = optionNames<AgentProtocolHandlerOptions>({
  graphs: true, checkpointer: true, replyLog: true, lock: true, authorize: true, owners: true, allowedHosts: true,
  allowedOrigins: true, maxConcurrentRuns: true, maxConcurrentRunsPerPrincipal: true, retryAfterSeconds: true,
  maxBodyBytes: true, maxRunsKept: true, heartbeatMs: true, maxBufferedBytes: true, keyPrefix: true, onError: true,
  now: true, scheduler: true,
});

/**
 * Call-time checks of `createAgentProtocolHandler`'s options (the graphs are checked one by one
 * by `compiledGraph`), with messages that say what to pass: a wrong value fails at construction,
 * not on the first request. The request policy's checks are the chat handler's.
 */
export function checkAgentProtocolOptions(options: AgentProtocolHandlerOptions): void {
  assertObject(`${N}: options`, options, false);
  assertKnownOptions(N, options, OPTION_NAMES);
  assertObject(`${N}: graphs`, options.graphs, false);
  if (Object.keys(options.graphs).length === 0) throw new TypeError(`${N}: graphs must name at least one graph, e.g. { graphs: { agent } }.`);
  const saver = options.checkpointer as { getTuple?: unknown; put?: unknown } | null | undefined;
  if (saver !== undefined && (typeof saver !== 'object' || saver === null || typeof saver.getTuple !== 'function' || typeof saver.put !== 'function')) {
    throw new TypeError(`${N}: checkpointer must be a LangGraph checkpointer (new MemorySaver(), a PostgresSaver …), got ${describe(saver)}.`);
  }
  for (const key of ['replyLog', 'lock', 'owners'] as const) assertObject(`${N}: ${key}`, options[key]);
  for (const key of ['authorize', 'onError', 'now'] as const) assertFunction(`${N}: ${key}`, options[key], true);
  for (const key of ['maxConcurrentRuns', 'maxConcurrentRunsPerPrincipal', 'retryAfterSeconds', 'maxBodyBytes', 'maxRunsKept', 'maxBufferedBytes'] as const) assertPositiveInteger(`${N}: ${key}`, options[key]);
  assertNonNegative(`${N}: heartbeatMs`, options.heartbeatMs);
  if (options.keyPrefix !== undefined && (typeof options.keyPrefix !== 'string' || options.keyPrefix === '')) {
    throw new TypeError(`${N}: keyPrefix must be a non-empty string such as "agent-thread:", got ${describe(options.keyPrefix)}.`);
  }
  if (options.scheduler !== undefined) assertScheduler(`${N}: scheduler`, options.scheduler);
  checkRequestPolicyOptions(N, options);
}
