/**
 * Nothing cut is saved as complete, by default, at the chat level: chatTurns, ChatSession and
 * serveChatOverWebSocket over the real ChatOpenAI and the fake OpenAI server. For each fault
 * (a clean cut, a socket destroyed mid-reply, a stall ended by the idle timeout): the event the
 * user saw and the history afterwards.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { from, lastValueFrom, tap, toArray, VirtualTimeScheduler } from 'rxjs';
import { WebSocket } from 'ws';
import { ChatOpenAI } from '@langchain/openai';
import { HumanMessage, type AIMessage, type BaseMessage } from '@langchain/core/messages';
import { chatTurns, ChatSession, fromRunnable, streamTimeout, type TurnEvent, type TurnFailedEvent } from '../../src';
import { serveChatOverWebSocket } from '../../src/node';
import { StreamInterruptedError, StreamTimeoutError } from '../../src/errors';
import { SyncInMemoryChatMessageHistory, startFakeOpenAIServer, tokenize, type FakeFault, type FakeOpenAIServer } from '../../src/testing';
import { useCleanup } from '../support/cleanup';
import { until } from '../support/http';
import { advance } from '../support/virtualClock';

const REPLY = '这是一个完整的回答 ✅ with a proper ending.';
const TOKENS = tokenize(REPLY);
const seen = (n: number): string => TOKENS.slice(0, n).join('');

let server: FakeOpenAIServer;
afterEach(() => server?.close());

const openai = (s: FakeOpenAIServer): ChatOpenAI =>
  new ChatOpenAI({ apiKey: 'test', model: 'gpt-4o-mini', maxRetries: 0, configuration: { baseURL: s.baseURL } });
const dump = (messages: BaseMessage[]): string[] => messages.map((m) => `${m.getType()}:${m.text}`);

/**
 * One turn through chatTurns with its defaults (no requireCompletion in sight), then a healthy one.
 * The idle timeout runs on a virtual clock that the spec advances only once a stalled request has
 * sent its chunks (the role chunk and `afterChunks` more): on a loaded machine a healthy turn can
 * never look stalled, and the stall is still ended by the timeout.
 */
async function twoTurns(fault: FakeFault, onIncomplete?: 'keep-partial') {
  server = await startFakeOpenAIServer({ reply: REPLY, faults: [fault, null] });
  const model = openai(server);
  const history = new SyncInMemoryChatMessageHistory();
  const clock = new VirtualTimeScheduler();
  let received = 0;
  const turns = lastValueFrom(
    from(['q-fault', 'q-ok']).pipe(
      chatTurns(
        ({ history: past, question }) =>
          fromRunnable(model, [...past, new HumanMessage(question)]).pipe(
            tap(() => question === 'q-fault' && received++),
            streamTimeout({ idleMs: 300, scheduler: clock }),
          ),
        { history, onIncomplete },
      ),
      toArray(),
    ),
  );
  if (fault.type === 'stall') {
    await until(() => received === fault.afterChunks + 1, 'the chunks before the stall');
    advance(clock, 300);
  }
  const events = await turns;
  const shown = events.filter((e) => e.type === 'chunk' && e.turn === 0).map((e) => (e as { text: string }).text).join('');
  const [failed, ok] = events.filter((e): e is Exclude<TurnEvent, { type: 'chunk' }> => e.type !== 'chunk');
  return { history, failed: failed as TurnFailedEvent, ok, shown };
}

describe('chatTurns (defaults) over the real ChatOpenAI', () => {
  it('a clean cut (the response ends without finish_reason): error event with StreamInterruptedError, nothing saved', async () => {
    const { history, failed, ok, shown } = await twoTurns({ type: 'end-early', afterChunks: 3 });
    expect(shown).toBe(seen(3));
    expect(failed).toMatchObject({ type: 'error', turn: 0, partialText: seen(3), chunks: 3, saved: false });
    expect(failed.error).toBeInstanceOf(StreamInterruptedError);
    expect(failed.error).toMatchObject({ reason: 'no-finish', partialText: seen(3) });
    expect(ok).toMatchObject({ type: 'done', text: REPLY });
    expect(dump(history.getMessagesSync())).toEqual(['human:q-ok', `ai:${REPLY}`]);
    expect(server.requests[1].body.messages).toEqual([{ role: 'user', content: 'q-ok' }]); // the cut turn is no context
  });

  it('a socket destroyed mid-reply: error event with StreamInterruptedError (reason error), nothing saved', async () => {
    const { history, failed, ok, shown } = await twoTurns({ type: 'drop', afterChunks: 2 });
    expect(shown).toBe(seen(2));
    expect(failed).toMatchObject({ type: 'error', partialText: seen(2), saved: false });
    expect(failed.error).toBeInstanceOf(StreamInterruptedError);
    expect(failed.error).toMatchObject({ reason: 'error', partialText: seen(2) });
    expect(ok).toMatchObject({ type: 'done', text: REPLY });
    expect(dump(history.getMessagesSync())).toEqual(['human:q-ok', `ai:${REPLY}`]);
  });

  it('a stall ended by the idle timeout: error event with StreamTimeoutError (idle), nothing saved, the request aborted', async () => {
    const { history, failed, ok, shown } = await twoTurns({ type: 'stall', afterChunks: 2 });
    expect(shown).toBe(seen(2));
    expect(failed).toMatchObject({ type: 'error', partialText: seen(2), saved: false });
    expect(failed.error).toBeInstanceOf(StreamTimeoutError);
    expect(failed.error).toMatchObject({ kind: 'idle' });
    expect(ok).toMatchObject({ type: 'done', text: REPLY });
    expect(dump(history.getMessagesSync())).toEqual(['human:q-ok', `ai:${REPLY}`]);
    expect(server.requests[0].closedByClient).toBe(true);
  });

  it.each([
    ['end-early', { type: 'end-early', afterChunks: 3 }, 3, 'cut'],
    ['drop', { type: 'drop', afterChunks: 2 }, 2, 'cut'],
    ['stall', { type: 'stall', afterChunks: 2 }, 2, 'timeout'],
  ] as const)("'keep-partial' saves the %s turn marked partial, never with a finish reason", async (_name, fault, n, reason) => {
    const { history, failed } = await twoTurns(fault as FakeFault, 'keep-partial');
    expect(failed).toMatchObject({ type: 'error', saved: true });
    const [human, partial, , whole] = history.getMessagesSync() as AIMessage[];
    expect(human.text).toBe('q-fault');
    expect(partial.text).toBe(seen(n));
    expect(partial.response_metadata).toMatchObject({ partial: true, partial_reason: reason });
    expect(partial.response_metadata.finish_reason).toBeUndefined();
    expect(whole.text).toBe(REPLY);
    expect(whole.response_metadata).toMatchObject({ finish_reason: 'stop' });
    expect(whole.response_metadata.partial).toBeUndefined();
  });
});

