/**
 * The CLI's agent mode (`rxjs-langchain chat --agent`) and demo 13 share this: the
 * agent (`createAgent` with the offline tools, `langchain` loaded only here) and the
 * printer that shows each tool call while its arguments stream, the result, then the
 * answer. Model text, tool names, arguments and results go through `safeText`.
 */
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { StreamPart } from '../index';
import { createOfflineTools, ScriptedChatModel } from '../offline';
import { safeText, type Colors } from './terminal';
import { MissingPackageError, type LoadPackage } from './model';
import { guardedAgentOptions } from './approval';

export { AGENT_SYSTEM } from './args';

/** What `createAgent` returns, as far as the CLI and the demo use it. */
export type CliAgent = ReturnType<typeof import('langchain').createAgent>;

/**
 * `createAgent({ model, tools: createOfflineTools(), systemPrompt })`. Offline, the
 * tools take as long as the model's first chunk, so the steps are visible. `langchain`
 * is an optional peer dependency: when it is missing this throws a
 * {@link MissingPackageError} that says what to install.
 */
export function createCliAgent(model: BaseChatModel, systemPrompt: string, load: LoadPackage = (name) => require(name), guarded = false): CliAgent {
  let langchain: typeof import('langchain');
  try {
    langchain = load('langchain') as typeof langchain;
  } catch (e) {
    const err = e as { code?: unknown; message?: unknown };
    if (err?.code === 'MODULE_NOT_FOUND' && typeof err.message === 'string' && err.message.includes("'langchain'")) {
      throw new MissingPackageError('langchain', '--agent needs createAgent');
    }
    throw e;
  }
  const delayMs = model instanceof ScriptedChatModel ? model.firstChunkDelayMs : 0;
  return langchain.createAgent({ model, tools: createOfflineTools({ delayMs }), systemPrompt, ...(guarded && guardedAgentOptions(langchain, load)) }) as CliAgent;
}

/** Writes parts as they arrive (see {@link partPrinter}); `endLine()` ends a line left open. */
export interface PartPrinter {
  write(part: StreamPart): void;
  /** Ends the line a part left open (a cut or stopped answer); a no-op after a `finish`. */
  endLine(): void;
  /** True once some answer text was written. */
  readonly answered: boolean;
}

/**
 * Writes an agent run's parts to a terminal as they arrive: reasoning dimmed
 * (`思考: `), each tool call as `🔧 调用 name` followed by its arguments while they
 * stream, `↳ 结果:` (or `↳ 出错:`) with the tool's result, and the answer after `AI: `.
 */
export function partPrinter(out: { write(text: string): unknown }, c: Colors): PartPrinter {
  let line: 'none' | 'text' | 'reasoning' | 'args' = 'none';
  let answered = false;
  const newline = (): void => {
    if (line !== 'none') out.write('\n');
    line = 'none';
  };
  const write = (part: StreamPart): void => {
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
        answered = true;
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
          out.write(`${c.yellow('🔧 调用')} ${c.bold(safeText(part.name))} ${c.gray(safeText(JSON.stringify(part.args)))}`);
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
  return {
    write,
    endLine: newline,
    get answered() {
      return answered;
    },
  };
}
