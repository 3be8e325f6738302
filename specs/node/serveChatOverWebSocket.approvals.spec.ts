/**
 * serveChatOverWebSocket with approvals, over a real `ws` client: a conversation turn
 * (`chat: handler`, a real createAgent + humanInTheLoopMiddleware) that stops for a decision is
 * reported as `approval-request` (never `done`), a `decide` message resumes it once (a second is an
 * `error` with status 409, also from another socket), and the connection's own session reports an
 * awaiting agent turn as `approval-request` too.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { socket, type WsMessage } from '../support/wsClient';
import { createChatHandler, streamAgentTurn, type ChatHandler } from '../../src';
import { serveChatOverWebSocket, toNodeHandler, type ChatWebSocketServer } from '../../src/node';
import { approvalAgent } from '../support/approvalAgent';
import { Command, get } from '../support/approvalHandler';
import { newChatId } from '../support/chatHandler';
import { useCleanup } from '../support/cleanup';

type Message = WsMessage;

describe('serveChatOverWebSocket: approvals', () => {
  let setup: ReturnType<typeof approvalAgent>;
  let handler: ChatHandler;
  let server: Server;
  let chat: ChatWebSocketServer;
  let url: string;
  beforeEach(async () => {
    setup = approvalAgent();
    handler = createChatHandler({ agent: setup.agent, Command });
    server = createServer(toNodeHandler(handler));
    const sessionTurn = streamAgentTurn(setup.agent, { configurable: { thread_id: `session-${newChatId()}` } }, { Command });
    chat = serveChatOverWebSocket(server, { path: '/ws', streamTurn: sessionTurn, chat: handler });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
  });
  const cleanup = useCleanup(); // before the afterEach below: closers run first, where a finally ran
  afterEach(async () => {
    await chat.close();
    await handler.close();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  });

  it('a conversation turn that stops for a decision is an approval-request, not done; decide on another socket resumes it once', async () => {
    const [a, b] = await Promise.all([socket(url), socket(url)]);
    cleanup(() => Promise.all([a.close(), b.close()]));
    const conversationId = newChatId();
    a.send({ type: 'ask', question: '给 Ada 发一封邮件说你好', conversationId });
    const asked = await a.waitFor((m) => m.type === 'approval-request' || m.type === 'done' || m.type === 'error');
    expect(asked).toMatchObject({ type: 'approval-request', conversationId, requests: [{ toolName: 'send_email', input: { to: 'ada@example.com', body: '你好 🌏' } }] });
    expect(a.messages.some((m) => m.type === 'done')).toBe(false);
    const [request] = asked.requests as { id: string }[];
    const pending = await (await get(handler, `/${conversationId}/history`)).json();
    expect(pending.pendingApprovals.map((r: { id: string }) => r.id)).toEqual([request.id]);

    b.send({ type: 'decide', conversationId, decisions: [{ id: request.id, type: 'edit', args: { to: 'grace@example.com', body: '你好 👋' } }] });
    const done = await b.waitFor((m) => m.type === 'done' || m.type === 'error');
    expect(done).toMatchObject({ type: 'done', conversationId, stopped: false });
    expect(b.messages.filter((m) => m.type === 'chunk').map((m) => m.text).join('')).toBe('工具回复：已发送给 grace@example.com ✉️');
    expect(setup.runs).toEqual([{ to: 'grace@example.com', body: '你好 👋' }]);

    a.send({ type: 'decide', conversationId, decisions: [{ id: request.id, type: 'approve' }] });
    expect(await a.waitFor((m) => m.type === 'error')).toMatchObject({ conversationId, status: 409, code: 'HTTP_409' });
    expect(setup.runs).toHaveLength(1);
  });

  it('bad decide messages are errors and the connection stays: no conversationId, malformed decisions', async () => {
    const a = await socket(url);
    cleanup(() => a.close());
    a.send({ type: 'decide', decisions: [{ id: 'x:0', type: 'approve' }] });
    expect(await a.waitFor((m) => m.type === 'error')).toMatchObject({ message: expect.stringMatching(/send its conversationId/) });
    a.send({ type: 'decide', conversationId: newChatId(), decisions: 'yes' });
    expect(await a.waitFor((m) => m.type === 'error', 2)).toMatchObject({ status: 400, message: expect.stringMatching(/non-empty array/) });
    a.send({ type: 'decide', conversationId: newChatId(), decisions: [{ id: 'x:0', type: 'approve' }] });
    expect(await a.waitFor((m) => m.type === 'error', 3)).toMatchObject({ status: 409, message: expect.stringMatching(/waits for no decision/) });
    expect(setup.runs).toHaveLength(0);
  });

  it("the connection's own session reports an agent turn waiting for a decision as approval-request, not done", async () => {
    const a = await socket(url);
    cleanup(() => a.close());
    a.send({ type: 'ask', question: '给 Ada 发一封邮件说你好' });
    const end = await a.waitFor((m) => m.type === 'approval-request' || m.type === 'done' || m.type === 'error');
    expect(end).toMatchObject({ type: 'approval-request', turn: 0, requests: [{ toolName: 'send_email', allowedDecisions: ['approve', 'edit', 'reject'] }] });
    expect(setup.runs).toHaveLength(0);
  });
});
