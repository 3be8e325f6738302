/**
 * The marble kit for approval flows: a scripted (marble) model calls a guarded tool, the interrupt is
 * a marble value (hitlInterrupt), the decision is injected at a frame, all in virtual time, through
 * chatTurns: the first turn ends awaiting a decision (saved, marked), the decision turn continues
 * the run (the rejected call's result is denied, the answer follows) and is saved after it.
 */
import { concat, merge, of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { ToolMessage } from '@langchain/core/messages';
import { fromRunnable, toParts } from '../../src';
import { SyncInMemoryChatMessageHistory as History } from '../../src/testing';
import { chatTurns } from '../../src/history/chatTurns';
import { SyncInMemoryChatMessageHistory } from '../../src/history/SyncInMemoryChatMessageHistory';
import { chunk, hitlInterrupt, marbleChatModel, toolCallChunk } from '../../src/testing';
import type { ApprovalDecision } from '../../src/sources/approvalResume';
import type { DecisionTurn, TurnEvent } from '../../src/history/types';
import { createScheduler } from '../support/marbles';

const ARGS = { to: 'ada@example.com', body: '你好 🌏' };
const request = { interruptId: 'i1', index: 0, count: 1, toolCallId: 'call_1', toolName: 'send_email' };

describe('marble kit: an approval flow in virtual time', () => {
  it('hitlInterrupt after a marble model step: approval-request parts and finish awaiting-decision', () => {
    const scheduler = createScheduler();
    const log: [number, unknown][] = [];
    scheduler.run(({ cold }) => {
      const model = marbleChatModel('-a|', { a: toolCallChunk({ id: 'call_1', name: 'send_email', args: ARGS }) });
      const interrupt =        cold('-i|', { i: hitlInterrupt([{ name: 'send_email', args: ARGS }], { id: 'i1' }) });
      const run = concat(fromRunnable(model, '发邮件'), interrupt).pipe(toParts());
      run.subscribe((part) => log.push([scheduler.now(), part]));
    });
    expect(log).toEqual([
      [1, { type: 'step-start', step: 0 }],
      [1, { type: 'tool-call-start', id: 'call_1', name: 'send_email', index: 0 }],
      [1, { type: 'tool-call-delta', id: 'call_1', argsText: JSON.stringify(ARGS) }],
      // frame 3: the interrupt — the step before it is over, then the request
      [3, { type: 'tool-call', id: 'call_1', name: 'send_email', args: ARGS }],
      [3, { type: 'step-finish', step: 0, finishReason: 'tool_calls' }],
      [3, expect.objectContaining({ type: 'approval-request', id: 'i1:0', toolCallId: 'call_1', toolName: 'send_email', input: ARGS, allowedDecisions: ['approve', 'edit', 'reject'] })],
      [4, { type: 'finish', finishReason: 'awaiting-decision' }],
    ]);
  });

  it('the decision injected at a frame continues the run; the history holds the question, the awaiting call, the denial and the answer', () => {
    const scheduler = createScheduler();
    const log: [number, string][] = [];
    const history = new SyncInMemoryChatMessageHistory();
    const reject: ApprovalDecision = { type: 'reject', request, message: '用户拒绝了 send_email 调用' };
    scheduler.run(({ cold, hot, expectSubscriptions }) => {
      const model = marbleChatModel(['-a|', '--b|'], {
        a: toolCallChunk({ id: 'call_1', name: 'send_email', args: ARGS }),
        b: chunk('好的，没有发送。', { response_metadata: { finish_reason: 'stop' } }),
      });
      const questions = hot<string | DecisionTurn>('-q', { q: '给 Ada 发邮件' });
      const decisions = hot<string | DecisionTurn>('---------d', { d: { decisions: [reject] } }); // the person answers at frame 9
      const interrupt =                       cold('-i|', { i: hitlInterrupt([{ name: 'send_email', args: ARGS }], { id: 'i1' }) });
      const modelSubs =                           ['-^-!', '---------^--!'];
      const denial = ['updates', { HumanInTheLoopMiddleware: { messages: [new ToolMessage({ tool_call_id: 'call_1', name: 'send_email', content: reject.message!, status: 'error' })] } }];
      const turns = merge(questions, decisions).pipe(
        chatTurns(
          ({ question, decisions: answer }) =>
            answer === undefined
              ? concat(fromRunnable(model, question), interrupt).pipe(toParts())
              : concat(of(denial), fromRunnable(model, 'continue')).pipe(toParts({ decisions: answer })),
          { history },
        ),
      );
      turns.subscribe((e: TurnEvent) => {
        if (e.type !== 'chunk') log.push([scheduler.now(), `${e.turn} ${e.type}${e.type === 'done' ? ` ${e.text}` : ''}`]);
        else if (e.part?.type === 'tool-result') log.push([scheduler.now(), `${e.turn} ${e.part.type} denied=${e.part.denied}`]);
        else if (e.part?.type === 'approval-request' || e.part?.type === 'finish') log.push([scheduler.now(), `${e.turn} ${e.part.type}`]);
      });
      // The model is asked at frame 1 (the question) and at frame 9 (the decision), nowhere else.
      expectSubscriptions(model.subscriptions).toBe(modelSubs);
    });
    expect(log).toEqual([
      [4, '0 approval-request'],
      [5, '0 finish'],
      [5, '0 awaiting'],
      [9, '1 tool-result denied=true'],
      [12, '1 finish'],
      [12, '1 done 好的，没有发送。'],
    ]);
    expect(history.getMessagesSync().map((m) => `${m.getType()}:${m.text}${(m.response_metadata as Record<string, unknown>).awaiting_decision ? ' [awaiting]' : ''}`)).toEqual([
      'human:给 Ada 发邮件', 'ai: [awaiting]', 'tool:用户拒绝了 send_email 调用', 'ai:好的，没有发送。',
    ]);
  });
});


// ── The example of docs/testing.md, verbatim (imports aside) ──
test('a rejection injected at frame 9 continues the run; the tool never ran', () => {
  const scheduler = new TestScheduler((a, e) => expect(a).toEqual(e));
  const events: [number, string][] = [];
  const args = { to: 'ada@example.com' };
  const reject: ApprovalDecision = {
    type: 'reject', message: '用户拒绝了 send_email 调用',
    request: { interruptId: 'i1', index: 0, count: 1, toolCallId: 'call_1', toolName: 'send_email' },
  };
  scheduler.run(({ cold, hot }) => {
    const model = marbleChatModel(['-a|', '--b|'], {
      a: toolCallChunk({ id: 'call_1', name: 'send_email', args }),
      b: chunk('好的，没有发送。', { response_metadata: { finish_reason: 'stop' } }),
    });
    const questions = hot<string | DecisionTurn>('-q', { q: '给 Ada 发邮件' });
    const decisions = hot<string | DecisionTurn>('---------d', { d: { decisions: [reject] } });
    const interrupt =                       cold('-i|', { i: hitlInterrupt([{ name: 'send_email', args }], { id: 'i1' }) });
    const denial = ['updates', { tools: { messages: [new ToolMessage({ tool_call_id: 'call_1', content: reject.message!, status: 'error' })] } }];
    merge(questions, decisions)
      .pipe(
        chatTurns(
          ({ question, decisions: answer }) =>
            answer === undefined
              ? concat(fromRunnable(model, question), interrupt).pipe(toParts())
              : concat(of(denial), fromRunnable(model, 'continue')).pipe(toParts({ decisions: answer })),
          { history: new History() },
        ),
      )
      .subscribe((e: TurnEvent) => e.type !== 'chunk' && events.push([scheduler.now(), e.type]));
  });
  expect(events).toEqual([[5, 'awaiting'], [12, 'done']]);
});