describe('ChatSession (defaults) over the real ChatOpenAI', () => {
  it.each([
    ['a clean cut', { type: 'end-early', afterChunks: 3 } as FakeFault, 3, 'no-finish'],
    ['a socket destroyed mid-reply', { type: 'drop', afterChunks: 2 } as FakeFault, 2, 'error'],
  ])('%s: ask() resolves with StreamInterruptedError and the partial text; nothing saved', async (_name, fault, n, reason) => {
    server = await startFakeOpenAIServer({ reply: REPLY, faults: [fault, null] });
    const shown: string[] = [];
    const session = new ChatSession({ model: openai(server), onChunk: (text) => shown.push(text) });
    const cut = await session.ask('q-fault');
    expect(cut.error).toBeInstanceOf(StreamInterruptedError);
    expect(cut).toMatchObject({ text: seen(n), chunks: n, error: { reason, partialText: seen(n) } });
    expect(shown.join('')).toBe(seen(n));
    expect(cut.message).toBeUndefined();
    expect(await session.history.getMessages()).toEqual([]);
    const ok = await session.ask('q-ok');
    expect(ok).toMatchObject({ text: REPLY });
    expect(dump(await session.history.getMessages())).toEqual(['human:q-ok', `ai:${REPLY}`]);
    session.close();
  });

  it('firstChunkMs is the first chunk with content: the role chunk the server sends at once does not count', async () => {
    server = await startFakeOpenAIServer({ reply: REPLY, firstChunkDelayMs: 200 });
    const session = new ChatSession({ model: openai(server) });
    const result = await session.ask('q');
    // The role chunk arrives at once; the first text only after 200 ms (a lower bound, never an upper one).
    expect(result.firstChunkMs).not.toBeNull();
    expect(result.firstChunkMs!).toBeGreaterThanOrEqual(190);
    expect(result.chunks).toBe(TOKENS.length); // text chunks only: no role, finish or usage chunk
    session.close();
  });
});

describe('serveChatOverWebSocket (defaults) over the real ChatOpenAI', () => {
  let http: Server;
  const cleanup = useCleanup(); // before the afterEach below: the chat and its socket close first
  afterEach(() => new Promise<void>((resolve) => (http ? http.close(() => resolve()) : resolve())));

  it('a clean cut reaches the client as an error message (STREAM_INTERRUPTED) and the connection history stays empty', async () => {
    server = await startFakeOpenAIServer({ reply: REPLY, faults: [{ type: 'end-early', afterChunks: 3 }, null] });
    const model = openai(server);
    const history = new SyncInMemoryChatMessageHistory();
    http = createServer((_req, res) => res.writeHead(404).end());
    const chat = serveChatOverWebSocket(http, {
      streamTurn: ({ history: past, question }) => fromRunnable(model, [...past, new HumanMessage(question)]),
      createHistory: () => history,
      heartbeatMs: 0,
    });
    cleanup(() => chat.close());
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const ws = new WebSocket(`ws://127.0.0.1:${(http.address() as AddressInfo).port}/ws`);
    cleanup(() => ws.terminate());
    const messages: Array<{ type: string; text?: string; code?: string; turn?: number }> = [];
    await new Promise<void>((resolve, reject) => {
      ws.on('open', () => ws.send(JSON.stringify({ type: 'ask', question: 'q-fault' })));
      ws.on('message', (data) => {
        const m = JSON.parse(String(data)) as (typeof messages)[number];
        messages.push(m);
        if (m.type === 'error') ws.send(JSON.stringify({ type: 'ask', question: 'q-ok' }));
        if (m.type === 'done') resolve();
      });
      ws.on('error', reject);
    });
    ws.close();
    await chat.close();
    const first = messages.filter((m) => m.turn === 0);
    expect(first.filter((m) => m.type === 'chunk').map((m) => m.text).join('')).toBe(seen(3));
    expect(first[first.length - 1]).toMatchObject({ type: 'error', code: 'STREAM_INTERRUPTED' });
    expect(dump(history.getMessagesSync())).toEqual(['human:q-ok', `ai:${REPLY}`]);
  });
});
