import { assertFunction, assertObject, describe } from '../internal/validate';
import type { ChatSessionOptions } from './ChatSession';

/**
 * Throws a TypeError that says what is wrong with `ChatSession`'s options: exactly one of `model`,
 * `runnable`, `agent`; `agentConfig` and `Command` with `agent` only; `system` with `model` only.
 *
 * @param options What `new ChatSession(options)` was given.
 */
export function checkChatSessionOptions(options: ChatSessionOptions): void {
  assertObject('ChatSession: options', options, false);
  const { model, runnable, agent, agentConfig, system, onChunk, onComplete, Command } = options;
  if (Command !== undefined && (typeof Command !== 'function' || agent === undefined)) {
    throw new TypeError(`ChatSession: options.Command must be LangGraph's Command class, with options.agent; got ${describe(Command)}.`);
  }
  if ([model, runnable, agent].filter((v) => v !== undefined).length !== 1) {
    throw new TypeError(
      'ChatSession: pass exactly one of options.model (a chat model) or options.runnable (a chain taking { history, question }) or options.agent (a createAgent agent).',
    );
  }
  if (agent !== undefined && typeof (agent as { stream?: unknown })?.stream !== 'function') {
    throw new TypeError(`ChatSession: options.agent must be a createAgent agent or a compiled LangGraph graph (with stream()), got ${describe(agent)}.`);
  }
  if (agentConfig !== undefined && agent === undefined) throw new TypeError('ChatSession: options.agentConfig applies to options.agent only.');
  assertObject('ChatSession: options.agentConfig', agentConfig);
  if (model !== undefined && !isRunnable(model)) {
    throw new TypeError(`ChatSession: options.model must be a LangChain chat model (a Runnable), got ${describe(model)}.`);
  }
  if (runnable !== undefined && typeof (runnable as { stream?: unknown })?.stream !== 'function') {
    throw new TypeError(`ChatSession: options.runnable must have a stream() method, got ${describe(runnable)}.`);
  }
  if (system !== undefined && (typeof system !== 'string' || model === undefined)) {
    throw new TypeError(
      runnable !== undefined
        ? 'ChatSession: options.system applies to options.model only; put the system message in your runnable\'s prompt.'
        : agent !== undefined
          ? 'ChatSession: options.system applies to options.model only; give the agent its system prompt (createAgent({ systemPrompt })).'
          : `ChatSession: options.system must be a string, got ${describe(system)}.`,
    );
  }
  assertFunction('ChatSession: options.onChunk', onChunk, true);
  assertFunction('ChatSession: options.onComplete', onComplete, true);
}

function isRunnable(value: unknown): boolean {
  return typeof value === 'object' && value !== null &&
    typeof (value as { stream?: unknown }).stream === 'function' && typeof (value as { invoke?: unknown }).invoke === 'function';
}
