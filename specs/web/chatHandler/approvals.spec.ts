/**
 * createChatHandler({ agent, Command }) with a real createAgent + humanInTheLoopMiddleware +
 * MemorySaver, in memory, driven with the AI SDK's bodies (the second one as the `ai` client sends
 * it): the chat id is the thread; a run that stops for a decision ends its response with
 * `tool-approval-request` + `finish`, is saved awaiting, shows in the history after a reload, and
 * takes its decision once (a second answer: 409; a new question meanwhile: 409).
 */
import { createChatHandler, type ChatHandler } from '../../../src';
import { approvalAgent } from '../../support/approvalAgent';
import { newChatId } from '../../support/chatHandler';
import { askBody, Command, decisionBody, get, post, sseEvents, typesOf, uiChunks, waitingOf } from '../../support/approvalHandler';

let handler: ChatHandler;
afterEach(async () => handler?.close());

async function waitingConversation(options: { secret?: string; allowedDecisions?: ('approve' | 'edit' | 'reject')[] } = {}) {
  const setup = approvalAgent({ allowedDecisions: options.allowedDecisions });
  handler = createChatHandler({ agent: setup.agent, Command, ...(options.secret && { toolApprovalSecret: options.secret }) });
  const chatId = newChatId();
  const first = await uiChunks(await post(handler, '', askBody(chatId)));
  return { ...setup, chatId, first, waiting: waitingOf(first) };
}

