/**
 * A real `createAgent` + `humanInTheLoopMiddleware` + `MemorySaver` (or the checkpointer given)
 * for approval specs: the scripted model calls the guarded `send_email` tool once, then answers
 * from the tool's result (quoting it, so a rejection shows in the reply). The tool records every
 * run and sees its abort signal; agents of several instances may record into the same arrays.
 */
import { createAgent, humanInTheLoopMiddleware } from 'langchain';
import { MemorySaver, type BaseCheckpointSaver } from '@langchain/langgraph';
import { tool } from '@langchain/core/tools';
import type { BaseMessage } from '@langchain/core/messages';
import { ScriptedChatModel } from '../../src/offline/ScriptedChatModel';

export interface ApprovalAgentOptions {
  /** A tool run waits for this before it returns (to stop a resumed run while the tool runs). */
  toolGate?: (signal: AbortSignal | undefined) => Promise<void>;
  /** Where the agent's threads live. Default a `MemorySaver` of its own. */
  checkpointer?: BaseCheckpointSaver;
  /** Where the tool records its runs and what its abort signal said (shared by instances). Default new arrays. */
  runs?: Record<string, unknown>[];
  aborted?: boolean[];
  /** What a person may decide about `send_email`. Default approve, edit, reject. */
  allowedDecisions?: ('approve' | 'edit' | 'reject')[];
  /**
   * The text before the tool call (default `好的，我来发邮件。`). `''` for graphs run with
   * `streamEvents(…, { version: 'v3' })` (the agent protocol): @langchain/core 1.4 puts a text
   * preamble and the first tool call of a chunk-streaming model in one content block and the
   * call is lost (langchain-ai/langchainjs#11074).
   */
  preamble?: string;
}

export function approvalAgent(options: ApprovalAgentOptions = {}) {
  const { runs = [], aborted = [] } = options;
  const sendEmail = tool(
    async (args: { to: string; body: string }, config) => {
      runs.push(args);
      if (options.toolGate) {
        await options.toolGate(config?.signal);
        aborted.push(config?.signal?.aborted === true);
      }
      return `已发送给 ${args.to}`;
    },
    {
      name: 'send_email',
      description: 'Sends an email.',
      schema: { type: 'object', properties: { to: { type: 'string' }, body: { type: 'string' } }, required: ['to', 'body'] },
    },
  );
  const reply = (messages: BaseMessage[]) => {
    const last = messages.at(-1)!;
    if (last.getType() === 'tool') return { text: `工具回复：${last.text} ✉️` };
    return { text: options.preamble ?? '好的，我来发邮件。', toolCalls: [{ name: 'send_email', args: { to: 'ada@example.com', body: '你好 🌏' } }] };
  };
  const agent = createAgent({
    model: new ScriptedChatModel({ reply }),
    tools: [sendEmail],
    checkpointer: options.checkpointer ?? new MemorySaver(),
    middleware: [humanInTheLoopMiddleware({ interruptOn: { send_email: { allowedDecisions: options.allowedDecisions ?? ['approve', 'edit', 'reject'], description: '发邮件前请确认' } } })],
  });
  return { agent, runs, aborted };
}

export const ASK = [{ role: 'user', content: '给 Ada 发一封邮件说你好' }];
