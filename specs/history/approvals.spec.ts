/**
 * Chat turns that stop for a decision, with a real createAgent + humanInTheLoopMiddleware +
 * MemorySaver: the turn is 'awaiting' (saved, marked, never done), ChatSession answers it with
 * approve / reject / edit on the agent's thread, a question while waiting is refused, and a new
 * session over the same history (a reload) still knows what waits.
 */
import { from, lastValueFrom, toArray } from 'rxjs';
import { Command } from '@langchain/langgraph';
import { AIMessage, ToolMessage } from '@langchain/core/messages';
import { chatTurns } from '../../src/history/chatTurns';
import { ChatSession } from '../../src/history/ChatSession';
import { streamAgentTurn } from '../../src/history/streamAgentTurn';
import { SyncInMemoryChatMessageHistory } from '../../src/history/SyncInMemoryChatMessageHistory';
import { AwaitingDecisionError, NoPendingApprovalError } from '../../src/history/approvalErrors';
import type { TurnAwaitingEvent } from '../../src/history/types';
import { approvalAgent } from '../support/approvalAgent';

const QUESTION = '给 Ada 发一封邮件说你好';
const dump = (messages: readonly { getType(): string; text: string; response_metadata?: Record<string, unknown> }[]) =>
  messages.map((m) => `${m.getType()}:${m.text}${m.response_metadata?.awaiting_decision ? ' [awaiting]' : ''}`);

function session(thread: string, history = new SyncInMemoryChatMessageHistory()) {
  const setup = approvalAgent();
  const chat = new ChatSession({ agent: setup.agent, agentConfig: { configurable: { thread_id: thread } }, Command, history });
  return { ...setup, chat, history };
}

describe('chatTurns: a run that stops for a decision', () => {
  it("is an 'awaiting' turn: question and run so far saved, the guarded call marked; never 'done'", async () => {
    const { agent } = approvalAgent();
    const history = new SyncInMemoryChatMessageHistory();
    const events = await lastValueFrom(
      from([QUESTION]).pipe(chatTurns(streamAgentTurn(agent, { configurable: { thread_id: 'ct-1' } }), { history }), toArray()),
    );
    const last = events.at(-1) as TurnAwaitingEvent;
    expect(events.map((e) => e.type).filter((t) => t !== 'chunk')).toEqual(['awaiting']);
    expect(last.requests.map((r) => [r.toolName, r.allowedDecisions])).toEqual([['send_email', ['approve', 'edit', 'reject']]]);
    expect(last.text).toBe('好的，我来发邮件。');
    expect(dump(history.getMessagesSync())).toEqual(['human:' + QUESTION, 'ai:好的，我来发邮件。 [awaiting]']);
  });
});

describe('ChatSession({ agent }) with approvals', () => {
  it('approve: the tool runs once; the history is question, call, result, answer', async () => {
    const { chat, runs, history } = session('cs-approve');
    const first = await chat.ask(QUESTION);
    expect(first.approvalRequests?.map((r) => r.toolName)).toEqual(['send_email']);
    expect(chat.pendingApprovals).toHaveLength(1);
    const result = await chat.approve();
    expect(runs).toEqual([{ to: 'ada@example.com', body: '你好 🌏' }]);
    expect(result.text).toBe('工具回复：已发送给 ada@example.com ✉️');
    expect(chat.pendingApprovals).toEqual([]);
    const messages = history.getMessagesSync();
    expect(dump(messages)).toEqual(['human:' + QUESTION, 'ai:好的，我来发邮件。 [awaiting]', 'tool:已发送给 ada@example.com', 'ai:工具回复：已发送给 ada@example.com ✉️']);
    expect((messages[2] as ToolMessage).tool_call_id).toBe((messages[1] as AIMessage).tool_calls![0].id);
  });

  it('edit: the tool runs once with the edited input', async () => {
    const { chat, runs } = session('cs-edit');
    await chat.ask(QUESTION);
    const result = await chat.edit({ to: 'grace@example.com', body: '改过的' });
    expect(runs).toEqual([{ to: 'grace@example.com', body: '改过的' }]);
    expect(result.text).toContain('grace@example.com');
  });

  it("reject: the tool never runs and the model's reply mentions the rejection", async () => {
    const { chat, runs, history } = session('cs-reject');
    await chat.ask(QUESTION);
    const result = await chat.reject('用户拒绝：不要打扰 Ada');
    expect(runs).toEqual([]);
    expect(result.text).toBe('工具回复：用户拒绝：不要打扰 Ada ✉️');
    expect(dump(history.getMessagesSync()).slice(2)).toEqual(['tool:用户拒绝：不要打扰 Ada', 'ai:工具回复：用户拒绝：不要打扰 Ada ✉️']);
  });

  it('refuses a question while waiting, and a decision when nothing waits; the next question after the answer works on the thread', async () => {
    const { chat, runs } = session('cs-order');
    await expect(chat.approve()).rejects.toBeInstanceOf(NoPendingApprovalError);
    await chat.ask(QUESTION);
    expect(() => chat.send('别的问题')).toThrow(AwaitingDecisionError);
    await chat.approve();
    const again = await chat.ask(QUESTION);
    expect(again.approvalRequests).toHaveLength(1);
    expect(runs).toHaveLength(1);
  });

  it('a new session over the same history and thread (a reload) still knows what waits, and answers it', async () => {
    const { agent, chat, history, runs } = session('cs-reload');
    await chat.ask(QUESTION);
    chat.close();
    const reloaded = new ChatSession({ agent, agentConfig: { configurable: { thread_id: 'cs-reload' } }, Command, history });
    expect(reloaded.pendingApprovals.map((r) => r.toolName)).toEqual(['send_email']);
    const result = await reloaded.approve();
    expect(runs).toHaveLength(1);
    expect(result.text).toBe('工具回复：已发送给 ada@example.com ✉️');
  });
});
