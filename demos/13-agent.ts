/**
 * Demo 13 — an agent. `createAgent` (langchain) with two tools, `add` and a Python
 * release lookup, streamed with `fromAgent` as one typed part stream: the terminal
 * shows each tool call while its arguments stream, the tool's result, then the
 * answer. Offline, the embedded model plays the agent (`ScriptedChatModel` calls the
 * tools the way a hosted model does); with OPENAI_API_KEY the same code runs on a
 * real model. Ctrl-C (or any unsubscribe) aborts the model request and a running tool.
 */
import { lastValueFrom, tap } from 'rxjs';
import { collectRun, fromAgent, type RunResult, type StreamPart } from '../src';
import { createColors, type Colors } from '../src/cli/terminal';
import { AGENT_SYSTEM, createCliAgent, partPrinter as createPartPrinter } from '../src/cli/agent';
import type { Demo, DemoContext } from './types';

export const QUESTION = 'Python 3.0 是哪一年发布的？再过 16 年是哪一年？';

/** Writes parts as they arrive: reasoning dimmed, tool calls with their arguments streaming, results, the answer. */
export function partPrinter(out: DemoContext['out'], c: Colors): (part: StreamPart) => void {
  const printer = createPartPrinter(out, c);
  return (part) => printer.write(part);
}

/** One line about the finished run. */
export function runSummary(run: RunResult): string {
  const tokens = run.usage ? `, ${run.usage.total_tokens} tokens` : '';
  return `[完成: ${run.steps} 次模型调用, ${run.toolCalls.length} 次工具调用${tokens}, ${run.finishReason}]`;
}

export const demo: Demo = {
  name: 'agent',
  seed: '13',
  summary: 'an agent with two tools: tool calls stream, then results, then the answer',
  async run({ model, out, color }, args) {
    const c = createColors(color);
    const question = args.length > 0 ? args.join(' ') : QUESTION;
    // langchain is loaded here, not at import: the other demos (and --help) do not pay for it.
    const agent = createCliAgent(model, AGENT_SYSTEM);
    out.write(`=== Agent 流式输出 (工具: add, python_release) ===\n用户: ${question}\n`);
    const print = partPrinter(out, c);
    const run = await lastValueFrom(fromAgent(agent, { messages: [{ role: 'user', content: question }] }).pipe(tap(print), collectRun()));
    out.write(`${c.dim(runSummary(run))}\n\n`);
  },
};
