import { fromRunnable } from '../../sources/fromRunnable';
import { assertKnownOptions, optionNames } from '../../internal/knownOptions';
import { assertFunction, assertInteger, assertNonNegative, assertObject, assertPositiveInteger, describe } from '../../internal/validate';
import { agentStream, isThreadedAgent } from './agentStream';
import { checkRequestPolicyOptions } from '../requestPolicyOptions';
import { ChatRequestError } from './errors';
import type { ChatHandlerOptions, ChatStream } from './types';

const N = 'createChatHandler';

/** Every option of `createChatHandler` (a misspelt one is refused, not ignored: decision 0401). */
const OPTION_NAMES = optionNames<ChatHandlerOptions>({
  model: true, agent: true, Command: true, toolApprovalSecret: true, stream: true, system: true, basePath: true, history: true,
  replyLog: true, lock: true, owners: true, authorize: true, maxConcurrentRuns: true, maxConcurrentRunsPerPrincipal: true,
  retryAfterSeconds: true, maxBodyBytes: true, maxQuestionBodyBytes: true, maxQuestionChars: true, maxMessages: true,
  allowedHosts: true, allowedOrigins: true, heartbeatMs: true, errorText: true, onFinish: true,
});

/** Call-time checks of `createChatHandler`'s options, with messages that say what to pass. */
export function checkChatHandlerOptions(options: ChatHandlerOptions): void {
  assertObject(`${N}: options`, options, false);
  assertKnownOptions(N, options, OPTION_NAMES);
  const sources = (['model', 'agent', 'stream'] as const).filter((key) => options[key] !== undefined);
  if (sources.length !== 1) {
    throw new TypeError(`${N}: pass exactly one of model (a chat model), agent (createAgent(…)) or stream ((input) => Observable), got ${sources.length === 0 ? 'none' : sources.join(' and ')}.`);
  }
  if (options.model !== undefined && typeof (options.model as { stream?: unknown }).stream !== 'function') throw new TypeError(`${N}: model must be a LangChain chat model (with stream()), got ${describe(options.model)}.`);
  if (options.agent !== undefined && typeof (options.agent as { stream?: unknown }).stream !== 'function') throw new TypeError(`${N}: agent must be a LangGraph agent (with stream()), got ${describe(options.agent)}.`);
  assertFunction(`${N}: stream`, options.stream, true);
  if (options.Command !== undefined && (typeof options.Command !== 'function' || options.agent === undefined)) {
    throw new TypeError(`${N}: Command must be LangGraph's Command class (import { Command } from '@langchain/langgraph'), with agent; got ${describe(options.Command)}.`);
  }
  const secret = options.toolApprovalSecret;
  if (secret !== undefined && !(typeof secret === 'string' && secret !== '') && !(secret instanceof Uint8Array && secret.length > 0)) {
    throw new TypeError(`${N}: toolApprovalSecret must be a non-empty string or Uint8Array, got ${describe(secret)}.`);
  }
  for (const key of ['history', 'authorize', 'onFinish', 'errorText'] as const) assertFunction(`${N}: ${key}`, options[key], true);
  if (options.system !== undefined && typeof options.system !== 'string') throw new TypeError(`${N}: system must be a string, got ${describe(options.system)}.`);
  if (options.basePath !== undefined && (typeof options.basePath !== 'string' || !/^\/[A-Za-z0-9._~!$&'()*+,;=:@/-]*$/.test(options.basePath) || options.basePath.endsWith('/'))) {
    throw new TypeError(`${N}: basePath must be a path such as "/api/chat" (leading "/", no trailing "/"), got ${describe(options.basePath)}.`);
  }
  for (const key of ['maxConcurrentRuns', 'maxConcurrentRunsPerPrincipal', 'retryAfterSeconds', 'maxBodyBytes', 'maxQuestionBodyBytes', 'maxQuestionChars'] as const) {
    assertPositiveInteger(`${N}: ${key}`, options[key]);
  }
  if (options.maxMessages !== Infinity) assertInteger(`${N}: maxMessages`, options.maxMessages, 1);
  assertNonNegative(`${N}: heartbeatMs`, options.heartbeatMs);
  for (const key of ['replyLog', 'lock', 'owners'] as const) assertObject(`${N}: ${key}`, options[key]);
  checkRequestPolicyOptions(N, options);
}

/** The reply of each run, from `model`, `agent` or `stream`. */
export function streamOf(options: ChatHandlerOptions): ChatStream {
  const { model, agent, stream } = options;
  if (stream) return stream;
  if (agent) return agentStream(agent, options.Command);
  return ({ messages }) => fromRunnable(model!, messages) as ReturnType<ChatStream>;
}

/**
 * Why this handler cannot take a decision, or undefined when it can: a `model` never waits for
 * one, an agent needs a checkpointer (the thread that waits) and LangGraph's `Command`; a
 * `stream` of your own gets the decisions (`ChatRunInput.decisions`).
 */
export function decisionRefusal(options: ChatHandlerOptions): ChatRequestError | undefined {
  if (options.model !== undefined) return new ChatRequestError(409, 'Nothing in this conversation waits for a decision (the server streams a model, not an agent).');
  if (options.agent === undefined) return undefined;
  if (!isThreadedAgent(options.agent)) return new ChatRequestError(409, 'Nothing in this conversation waits for a decision: the agent has no checkpointer, so its runs cannot wait.');
  if (options.Command === undefined) return new ChatRequestError(501, "This server cannot answer approvals: pass createChatHandler({ agent, Command }) (import { Command } from '@langchain/langgraph').");
  return undefined;
}
