/**
 * Demo 14 — a person decides before a tool runs. `createAgent` with a `send_email` tool guarded by
 * `langchain`'s `humanInTheLoopMiddleware` (and a `MemorySaver`, which it needs). Each run stops at
 * an `approval-request` part (`finish` says `awaiting-decision`); the demo answers it three ways on
 * three threads — approve, reject with a reason, edit the recipient — and continues the run with
 * `new Command({ resume: approvalResume(decisions) })`. Offline, the embedded model plays the agent;
 * with OPENAI_API_KEY a real model does.
 */
import { lastValueFrom, tap } from 'rxjs';
import { tool } from '@langchain/core/tools';
import type { BaseMessage } from '@langchain/core/messages';
import { approvalResume, collectRun, fromAgent, type ApprovalDecision, type ApprovalRequestPart, type StreamPart } from '../src';
import { ScriptedChatModel } from '../src/offline';
import { createColors, safeText, type Colors } from '../src/cli/terminal';
import type { Demo, DemoContext } from './types';

export const QUESTION = '给 ada@example.com 发一封邮件，说周五的会改到 10 点 ⏰';

/** The offline agent's script: write the email, then report what the tool answered. */
function scripted(messages: BaseMessage[]) {
  const last = messages.at(-1)!;
  if (last.getType() === 'tool') {
    const status = (last as { status?: string }).status;
    return { text: status === 'error' ? `没有发送：${last.text}` : `好的，${last.text}。` };
  }
  return { text: '我来写这封邮件。', toolCalls: [{ name: 'send_email', args: { to: 'ada@example.com', subject: '会议改时间', body: '周五的会改到 10 点 ⏰' } }] };
}

type Decide = (request: ApprovalRequestPart) => ApprovalDecision;

/** The three answers the demo gives, in order. */
export const SCENARIOS: readonly { readonly title: string; readonly decide: Decide }[] = [
  { title: '批准', decide: (request) => ({ type: 'approve', request }) },
  { title: '拒绝', decide: (request) => ({ type: 'reject', request, message: '用户拒绝了 send_email 调用：先别发，等我确认会议室' }) },
  { title: '修改', decide: (request) => ({ type: 'edit', request, args: { ...request.input, to: 'grace@example.com' } }) },
];

function printer(out: DemoContext['out'], c: Colors): (part: StreamPart) => void {
  return (part) => {
    if (part.type === 'text') out.write(safeText(part.text));
    if (part.type === 'tool-call') out.write(`\n🔧 ${safeText(part.name)} ${safeText(JSON.stringify(part.args))}\n`);
    if (part.type === 'approval-request') out.write(`${c.yellow('⏸ 需要批准:')} ${safeText(part.toolName ?? '')} → ${safeText(String(part.input?.to ?? ''))}\n`);
    if (part.type === 'tool-result') out.write(`${part.denied ? c.red('✋ 没有执行') : c.green('✓ 结果')}: ${safeText(String(part.content))}\n`);
  };
}

export const demo: Demo = {
  name: 'approval',
  seed: '14',
  summary: 'human in the loop: approve, reject and edit a tool call before it runs',
  async run({ model, offline, out, color }) {
    const c = createColors(color);
    // langchain and LangGraph are loaded here, not at import: the other demos (and --help) do not pay for them.
    const { createAgent, humanInTheLoopMiddleware } = require('langchain') as typeof import('langchain');
    const { Command, MemorySaver } = require('@langchain/langgraph') as typeof import('@langchain/langgraph');
    const sent: string[] = [];
    const sendEmail = tool(
      async ({ to }: { to: string; subject: string; body: string }) => {
        sent.push(to);
        return `已发送给 ${to}`;
      },
      {
        name: 'send_email',
        description: 'Sends an email.',
        schema: {
          type: 'object',
          properties: { to: { type: 'string' }, subject: { type: 'string' }, body: { type: 'string' } },
          required: ['to', 'subject', 'body'],
        },
      },
    );
    const agent = createAgent({
      model: offline ? new ScriptedChatModel({ reply: scripted }) : model,
      tools: [sendEmail],
      checkpointer: new MemorySaver(),
      middleware: [humanInTheLoopMiddleware({ interruptOn: { send_email: { allowedDecisions: ['approve', 'edit', 'reject'] } } })],
    });
    out.write(`=== 人工审批 (human in the loop) ===\n用户: ${QUESTION}\n`);
    const print = printer(out, c);
    for (const [i, scenario] of SCENARIOS.entries()) {
      const config = { configurable: { thread_id: `demo-14-${i}` } };
      out.write(`\n${c.bold(`— ${i + 1}. ${scenario.title} —`)}\n`);
      const first = await lastValueFrom(fromAgent(agent, { messages: [{ role: 'user', content: QUESTION }] }, config).pipe(tap(print), collectRun()));
      out.write(c.dim(`[${first.finishReason}]`) + '\n');
      const decisions = first.approvalRequests.map(scenario.decide);
      out.write(`${c.cyan('决定:')} ${decisions.map((d) => d.type).join(', ')}\n`);
      const rest = await lastValueFrom(fromAgent(agent, new Command({ resume: approvalResume(decisions) }), config).pipe(tap(print), collectRun()));
      out.write(`\n${c.dim(`[${rest.finishReason}]`)}\n`);
    }
    out.write(`\n${c.dim(`[send_email 共执行 ${sent.length} 次: ${sent.join(', ')}]`)}\n\n`);
  },
};
