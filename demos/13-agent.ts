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
import { createOfflineTools, ScriptedChatModel } from '../src/offline';
import { createColors, safeText, type Colors } from '../src/cli/terminal';
import type { Demo, DemoContext } from './types';

export const QUESTION = 'Python 3.0 是哪一年发布的？再过 16 年是哪一年？';

const SYSTEM_PROMPT =
  '你是 Python 助手。需要发布日期时调用 python_release 工具，需要计算时调用 add 工具（减法用负数），不要自己心算；最后用中文简洁回答。';

/** Writes parts as they arrive: reasoning dimmed, tool calls with their arguments streaming, results, the answer. */
export function partPrinter(out: DemoContext['out'], c: Colors): (part: StreamPart) => void {
  let line: 'none' | 'text' | 'reasoning' | 'args' = 'none';
  const newline = (): void => {
    if (line !== 'none') out.write('\n');
    line = 'none';
  };
  return (part) => {
    switch (part.type) {
      case 'reasoning':
        if (line !== 'reasoning') {
          newline();
          out.write(c.dim('思考: '));
          line = 'reasoning';
        }
        out.write(c.dim(safeText(part.text)));
        return;
      case 'text':
        if (line !== 'text') {
          newline();
          out.write(c.cyan('AI: '));
          line = 'text';
        }
        out.write(safeText(part.text));
        return;
      case 'tool-call-start':
        newline();
        out.write(`${c.yellow('🔧 调用')} ${c.bold(safeText(part.name))} `);
        line = 'args';
        return;
      case 'tool-call-delta':
        out.write(c.gray(safeText(part.argsText)));
        return;
      case 'tool-call':
        if (line !== 'args') {
          newline();
          out.write(`${c.yellow('🔧 调用')} ${c.bold(safeText(part.name))} ${c.gray(JSON.stringify(part.args))}`);
        }
        out.write(part.invalid ? ` ${c.red('✖ 参数不是 JSON')}` : '');
        newline();
        return;
      case 'tool-result': {
        newline();
        const content = typeof part.content === 'string' ? part.content : JSON.stringify(part.content);
        out.write(`   ${part.isError ? c.red('↳ 出错:') : c.green('↳ 结果:')} ${safeText(content)}\n`);
        return;
      }
      case 'finish':
        newline();
        return;
      default:
        return;
    }
  };
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
    // Offline, the tools take as long as the model's first token, so the steps are visible.
    const delayMs = model instanceof ScriptedChatModel ? model.firstTokenMs : 0;
    // Loaded here, not at import: the other demos (and --help) do not pay for langchain.
    const { createAgent } = require('langchain') as typeof import('langchain');
    const agent = createAgent({ model, tools: createOfflineTools({ delayMs }), systemPrompt: SYSTEM_PROMPT });
    out.write(`=== Agent 流式输出 (工具: add, python_release) ===\n用户: ${question}\n`);
    const print = partPrinter(out, c);
    const run = await lastValueFrom(fromAgent(agent, { messages: [{ role: 'user', content: question }] }).pipe(tap(print), collectRun()));
    out.write(`${c.dim(runSummary(run))}\n\n`);
  },
};