describe('createChatHandler({ agent }) approvals over the AI SDK route', () => {
  it('the first response ends with the approval request; the history shows it waiting after a reload', async () => {
    const { first, chatId, runs, waiting } = await waitingConversation();
    expect(typesOf(first)).toEqual(['start', 'start-step', 'text-start', 'text-end', 'tool-input-start', 'tool-input-available', 'finish-step', 'tool-approval-request', 'finish']);
    expect(first.at(-1)).toEqual({ type: 'finish', finishReason: 'tool-calls' });
    expect(runs).toHaveLength(0);
    const history = await (await get(handler, `/${chatId}/history`)).json();
    expect(history.messages).toEqual([
      { id: expect.any(String), role: 'user', parts: [{ type: 'text', text: '给 Ada 发一封邮件说你好' }] },
      {
        id: expect.any(String), role: 'assistant', parts: [
          { type: 'text', text: '好的，我来发邮件。' },
          { type: 'tool-send_email', toolCallId: waiting.toolCallId, input: { to: 'ada@example.com', body: '你好 🌏' }, state: 'approval-requested', approval: { id: waiting.approvalId } },
        ],
      },
    ]);
    expect(history.pendingApprovals).toEqual([expect.objectContaining({ id: waiting.approvalId, toolName: 'send_email', allowedDecisions: ['approve', 'edit', 'reject'] })]);
  });

  it('approve: the continuation updates the same message, the tool runs once; a second answer is a 409', async () => {
    const { chatId, runs, waiting } = await waitingConversation();
    const body = decisionBody(chatId, waiting, { approved: true });
    const second = await uiChunks(await post(handler, '', body));
    expect(typesOf(second)).toEqual(['start', 'tool-output-available', 'start-step', 'text-start', 'text-end', 'finish-step', 'finish']);
    expect(second[0]).toEqual({ type: 'start', messageId: waiting.messageId });
    expect(runs).toEqual([{ to: 'ada@example.com', body: '你好 🌏' }]);
    const again = await post(handler, '', body);
    expect(again.status).toBe(409);
    expect((await again.json()).error).toMatch(/waits for no decision/);
    expect(runs).toHaveLength(1);
    const history = await (await get(handler, `/${chatId}/history`)).json();
    expect(history.pendingApprovals).toEqual([]);
    expect(history.messages[1].parts).toEqual([
      { type: 'text', text: '好的，我来发邮件。' },
      { type: 'tool-send_email', toolCallId: waiting.toolCallId, input: { to: 'ada@example.com', body: '你好 🌏' }, state: 'output-available', output: '已发送给 ada@example.com' },
      { type: 'step-start' },
      { type: 'text', text: '工具回复：已发送给 ada@example.com ✉️' },
    ]);
  });

  it('reject: tool-output-denied, the tool never runs, the answer quotes the reason; the history shows it denied', async () => {
    const { chatId, runs, waiting } = await waitingConversation();
    const second = await uiChunks(await post(handler, '', decisionBody(chatId, waiting, { approved: false, reason: 'Ada 在休假' })));
    expect(typesOf(second)).toContain('tool-output-denied');
    expect(second.filter((c) => c.type === 'text-delta').map((c) => c.delta).join('')).toBe('工具回复：The user denied this tool call: Ada 在休假 ✉️');
    expect(runs).toHaveLength(0);
    const history = await (await get(handler, `/${chatId}/history`)).json();
    expect(history.messages[1].parts[1]).toMatchObject({ type: 'tool-send_email', state: 'output-denied' });
  });

  it('a new question while a decision is pending is a 409 and changes nothing; the decision still works', async () => {
    const { chatId, runs, waiting } = await waitingConversation();
    const busy = await post(handler, '', askBody(chatId, '再问一个问题'));
    expect(busy.status).toBe(409);
    expect((await busy.json()).error).toMatch(/waits for a decision about send_email/);
    expect((await (await get(handler, `/${chatId}/history`)).json()).pendingApprovals).toHaveLength(1);
    await uiChunks(await post(handler, '', decisionBody(chatId, waiting, { approved: true })));
    expect(runs).toHaveLength(1);
  });

  it('with toolApprovalSecret: the reloaded history carries the same signature the stream did; an unsigned answer is a 403', async () => {
    const { chatId, waiting, runs } = await waitingConversation({ secret: 'server-secret-🔑' });
    expect(waiting.signature).toEqual(expect.any(String));
    const history = await (await get(handler, `/${chatId}/history`)).json();
    expect(history.messages[1].parts[1].approval).toEqual({ id: waiting.approvalId, signature: waiting.signature });
    const unsigned = await post(handler, '', decisionBody(chatId, { ...waiting, signature: undefined }, { approved: true }));
    expect(unsigned.status).toBe(403);
    await uiChunks(await post(handler, '', decisionBody(chatId, waiting, { approved: true })));
    expect(runs).toHaveLength(1);
  });

  it('with toolApprovalSecret: an edited input (the page\'s 修改) is refused with a 403 that says so, nothing runs; the call as asked still answers', async () => {
    const { chatId, waiting, runs } = await waitingConversation({ secret: 'server-secret-🔑' });
    const edited = await post(handler, '', decisionBody(chatId, waiting, { approved: true, input: { to: 'grace@example.com', body: '你好 👋' } }));
    expect(edited.status).toBe(403);
    expect((await edited.json()).error).toMatch(/input: was edited, but this server signs its approval requests \(toolApprovalSecret\).*approve or reject the call as it was asked/);
    expect(runs).toHaveLength(0);
    expect((await (await get(handler, `/${chatId}/history`)).json()).pendingApprovals).toHaveLength(1); // still waiting
    await uiChunks(await post(handler, '', decisionBody(chatId, waiting, { approved: true })));
    expect(runs).toEqual([{ to: 'ada@example.com', body: '你好 🌏' }]);
  });

  it('an edited input where the request allows no edit is a 400: the call never runs as asked instead', async () => {
    const { chatId, waiting, runs } = await waitingConversation({ allowedDecisions: ['approve', 'reject'] });
    const edited = await post(handler, '', decisionBody(chatId, waiting, { approved: true, input: { to: 'grace@example.com', body: '你好 👋' } }));
    expect(edited.status).toBe(400);
    expect((await edited.json()).error).toMatch(/input: was edited, but this request allows only "approve", "reject"/);
    expect(runs).toHaveLength(0);
    await uiChunks(await post(handler, '', decisionBody(chatId, waiting, { approved: false, reason: '不发了 🙅' })));
    expect(runs).toHaveLength(0);
  });
});

/** The events' names, consecutive chunks as one, and the chunks' text. */
const kinds = (events: { event: string }[]) => events.map((e) => e.event).filter((e, i, all) => e !== 'chunk' || all[i - 1] !== 'chunk');
const chunkText = (events: { event: string; data: Record<string, unknown> }[]) => events.filter((e) => e.event === 'chunk').map((e) => e.data.text).join('');

