/**
 * serveChatOverWebSocket's cap on session replies across connections (`maxConcurrentTurns`,
 * decision 0380): an `ask` without a `conversationId` runs in the connection's own session, one at
 * a time per connection, so without an endpoint-wide cap 100 sockets were 100 model calls at once
 * (probe22 measured 100/100 on `npm run web`, whose HTTP routes capped the same load at 64).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Observable, type Subscriber } from 'rxjs';
import { AIMessageChunk } from '@langchain/core/messages';
import { serveChatOverWebSocket, type ChatWebSocketServer } from '../../src/node';
import { until } from '../support/chatHandler';
import { socket } from '../support/wsClient';
import { useCleanup } from '../support/cleanup';

/** A reply per `ask` that the spec ends by hand; `torn` counts the replies unsubscribed (aborted). */
function heldReplies() {
  const open: Array<Subscriber<AIMessageChunk>> = [];
  const state = { started: 0, torn: 0 };
  const streamTurn = () =>
    new Observable<AIMessageChunk>((subscriber) => {
      state.started++;
      open.push(subscriber);
      subscriber.next(new AIMessageChunk({ content: '好', response_metadata: {} }));
      return () => void state.torn++;
    });
  const finish = (i: number) => {
    open[i].next(new AIMessageChunk({ content: '', response_metadata: { finish_reason: 'stop' } }));
    open[i].complete();
  };
  return { streamTurn, state, finish };
}

describe('serveChatOverWebSocket: maxConcurrentTurns', () => {
  let server: Server;
  let chat: ChatWebSocketServer;
  let url: string;
  let held: ReturnType<typeof heldReplies>;
  beforeEach(async () => {
    held = heldReplies();
    server = createServer((_req, res) => res.writeHead(404).end());
    chat = serveChatOverWebSocket(server, { streamTurn: held.streamTurn, maxConcurrentTurns: 2 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
  });
  const cleanup = useCleanup(); // before the afterEach below: closers run first, where a finally ran
  afterEach(async () => {
    await chat.close();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  });

  it('a new connection buys no run: past the cap an ask gets WS_BUSY and starts nothing; a finished or closed connection gives its place back', async () => {
    const [a, b, c] = await Promise.all([socket(url), socket(url), socket(url)]);
    cleanup(() => Promise.all([a.close(), b.close(), c.close()]));
    a.send({ type: 'ask', question: '一' });
    b.send({ type: 'ask', question: '二' });
    await until(() => held.state.started === 2);
    c.send({ type: 'ask', question: '三' });
    // Its first answer: a refusal (without the cap, the first chunk of a third run).
    expect(await c.waitFor((m) => m.type === 'error' || m.type === 'chunk')).toEqual({
      type: 'error',
      code: 'WS_BUSY',
      name: 'Error',
      message: expect.stringContaining('maxConcurrentTurns'),
    });
    expect(held.state.started).toBe(2);
    // A's queued question reuses A's place: it runs after A's reply, C's does not sneak in between.
    a.send({ type: 'ask', question: '一又一' });
    held.finish(0);
    await until(() => held.state.started === 3);
    c.send({ type: 'ask', question: '三' });
    expect(await c.waitFor((m) => m.type === 'error' || m.type === 'chunk', 2)).toMatchObject({ type: 'error', code: 'WS_BUSY' });
    // A's second reply ends: A has nothing left to run, its place goes to C.
    held.finish(2);
    await a.waitFor((m) => m.type === 'done', 2);
    c.send({ type: 'ask', question: '三' });
    await until(() => held.state.started === 4);
    // B closes mid-reply: its run is aborted and its place is free again.
    await b.close();
    await until(() => held.state.torn >= 1 && chat.connections === 2);
    a.send({ type: 'ask', question: '一又二' });
    await until(() => held.state.started === 5);
    expect(chat.activeTurns).toBe(2);
  });

  it('maxConcurrentTurns must be an integer >= 1', () => {
    expect(() => serveChatOverWebSocket(server, { streamTurn: held.streamTurn, maxConcurrentTurns: 0 })).toThrow(RangeError);
  });
});
