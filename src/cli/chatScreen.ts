/** What the chat prints besides replies: the status line's text, a turn's statistics, `/history`. */
import { AIMessage, type BaseMessage } from '@langchain/core/messages';
import { windowHistory, type ProgressEvent, type TurnEvent } from '../index';
import { fitToWidth, safeText, type Colors, type TerminalOutput } from './terminal';

/** The status line while a reply streams. */
export function progressLine(p: ProgressEvent): string {
  const tokensPerSecond = p.firstChunkMs !== null && p.elapsedMs > p.firstChunkMs ? ((p.chunks - 1) * 1000) / (p.elapsedMs - p.firstChunkMs) : 0;
  return `${p.chars} 字 · ${p.words} 词 · ${tokensPerSecond.toFixed(1)} tok/s · 首字 ${p.firstChunkMs === null ? '-' : Math.round(p.firstChunkMs)} ms · ${(p.elapsedMs / 1000).toFixed(1)} s   Ctrl-C 停止`;
}

/** Tool calls in a run's saved messages. */
function toolCalls(messages: readonly BaseMessage[]): number {
  return messages.reduce((n, m) => n + (m instanceof AIMessage ? (m.tool_calls ?? []).length : 0), 0);
}

/** The statistics line under a finished reply: `[字 · 块 · (工具调用) · tok/s · 首字 · s]`. */
export function turnStats(event: Extract<TurnEvent, { type: 'done' }>, agent: boolean): string {
  const first = event.firstChunkMs;
  const tps = first !== null && event.durationMs > first ? ((event.chunks - 1) * 1000) / (event.durationMs - first) : 0;
  return `[${[...event.text].length} 字 · ${event.chunks} 块${agent ? ` · ${toolCalls(event.messages)} 次工具调用` : ''} · ${tps.toFixed(1)} tok/s · 首字 ${first === null ? '-' : Math.round(first)} ms · ${(event.durationMs / 1000).toFixed(2)} s]`;
}

/** `/history`: every stored message on one line, those the model does not see marked `·`. */
export function showHistory(output: TerminalOutput, c: Colors, messages: BaseMessage[], maxMessages: number): void {
  if (messages.length === 0) output.write(c.dim('[history is empty]') + '\n\n');
  const seen = new Set(windowHistory(messages, maxMessages));
  const width = Math.max(20, (output.columns ?? 100) - 8);
  for (const m of messages) {
    const type = m.getType();
    const who = type === 'human' ? c.green('你: ') : type === 'ai' ? c.cyan('AI: ') : type === 'tool' ? c.green('   ↳ ') : `${safeText(type)}: `;
    const calls = m instanceof AIMessage ? (m.tool_calls ?? []).map((call) => `🔧 ${call.name} ${JSON.stringify(call.args)}`).join(' ') : '';
    const partial = (m.response_metadata as Record<string, unknown> | undefined)?.partial === true ? c.yellow(' [partial]') : '';
    const line = [m.text, calls].filter((t) => t.length > 0).join(' ');
    output.write(`${seen.has(m) ? ' ' : c.dim('·')} ${who}${fitToWidth(safeText(line).replace(/\s+/g, ' '), width)}${partial}\n`);
  }
  if (messages.length > 0) {
    const older = messages.length - seen.size;
    output.write(c.dim(`[${messages.length} messages; the model sees the last ${seen.size}${older > 0 ? `; the ${older} marked · are not sent` : ''}]`) + '\n\n');
  }
}