describe('createChatHandler({ agent }) approvals over the SSE route (POST {base}/stream)', () => {
  async function waitingSse() {
    const setup = approvalAgent();
    handler = createChatHandler({ agent: setup.agent, Command });
    const conversationId = newChatId();
    const events = await sseEvents(await post(handler, '/stream', { conversationId, question: '给 Ada 发一封邮件说你好' }));
    return { ...setup, conversationId, events, request: events.at(-1)!.data.requests as { id: string; toolName: string; input: unknown }[] };
  }

  it('the request is the last event; the history shows it; edit runs the tool once with the edited args; a second decision is a 409', async () => {
    const { conversationId, events, request, runs } = await waitingSse();
    expect(kinds(events)).toEqual(['start', 'chunk', 'approval-request']);
    expect(chunkText(events)).toBe('好的，我来发邮件。');
    expect(request).toEqual([expect.objectContaining({ toolName: 'send_email', input: { to: 'ada@example.com', body: '你好 🌏' }, allowedDecisions: ['approve', 'edit', 'reject'] })]);
    expect((await (await get(handler, `/${conversationId}/history`)).json()).pendingApprovals).toEqual(request);
    const decision = { conversationId, decisions: [{ id: request[0].id, type: 'edit', args: { to: 'grace@example.com', body: '你好 👋' } }] };
    const resumed = await sseEvents(await post(handler, '/stream', decision));
    expect(kinds(resumed)).toEqual(['start', 'chunk', 'done']);
    expect(chunkText(resumed)).toBe('工具回复：已发送给 grace@example.com ✉️');
    expect(runs).toEqual([{ to: 'grace@example.com', body: '你好 👋' }]);
    // Saved as it ran: the call with its edited args (what the thread holds and the model reads next).
    const edited = (await (await get(handler, `/${conversationId}/history`)).json()).messages[1].parts[1];
    expect(edited).toMatchObject({ type: 'tool-send_email', input: { to: 'grace@example.com', body: '你好 👋' }, state: 'output-available', output: '已发送给 grace@example.com' });
    const again = await post(handler, '/stream', decision);
    expect([again.status, (await again.json()).error]).toEqual([409, expect.stringMatching(/waits for no decision/)]);
    expect(runs).toHaveLength(1);
  });

  it('reject with a message: the tool never runs, the answer quotes it', async () => {
    const { conversationId, request, runs } = await waitingSse();
    const resumed = await sseEvents(await post(handler, '/stream', { conversationId, decisions: [{ id: request[0].id, type: 'reject', message: '不要发' }] }));
    expect(kinds(resumed)).toEqual(['start', 'chunk', 'done']);
    expect(chunkText(resumed)).toBe('工具回复：不要发 ✉️');
    expect(runs).toHaveLength(0);
  });

  it('bad decisions are refused before anything runs: 400 for a malformed body, 409 for an unknown id, 400 for a decision not allowed', async () => {
    const { conversationId, request, runs } = await waitingSse();
    const refusal = async (decisions: unknown) => {
      const response = await post(handler, '/stream', { conversationId, decisions });
      return [response.status, (await response.json()).error as string];
    };
    expect(await refusal([])).toEqual([400, expect.stringMatching(/non-empty array/)]);
    expect(await refusal([{ id: request[0].id, type: 'maybe' }])).toEqual([400, expect.stringMatching(/"approve", "edit", "reject"/)]);
    expect(await refusal([{ id: request[0].id, type: 'edit' }])).toEqual([400, expect.stringMatching(/args must be/)]);
    expect(await refusal([{ id: 'nope:0', type: 'approve' }])).toEqual([409, expect.stringMatching(/No request "nope:0" waits/)]);
    expect(await refusal([{ id: request[0].id, type: 'respond', value: 1 }])).toEqual([400, expect.stringMatching(/'respond' is not allowed/)]);
    expect(runs).toHaveLength(0);
    const resumed = await sseEvents(await post(handler, '/stream', { conversationId, decisions: [{ id: request[0].id, type: 'approve' }] }));
    expect(resumed.at(-1)!.event).toBe('done');
    expect(runs).toHaveLength(1);
  });
});

describe('createChatHandler({ agent }) saves the whole run (decision 0231)', () => {
  it('an AI SDK edit (the page changed the input, no signing) is saved with the edited args; the next turn\'s model reads them', async () => {
    const seen: string[] = [];
    const setup = approvalAgent();
    handler = createChatHandler({ agent: setup.agent, Command });
    const chatId = newChatId();
    const waiting = waitingOf(await uiChunks(await post(handler, '', askBody(chatId))));
    await uiChunks(await post(handler, '', decisionBody(chatId, waiting, { approved: true, input: { to: 'grace@example.com', body: '你好 🌏' } })));
    expect(setup.runs).toEqual([{ to: 'grace@example.com', body: '你好 🌏' }]);
    const history = await (await get(handler, `/${chatId}/history`)).json();
    expect(history.messages[1].parts[1]).toMatchObject({ input: { to: 'grace@example.com', body: '你好 🌏' }, state: 'output-available' });
    const state = await (setup.agent as unknown as { getState(c: object): Promise<{ values: { messages: { tool_calls?: { args: unknown }[] }[] } }> }).getState({ configurable: { thread_id: chatId } });
    for (const m of state.values.messages) for (const c of m.tool_calls ?? []) seen.push(JSON.stringify(c.args));
    expect(seen).toEqual([JSON.stringify({ to: 'grace@example.com', body: '你好 🌏' })]); // the thread holds the same edited call
  });
});
