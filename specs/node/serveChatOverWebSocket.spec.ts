import { WebSocket, WebSocketServer } from 'ws';
import { throwError } from 'rxjs';
import { ChatOpenAI } from '@langchain/openai';
import { HumanMessage, type BaseMessage } from '@langchain/core/messages';
import { fromRunnable, textContent } from '../../src';
import { serveChatOverWebSocket, type ChatServerMessage, type ChatWebSocketServer } from '../../src/node';
import { ScriptedChatModel, startFakeOpenAIServer } from '../../src/testing';
import { listen, TRICKY_REPLY } from '../support/http';
import { replyTo } from '../../src/offline/cannedReplies';
import { useCleanup } from '../support/cleanup';

const cleanup = useCleanup();

/** A ws client that records every server message and can wait for one. */
async function client(url: string, headers?: Record<string, string>) {
  const ws = new WebSocket(url, { headers });
  const messages: ChatServerMessage[] = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (data) => {
    messages.push(JSON.parse(data.toString()) as ChatServerMessage);
    waiters.forEach((w) => w());
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  return {
    ws,
    messages,
    closed,
    send: (value: unknown) => ws.send(typeof value === 'string' ? value : JSON.stringify(value)),
    waitFor(predicate: (m: ChatServerMessage) => boolean, timeoutMs = 60_000): Promise<ChatServerMessage> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching message; got ${JSON.stringify(messages.slice(-3))}`)), timeoutMs);
        const check = (): void => {
          const found = messages.find(predicate);
          if (found) {
            clearTimeout(timer);
            waiters.splice(waiters.indexOf(check), 1);
            resolve(found);
          }
        };
        waiters.push(check);
        check();
      });
    },
    textOf: (turn: number) => messages.filter((m) => m.type === 'chunk' && m.turn === turn).map((m) => (m as { text: string }).text).join(''),
  };
}

async function start(streamTurnModel: ScriptedChatModel | ChatOpenAI, extra: Partial<Parameters<typeof serveChatOverWebSocket>[1]> = {}) {
  const http = await listen((_req, res) => res.writeHead(404).end());
  const histories: BaseMessage[][] = [];
  const chat: ChatWebSocketServer = serveChatOverWebSocket(http.server, {
    streamTurn: ({ question, history }) => {
      histories.push([...history]);
      return fromRunnable(streamTurnModel, [...history, new HumanMessage(question)]);
    },
    ...extra,
  });
  return {
    url: http.url.replace('http', 'ws') + '/ws',
    http,
    chat,
    histories,
    async close() {
      await chat.close();
      await http.close();
    },
  };
}

describe('serveChatOverWebSocket', () => {
  it('streams a reply as chunk messages then done; Chinese, emoji and newlines arrive intact', async () => {
    const s = await start(new ScriptedChatModel({ reply: TRICKY_REPLY }));
    const c = await client(s.url);
    cleanup(() => s.close());
    cleanup(() => c.ws.close());
    c.send({ type: 'ask', question: 'hi' });
    expect(await c.waitFor((m) => m.type === 'done')).toEqual({ type: 'done', turn: 0, stopped: false });
    expect(c.textOf(0)).toBe(TRICKY_REPLY);
    expect(c.messages.filter((m) => m.type === 'chunk').length).toBeGreaterThan(10);
  });

  it('keeps one history per connection and answers questions one at a time, in order', async () => {
    const s = await start(new ScriptedChatModel({ chunkDelayMs: 1 }));
    const a = await client(s.url);
    const b = await client(s.url);
    cleanup(() => s.close());
    cleanup(() => b.ws.close());
    cleanup(() => a.ws.close());
    a.send({ type: 'ask', question: '什么是Python' });
    a.send({ type: 'ask', question: '什么是Rust' });
    await a.waitFor((m) => m.type === 'done' && m.turn === 1);
    const turnsInOrder = a.messages.map((m) => ('turn' in m ? m.turn : -1));
    expect(turnsInOrder).toEqual([...turnsInOrder].sort()); // no chunk of turn 2 before turn 1 ended
    expect(a.textOf(0)).toContain('Python 是一门');
    expect(a.textOf(1)).toContain('Rust 是一门');
    b.send({ type: 'ask', question: 'hello' });
    await b.waitFor((m) => m.type === 'done');
    expect(s.histories.map((h) => h.map((m) => m.content))).toEqual([[], ['什么是Python', a.textOf(0)], []]);
  });

  it('stop ends the running reply (done, stopped: true); the next question still works and, with keep-partial, sees the partial answer', async () => {
    const s = await start(new ScriptedChatModel({ chunkDelayMs: 15 }), { onIncomplete: 'keep-partial' });
    const c = await client(s.url);
    cleanup(() => s.close());
    cleanup(() => c.ws.close());
    c.send({ type: 'ask', question: '讲一个关于程序员的故事' });
    await c.waitFor((m) => m.type === 'chunk');
    c.send({ type: 'stop' });
    expect(await c.waitFor((m) => m.type === 'done')).toEqual({ type: 'done', turn: 0, stopped: true });
    const partial = c.textOf(0);
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(replyTo('讲一个关于程序员的故事').length); // stopped before the end
    c.send({ type: 'ask', question: 'hello' });
    expect(await c.waitFor((m) => m.type === 'done' && m.turn === 1)).toMatchObject({ stopped: false });
    expect(s.histories[1].map((m) => m.content)).toEqual(['讲一个关于程序员的故事', partial]);
  });

  it('a connection keeps at most maxSavedMessages (whole turns, oldest dropped), so its memory stays flat however long it chats', async () => {
    const s = await start(new ScriptedChatModel({ reply: 'ok', firstChunkDelayMs: 0, chunkDelayMs: 0 }), { maxMessages: Infinity, maxSavedMessages: 4 });
    const c = await client(s.url);
    cleanup(() => s.close());
    cleanup(() => c.ws.close());
    for (let turn = 0; turn < 6; turn++) {
      c.send({ type: 'ask', question: `q${turn}` });
      await c.waitFor((m) => m.type === 'done' && m.turn === turn);
    }
    // With maxMessages: Infinity the model sees everything kept: never more than 4 messages.
    expect(s.histories.map((h) => h.length)).toEqual([0, 2, 4, 4, 4, 4]);
    expect(s.histories[5].map((m) => m.content)).toEqual(['q3', 'ok', 'q4', 'ok']);
    expect(() => serveChatOverWebSocket(s.http.server, { streamTurn: () => null as never, maxSavedMessages: -1 })).toThrow(RangeError);
  });

  it('malformed JSON, non-objects, unknown types and empty questions get an error message; the connection stays open', async () => {
    const s = await start(new ScriptedChatModel());
    const c = await client(s.url);
    cleanup(() => s.close());
    cleanup(() => c.ws.close());
    for (const bad of ['not json', '[1]', '{"type":"dance"}', '{"type":"ask","question":"  "}', '{"type":"ask"}']) c.send(bad);
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await c.waitFor(() => c.messages.length >= 6);
    expect(c.messages.map((m) => (m as { code?: string }).code)).toEqual(Array(6).fill('WS_BAD_MESSAGE'));
    expect((c.messages[2] as { message: string }).message).toBe('Unknown message type "dance"; use "ask" or "stop".');
    c.send({ type: 'ask', question: 'hello' });
    await c.waitFor((m) => m.type === 'done');
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('closes a connection that sends a message over maxPayload (1009) and refuses questions over maxQuestionChars', async () => {
    const s = await start(new ScriptedChatModel(), { maxPayload: 1024, maxQuestionChars: 10 });
    const c = await client(s.url);
    cleanup(() => s.close());
    c.send({ type: 'ask', question: '一二三四五六七八九十😀' });
    expect(await c.waitFor((m) => m.type === 'error')).toMatchObject({ code: 'WS_BAD_MESSAGE', message: 'The question is 11 characters long; the limit is 10.' });
    c.send({ type: 'ask', question: 'x'.repeat(2000) });
    expect(await c.closed).toBe(1009);
  });

  it('refuses origins outside the allow-list with 403 at the handshake', async () => {
    const s = await start(new ScriptedChatModel(), { allowedOrigins: ['http://good.example'] });
    cleanup(() => s.close());
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(s.url, { headers: { origin: 'http://evil.example' } });
      ws.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.on('error', () => undefined);
    });
    expect(status).toBe(403);
    const ok = await client(s.url, { origin: 'http://good.example' });
    ok.ws.close();
    expect(s.chat.connections).toBeLessThanOrEqual(1);
  });

  it('a disconnect mid-reply aborts the real ChatOpenAI request', async () => {
    const openai = await startFakeOpenAIServer({ chunkDelayMs: 10 });
    const s = await start(new ChatOpenAI({ apiKey: 'test', model: 'gpt-4o-mini', configuration: { baseURL: openai.baseURL } }));
    const c = await client(s.url);
    cleanup(() => openai.close());
    cleanup(() => s.close());
    c.send({ type: 'ask', question: '讲一个关于程序员的故事' });
    await c.waitFor(() => c.messages.filter((m) => m.type === 'chunk').length >= 3);
    expect(s.chat.activeTurns).toBe(1);
    c.ws.terminate();
    const record = await openai.waitForClose();
    expect(record.closedByClient).toBe(true);
    expect(record.chunksWritten).toBeLessThan(record.chunksTotal);
    expect(s.chat.activeTurns).toBe(0);
  });

  it('a failed turn gets an error message with its turn and the session goes on; too many waiting questions get WS_BUSY', async () => {
    const http = await listen((_req, res) => res.writeHead(404).end());
    const model = new ScriptedChatModel({ chunkDelayMs: 5 });
    const chat = serveChatOverWebSocket(http.server, {
      maxQueuedQuestions: 1,
      streamTurn: ({ question }) => (question === 'fail' ? throwError(() => new Error('provider down')) : fromRunnable(model, question)),
    });
    const c = await client(http.url.replace('http', 'ws') + '/ws');
    cleanup(() => http.close());
    cleanup(() => chat.close());
    cleanup(() => c.ws.close());
    c.send({ type: 'ask', question: 'fail' });
    expect(await c.waitFor((m) => m.type === 'error')).toEqual({ type: 'error', turn: 0, name: 'Error', message: 'provider down' });
    c.send({ type: 'ask', question: 'hello' }); // runs
    c.send({ type: 'ask', question: 'hello' }); // waits
    c.send({ type: 'ask', question: 'hello' }); // one too many
    expect(await c.waitFor((m) => (m as { code?: string }).code === 'WS_BUSY')).toMatchObject({ type: 'error' });
    await c.waitFor((m) => m.type === 'done' && m.turn === 2);
    expect(c.messages.filter((m) => m.type === 'done').map((m) => m.turn)).toEqual([1, 2]);
  });

  it('handleMessage sees each message first: what it handles never reaches the session, the rest does; a throw is an error message; its teardowns run when the connection closes', async () => {
    const seen: Array<Record<string, unknown>> = [];
    const torn: string[] = [];
    let tornDown: () => void = () => undefined;
    const closedOnServer = new Promise<void>((resolve) => (tornDown = resolve));
    const s = await start(new ScriptedChatModel({ reply: '会话 😀' }), {
      handleMessage: (message, connection) => {
        seen.push(message);
        if (message.room === undefined) return false;
        if (typeof message.room !== 'string') throw new TypeError('room must be a string.');
        connection.send({ type: 'echo', room: message.room, path: connection.request.url });
        connection.add(() => void (torn.push(message.room as string), tornDown()));
        return true;
      },
    });
    const c = await client(s.url);
    cleanup(() => s.close());
    cleanup(() => c.ws.close());
    c.send({ type: 'ask', question: '你好', room: '房间1' });
    expect(await c.waitFor((m) => (m as { type: string }).type === 'echo')).toEqual({ type: 'echo', room: '房间1', path: '/ws' });
    c.send({ type: 'ask', question: 'hi' }); // not handled: the session answers it, as its turn 0
    expect(await c.waitFor((m) => m.type === 'done')).toEqual({ type: 'done', turn: 0, stopped: false });
    expect(c.textOf(0)).toBe('会话 😀');
    expect(s.histories).toHaveLength(1); // the handled ask never ran a turn
    c.send({ type: 'stop', room: 7 });
    expect(await c.waitFor((m) => m.type === 'error')).toMatchObject({ type: 'error', name: 'TypeError', message: 'room must be a string.' });
    c.send('not json'); // parsing and the object check come first: handleMessage sees only objects
    await c.waitFor((m) => m.type === 'error' && m.name === 'BadChatMessageError');
    expect(seen.map((m) => m.room)).toEqual(['房间1', undefined, 7]);
    expect(torn).toEqual([]);
    // the closing is under test here: the connection's teardowns run when it closes
    c.ws.close();
    await closedOnServer;
    await s.close();
    expect(torn).toEqual(['房间1']);
    expect(() => serveChatOverWebSocket(s.http.server, { streamTurn: () => null as never, handleMessage: 'x' as never })).toThrow(/handleMessage must be a function/);
  });

  it('works with your own WebSocketServer and rejects bad arguments', async () => {
    const http = await listen((_req, res) => res.writeHead(404).end());
    cleanup(() => http.close());
    const wss = new WebSocketServer({ server: http.server, maxPayload: 4096 });
    cleanup(() => new Promise((r) => wss.close(r)));
    const chat = serveChatOverWebSocket(wss, {
      streamTurn: () => fromRunnable(new ScriptedChatModel({ reply: 'ok' }), 'q').pipe(textContent()),
      requireCompletion: false, // plain text carries no finish reason: accepted only with the check off
    });
    cleanup(() => chat.close());
    const c = await client(http.url.replace('http', 'ws'));
    cleanup(() => c.ws.close());
    c.send({ type: 'ask', question: 'q' });
    await c.waitFor((m) => m.type === 'done');
    expect(c.textOf(0)).toBe('ok');
    expect(() => serveChatOverWebSocket({} as never, { streamTurn: () => null as never })).toThrow(TypeError);
    expect(() => serveChatOverWebSocket(http.server, { streamTurn: 'x' as never })).toThrow(/streamTurn must be a function/);
    expect(() => serveChatOverWebSocket(http.server, { streamTurn: () => null as never, maxPayload: 0 })).toThrow(RangeError);
  });
});
