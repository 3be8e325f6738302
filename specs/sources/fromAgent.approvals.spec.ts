/**
 * Approval requests as parts and the resume, with a real createAgent + humanInTheLoopMiddleware +
 * MemorySaver: the run stops at the interrupt (approval-request parts, finish 'awaiting-decision'),
 * and resuming with new Command({ resume: approvalResume(decisions) }) runs the tool once (approve),
 * once with the edited input (edit) or never (reject, the reply quotes the rejection).
 */
import { firstValueFrom, filter, lastValueFrom, Subject, toArray } from 'rxjs';
import { Command } from '@langchain/langgraph';
import { fromAgent } from '../../src/sources/fromAgent';
import { approvalResume } from '../../src/sources/approvalResume';
import { collectRun } from '../../src/parts/collectRun';
import type { ApprovalRequestPart, StreamPart } from '../../src/parts/types';
import { approvalAgent, ASK } from '../support/approvalAgent';

const kinds = (parts: StreamPart[]) => parts.map((p) => p.type).filter((t) => t !== 'text' && t !== 'tool-call-delta' && t !== 'usage');
const requestOf = (parts: StreamPart[]) => parts.find((p): p is ApprovalRequestPart => p.type === 'approval-request')!;

async function stopAtRequest(thread: string) {
  const setup = approvalAgent();
  const config = { configurable: { thread_id: thread } };
  const parts = await lastValueFrom(fromAgent(setup.agent, { messages: ASK }, config).pipe(toArray()));
  return { ...setup, config, parts, request: requestOf(parts) };
}

describe('fromAgent at an interrupt of humanInTheLoopMiddleware', () => {
  it('emits an approval-request per guarded call and finishes awaiting a decision; the tool has not run', async () => {
    const { parts, request, runs } = await stopAtRequest('t-parts');
    expect(kinds(parts)).toEqual(['step-start', 'tool-call-start', 'tool-call', 'step-finish', 'approval-request', 'finish']);
    const call = parts.find((p) => p.type === 'tool-call')!;
    expect(request).toEqual({
      type: 'approval-request',
      id: `${request.interruptId}:0`,
      interruptId: expect.stringMatching(/^[0-9a-f]{32}$/),
      index: 0,
      count: 1,
      toolCallId: (call as { id: string }).id,
      toolName: 'send_email',
      input: { to: 'ada@example.com', body: '你好 🌏' },
      description: '发邮件前请确认',
      allowedDecisions: ['approve', 'edit', 'reject'],
      value: {
        actionRequests: [{ name: 'send_email', args: { to: 'ada@example.com', body: '你好 🌏' }, description: '发邮件前请确认' }],
        reviewConfigs: [{ actionName: 'send_email', allowedDecisions: ['approve', 'edit', 'reject'] }],
      },
    });
    expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: 'awaiting-decision' });
    expect(runs).toEqual([]);
  });

  it('collectRun keeps the run so far as awaiting a decision: the call marked, the requests listed', async () => {
    const setup = approvalAgent();
    const run = await lastValueFrom(fromAgent(setup.agent, { messages: ASK }, { configurable: { thread_id: 't-collect' } }).pipe(collectRun()));
    expect(run.finishReason).toBe('awaiting-decision');
    expect(run.approvalRequests.map((r) => r.toolName)).toEqual(['send_email']);
    expect(run.messages).toHaveLength(1);
    expect(run.messages[0].response_metadata).toMatchObject({ awaiting_decision: true, approval_requests: [{ toolName: 'send_email', index: 0 }] });
    expect((run.messages[0] as { tool_calls?: unknown[] }).tool_calls).toHaveLength(1);
  });

  it('approve: the tool runs once with the input, the interrupted message is not streamed again', async () => {
    const { agent, config, request, runs } = await stopAtRequest('t-approve');
    const parts = await lastValueFrom(fromAgent(agent, new Command({ resume: approvalResume([{ type: 'approve', request }]) }), config).pipe(toArray()));
    expect(runs).toEqual([{ to: 'ada@example.com', body: '你好 🌏' }]);
    expect(kinds(parts)).toEqual(['tool-result', 'step-start', 'step-finish', 'finish']);
    expect(parts[0]).toMatchObject({ type: 'tool-result', id: request.toolCallId, content: '已发送给 ada@example.com', isError: false });
    expect(parts[0]).not.toHaveProperty('denied');
    expect(parts.at(-1)).toMatchObject({ finishReason: 'stop' });
  });

  it('edit: the tool runs once with the edited input', async () => {
    const { agent, config, request, runs } = await stopAtRequest('t-edit');
    const args = { to: 'grace@example.com', body: '改过的 👩‍💻' };
    const run = await lastValueFrom(fromAgent(agent, new Command({ resume: approvalResume({ type: 'edit', request, args }) }), config).pipe(collectRun()));
    expect(runs).toEqual([args]);
    expect(run.text).toBe('工具回复：已发送给 grace@example.com ✉️');
  });

  it('reject: the tool never runs, the result is the rejection (denied) and the reply mentions it', async () => {
    const { agent, config, request, runs } = await stopAtRequest('t-reject');
    const resume = approvalResume([{ type: 'reject', request, message: '不要发，Ada 在休假' }]);
    const parts = await lastValueFrom(fromAgent(agent, new Command({ resume }), config).pipe(toArray()));
    expect(runs).toEqual([]);
    expect(parts.find((p) => p.type === 'tool-result')).toMatchObject({ id: request.toolCallId, isError: true, denied: true, content: '不要发，Ada 在休假' });
    expect(parts.filter((p) => p.type === 'text').map((p) => (p as { text: string }).text).join('')).toBe('工具回复：不要发，Ada 在休假 ✉️');
  });

  it('teardown of a resumed run aborts the running tool', async () => {
    const started = new Subject<AbortSignal | undefined>();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const setup = approvalAgent({
      toolGate: (signal) => {
        started.next(signal);
        return new Promise<void>((resolve) => {
          signal?.addEventListener('abort', () => resolve());
          void gate.then(resolve);
        });
      },
    });
    const config = { configurable: { thread_id: 't-teardown' } };
    const first = await lastValueFrom(fromAgent(setup.agent, { messages: ASK }, config).pipe(toArray()));
    const signal = firstValueFrom(started.pipe(filter(Boolean)));
    const subscription = fromAgent(setup.agent, new Command({ resume: approvalResume({ type: 'approve', request: requestOf(first) }) }), config).subscribe();
    const toolSignal = await signal;
    expect(toolSignal.aborted).toBe(false);
    subscription.unsubscribe();
    expect(toolSignal.aborted).toBe(true);
    release();
  });

  it('checks decisions: one per request, only allowed types, edits need arguments', () => {
    const request = { interruptId: 'a'.repeat(32), index: 0, count: 2, toolName: 'send_email', allowedDecisions: ['approve', 'reject'] as const };
    expect(() => approvalResume([{ type: 'approve', request }])).toThrow(/holds 2 approval request\(s\)/);
    expect(() => approvalResume([{ type: 'edit', request, args: {} }])).toThrow(/'edit' is not allowed for send_email; allowed: approve, reject/);
    expect(() => approvalResume([])).toThrow(/at least one decision/);
    expect(() => approvalResume([{ type: 'edit', request: { ...request, allowedDecisions: undefined, count: 1 }, args: 'x' as never }])).toThrow(/args must be an object/);
  });
});
