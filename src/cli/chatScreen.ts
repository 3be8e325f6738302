/** What the chat prints besides replies: the status line's text, a turn's statistics, `/history`. */
import { AIMessage, type BaseMessage } from '@langchain/core/messages';
import { windowHistory, type ProgressEvent, type StreamPart, type TurnEvent } from '../index';
import { fitToWidth, safeText, type Colors, type TerminalOutput } from './terminal';

/** The status line while a reply streams (`块/s`: chunks with content per second after the first; a chunk is not a token). */
export function progressLine(p: ProgressEvent): string {
  const chunksPerSecond = p.firstChunkMs !== null && p.elapsedMs > p.firstChunkMs ? ((p.chunks - 1) * 1000) / (p.elapsedMs - p.firstChunkMs) : 0;
  return `${p.chars} 字 · ${p.words} 词 · ${chunksPerSecond.toFixed(1)} 块/s · 首字 ${p.firstChunkMs === null ? '-' : Math.round(p.firstChunkMs)} ms · ${(p.elapsedMs / 1000).toFixed(1)} s   Ctrl-C 停止`;
}

/**
 * The tool calls of one turn, counted from the results its run streamed: a call that ran, or one a
 * person rejected (`denied`). Not from the saved messages: a call that waited for a decision was
 * saved by the turn that stopped, and runs (or is rejected) in the decision turn that answers it.
 */
export interface ToolTally {
  ran: number;
  denied: number;
}

/** Counts a `tool-result` part into `tally` (other parts leave it as it is). */
export function tallyTool(tally: ToolTally, part: StreamPart): void {
  if (part.type !== 'tool-result') return;
  if (part.denied) tally.denied++;
  else tally.ran++;
}

/** The statistics line under a finished reply: `[字 · 块 · (工具调用 · 拒绝) · 块/s · 首字 · s]`; `tools` for an agent turn. */
export function turnStats(event: Extract<TurnEvent, { type: 'done' }>, tools?: ToolTally): string {
  const first = event.firstChunkMs;
  const perSecond = first !== null && event.durationMs > first ? ((event.chunks - 1) * 1000) / (event.durationMs - first) : 0;
  const calls = tools ? ` · ${tools.ran} 次工具调用${tools.denied > 0 ? ` · ${tools.denied} 次被拒绝` : ''}` : '';
  return `[${[...event.text].length} 字 · ${event.chunks} 块${calls} · ${perSecond.toFixed(1)} 块/s · 首字 ${first === null ? '-' : Math.round(first)} ms · ${(event.durationMs / 1000).toFixed(2)} s]`;
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
