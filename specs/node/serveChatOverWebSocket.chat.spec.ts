/**
 * serveChatOverWebSocket({ chat: handler }): an `ask` with a `conversationId` is the handler's turn
 * (its reply log: HTTP reads it back), under the handler's caps whichever connection asks (a new
 * socket buys no run), stoppable from another socket; refusals are `error` messages with a status.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { socket, type WsMessage } from '../support/wsClient';
import { createChatHandler, InMemoryConversationLock, type ChatHandler } from '../../src';
import { serveChatOverWebSocket, toNodeHandler, type ChatWebSocketServer } from '../../src/node';
import { gatedStream, newChatId, NOT_CROSS_SITE, REPLY, until, type Runs } from '../support/chatHandler';
import { useCleanup } from '../support/cleanup';

type Message = WsMessage;

describe('serveChatOverWebSocket with a chat handler', () => {
  let runs: Runs;
  let handler: ChatHandler;
  let server: Server;
  let chat: ChatWebSocketServer;
  let url: string;
  let lock: InMemoryConversationLock;
  beforeEach(async () => {
    const gated = gatedStream();
    runs = gated.runs;
    lock = new InMemoryConversationLock();
    handler = createChatHandler({ stream: gated.stream, maxConcurrentRuns: 1, lock });
    server = createServer(toNodeHandler(handler));
    chat = serveChatOverWebSocket(server, { path: '/ws', streamTurn: () => [], chat: handler });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  const cleanup = useCleanup(); // before the afterEach below: closers run first, where a finally ran
  afterEach(async () => {
    runs.open();
    await chat.close();
    await handler.close();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  });

  it('a turn asked over the socket is the handler’s: caps across connections and HTTP, stop from another socket, the reply in the log', async () => {
    const [a, b] = await Promise.all([socket(`ws://${url}/ws`), socket(`ws://${url}/ws`)]);
    cleanup(() => Promise.all([a.close(), b.close()]));
    const conversationId = newChatId();
    a.send({ type: 'ask', question: '你好', conversationId });
    const start = await a.waitFor((m) => m.type === 'start');
    expect(start).toEqual({ type: 'start', conversationId, replyId: expect.any(String) });
    // The cap (1) holds for another connection and for HTTP alike.
    b.send({ type: 'ask', question: '我也要', conversationId: newChatId() });
    expect(await b.waitFor((m) => m.type === 'error')).toMatchObject({ status: 429, code: 'HTTP_429' });
    const http = await fetch(`http://${url}/api/chat/stream`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ question: 'x', conversationId: newChatId() }) });
    expect([http.status, http.headers.get('retry-after')]).toEqual([429, '5']);
    expect(runs.started).toBe(1);
    // A stop from the other socket ends it; the reply read over HTTP is what the socket got.
    b.send({ type: 'stop', conversationId });
    expect(await b.waitFor((m) => m.type === 'stop')).toMatchObject({ conversationId, stopped: true });
    const done = await a.waitFor((m) => m.type === 'done');
    expect(done).toMatchObject({ conversationId, stopped: true });
    const sent = a.messages.filter((m) => m.type === 'chunk').map((m) => m.text).join('');
    expect(REPLY.startsWith(sent)).toBe(true);
    const replay = await (await fetch(`http://${url}/api/chat/stream?conversationId=${conversationId}`, { headers: NOT_CROSS_SITE })).text();
    const replayed = [...replay.matchAll(/^data: (\{"text".*)$/gm)].map((m) => (JSON.parse(m[1]) as { text: string }).text).join('');
    expect(replayed).toBe(sent);
    await until(() => handler.runs === 0);
    // A short id is refused with the handler's message; the socket stays open.
    a.send({ type: 'ask', question: 'q', conversationId: '42' });
    expect(await a.waitFor((m) => m.type === 'error')).toMatchObject({ status: 400, message: expect.stringMatching(/at least 16 random characters/) });
  });

  it('a stop from another socket reaches a turn still waiting for the lock: stopped, its model never called (decision 0325)', async () => {
    const [a, b] = await Promise.all([socket(`ws://${url}/ws`), socket(`ws://${url}/ws`)]);
    const conversationId = newChatId();
    const holder = lock.hold(conversationId).subscribe(); // the lock is busy: the turn waits
    cleanup(() => Promise.all([a.close(), b.close()]));
    cleanup(() => holder.unsubscribe());
    a.send({ type: 'ask', question: '你好', conversationId });
    while ((await lock.turns(conversationId)).length === 0) await new Promise((resolve) => setImmediate(resolve));
    b.send({ type: 'stop', conversationId });
    expect(await b.waitFor((m) => m.type === 'stop')).toMatchObject({ conversationId, stopped: true });
    holder.unsubscribe();
    expect(await a.waitFor((m) => m.type === 'done')).toMatchObject({ conversationId, stopped: true });
    expect(a.messages.filter((m) => m.type === 'chunk')).toEqual([]);
    expect(runs.started).toBe(0);
  });
});
