/**
 * What `ChatSession({ agent })` saves when a person answers a guarded tool call (decision 0287),
 * with a real createAgent + humanInTheLoopMiddleware + MemorySaver and Chinese + emoji input:
 * the history keeps both calls, append-only — the `AIMessage` as the model wrote it (saved when the
 * run stopped) and its result marked with the call as it ran (`rxlc_edited_call`) —
 * and `applyEditedCalls` reads it as it ran, the same call the agent's thread holds. Approve and
 * reject leave nothing marked. The turn's result and events carry what was saved.
 */
import { Command } from '@langchain/langgraph';
import { AIMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { filter, firstValueFrom } from 'rxjs';
import { applyEditedCalls, ChatSession } from '../../src';
import { SyncInMemoryChatMessageHistory } from '../../src/history/SyncInMemoryChatMessageHistory';
import { approvalAgent } from '../support/approvalAgent';

const QUESTION = '给 Ada 发一封邮件说你好 👋';
const ASKED = { to: 'ada@example.com', body: '你好 🌏' }; // what the scripted model writes
const EDITED = { to: '格蕾丝@example.com', body: '改过的问候 👩‍💻🎉' };

/** The calls of the history's AIMessages and the marks of its ToolMessages, in order. */
type Shown = { call: string; args: unknown } | { result: string; ran?: unknown };
const calls = (messages: readonly BaseMessage[]): Shown[] =>
  messages.flatMap((m): Shown[] =>
    m instanceof AIMessage ? (m.tool_calls ?? []).map((c) => ({ call: c.name, args: c.args }))
      : m instanceof ToolMessage ? [{ result: m.text, ...(m.additional_kwargs.rxlc_edited_call !== undefined && { ran: m.additional_kwargs.rxlc_edited_call }) }]
        : []);

function session(thread: string) {
  const setup = approvalAgent();
  const history = new SyncInMemoryChatMessageHistory();
  const chat = new ChatSession({ agent: setup.agent, agentConfig: { configurable: { thread_id: thread } }, Command, history });
  /** The tool calls the agent's thread holds (what the middleware resumed with). */
  const threadCalls = async () => {
    const state = await (setup.agent as unknown as { getState(c: object): Promise<{ values: { messages: BaseMessage[] } }> }).getState({ configurable: { thread_id: thread } });
    return calls(state.values.messages).filter((c) => 'call' in c);
  };
  return { ...setup, chat, history, threadCalls };
}

describe('ChatSession({ agent }): the history of an answered tool call', () => {
  it('edit: both calls are kept, the result marked with the call as it ran; applyEditedCalls reads it as the thread holds it', async () => {
    const { chat, history, runs, threadCalls } = session('edits-edit');
    await chat.ask(QUESTION);
    const ended = firstValueFrom(chat.events$.pipe(filter((e) => e.type === 'done')));
    const result = await chat.edit(EDITED);
    expect(runs).toEqual([EDITED]); // ran once, with the edited input
    expect(result.text).toBe('工具回复：已发送给 格蕾丝@example.com ✉️');

    const saved = history.getMessagesSync();
    expect(calls(saved)).toEqual([
      { call: 'send_email', args: ASKED }, // as the model wrote it, saved while the run waited
      { result: '已发送给 格蕾丝@example.com', ran: { name: 'send_email', args: EDITED } },
    ]);
    expect(calls(applyEditedCalls(saved))).toEqual([
      { call: 'send_email', args: EDITED },
      { result: '已发送给 格蕾丝@example.com', ran: { name: 'send_email', args: EDITED } },
    ]);
    expect(await threadCalls()).toEqual([{ call: 'send_email', args: EDITED }]);
    expect(applyEditedCalls(saved).map((m) => m.text)).toEqual(saved.map((m) => m.text)); // nothing else changes
    expect(saved[1]).toBeInstanceOf(AIMessage);
    expect(applyEditedCalls(saved)[1]).not.toBe(saved[1]); // a copy: the stored message is left as it is

    // The result and the done event carry the messages as saved (the mark included).
    expect(calls(result.messages!)).toEqual([{ result: '已发送给 格蕾丝@example.com', ran: { name: 'send_email', args: EDITED } }]);
    expect(calls((await ended as { messages: BaseMessage[] }).messages)).toEqual(calls(result.messages!));
  });

  it('a new session over the saved history (a reload) reads the edited call as it ran', async () => {
    const { chat, history, agent } = session('edits-reload');
    await chat.ask(QUESTION);
    await chat.edit(EDITED);
    chat.close();
    const reloaded = new ChatSession({ agent, agentConfig: { configurable: { thread_id: 'edits-reload' } }, Command, history });
    expect(reloaded.pendingApprovals).toEqual([]);
    expect(calls(applyEditedCalls(await reloaded.history.getMessages()))[0]).toEqual({ call: 'send_email', args: EDITED });
  });

  it('approve: nothing marked; the history is already as it ran', async () => {
    const { chat, history, runs, threadCalls } = session('edits-approve');
    await chat.ask(QUESTION);
    await chat.approve();
    expect(runs).toEqual([ASKED]);
    const saved = history.getMessagesSync();
    expect(calls(saved)).toEqual([{ call: 'send_email', args: ASKED }, { result: '已发送给 ada@example.com' }]);
    expect(applyEditedCalls(saved)).toEqual(saved);
    expect(await threadCalls()).toEqual([{ call: 'send_email', args: ASKED }]);
  });

  it('reject: nothing marked, the call never ran; the result says why (中文 + emoji)', async () => {
    const { chat, history, runs } = session('edits-reject');
    await chat.ask(QUESTION);
    await chat.reject('用户拒绝了 send_email 调用：Ada 在休假 🏖️');
    expect(runs).toEqual([]);
    const saved = history.getMessagesSync();
    expect(calls(saved)).toEqual([{ call: 'send_email', args: ASKED }, { result: '用户拒绝了 send_email 调用：Ada 在休假 🏖️' }]);
    expect(applyEditedCalls(saved)).toEqual(saved);
  });
});
