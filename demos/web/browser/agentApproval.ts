// The 智能体协议 mode's approval card: what `humanInTheLoopMiddleware` asks before a guarded tool
// (its interrupt's `actionRequests`), with 批准 / 拒绝. The answer is the middleware's
// `{ decisions }`, made by the library's `approvalResume` (the same format the CLI and the chat
// handler send), and goes back through `useStream`'s `respond` as `input.respond`.
import { createElement as h, useState, type ReactElement } from 'react';
import { approvalResume, type ApprovalDecision } from '../../../src';

/** One tool call waiting for a person. */
export interface PendingAction {
  readonly name: string;
  readonly args: unknown;
}

/** The guarded calls of a HITL interrupt; undefined when there is none (or it is another kind). */
export function pendingActions(interrupt: { id?: string; value?: unknown } | undefined): PendingAction[] | undefined {
  const requests = (interrupt?.value as { actionRequests?: unknown } | undefined)?.actionRequests;
  if (!Array.isArray(requests) || requests.length === 0) return undefined;
  return requests.map((r: { name?: unknown; args?: unknown }) => ({ name: String(r?.name ?? ''), args: r?.args ?? {} }));
}

/** The middleware's answer to every call of `interruptId`: all approved, or all rejected. */
function answer(interruptId: string, actions: readonly PendingAction[], approve: boolean): unknown {
  const decisions: ApprovalDecision[] = actions.map((action, index) => {
    const request = { interruptId, index, count: actions.length, toolName: action.name };
    return approve ? { type: 'approve', request } : { type: 'reject', request, message: `用户拒绝了 ${action.name} 调用` };
  });
  return approvalResume(decisions)[interruptId];
}

/** The pending calls and the two buttons; disabled once answered (the run then resumes). */
export function ApprovalCard(props: { actions: readonly PendingAction[]; interruptId: string; respond(response: unknown, interruptId: string): Promise<void> }): ReactElement {
  const { actions, interruptId, respond } = props;
  const [sent, setSent] = useState<string | null>(null);
  const decide = (approve: boolean): void => {
    setSent(approve ? '已批准' : '已拒绝');
    respond(answer(interruptId, actions, approve), interruptId).catch((error: unknown) => setSent(`出错：${error instanceof Error ? error.message : String(error)}`));
  };
  return h(
    'div',
    { className: 'msg assistant approval', 'data-interrupt': interruptId },
    h('div', null, '需要你的批准：'),
    ...actions.map((a, i) => h('div', { key: i, className: 'tool', 'data-tool': a.name }, `🔧 ${a.name}(${JSON.stringify(a.args)})`)),
    h(
      'div',
      { className: 'approval-buttons' },
      h('button', { type: 'button', className: 'approve', disabled: sent !== null, onClick: () => decide(true) }, '批准'),
      h('button', { type: 'button', className: 'reject', disabled: sent !== null, onClick: () => decide(false) }, '拒绝'),
    ),
    sent ? h('span', { className: 'note' }, sent) : null,
  );
}
