/**
 * History under faults: a failed or interrupted turn is never saved as a complete
 * answer, and the next turn works — through chatTurns, the real ChatOpenAI and the
 * fake server's fault queue.
 */
import { from, lastValueFrom, tap, toArray, VirtualTimeScheduler } from 'rxjs';
import { ChatOpenAI } from '@langchain/openai';
import { HumanMessage, type AIMessage, type BaseMessage } from '@langchain/core/messages';
import { chatTurns, type TurnDoneEvent, type TurnEvent, type TurnFailedEvent } from '../../src';
import { SyncInMemoryChatMessageHistory } from '../../src/testing';
import { fromRunnable } from '../../src/sources/fromRunnable';
import { requireCompletion, streamTimeout } from '../../src';
import { StreamInterruptedError, StreamTimeoutError } from '../../src/errors';
import { startFakeOpenAIServer, tokenize, type FakeOpenAIServer } from '../../src/testing';
import { until } from '../support/http';
import { advance } from '../support/virtualClock';

const REPLY = '这是一个完整的回答 ✅ with a proper ending.';
const TOKENS = tokenize(REPLY);

function openai(server: FakeOpenAIServer): ChatOpenAI {
  return new ChatOpenAI({ apiKey: 'test', model: 'gpt-4o-mini', maxRetries: 0, configuration: { baseURL: server.baseURL } });
}

const ends = (events: TurnEvent[]): Array<TurnDoneEvent | TurnFailedEvent> =>
  events.filter((e): e is TurnDoneEvent | TurnFailedEvent => e.type !== 'chunk');

describe('chat history under faults (chatTurns + requireCompletion, real ChatOpenAI)', () => {
  let server: FakeOpenAIServer;
  afterEach(() => server?.close());

  /**
   * The idle timeout runs on `clock`, a virtual clock the spec advances only once a stalled request
   * has sent its chunks: on a loaded machine a healthy turn can never look stalled. `received`
   * counts the chunks of each question.
   */
  function session(history: SyncInMemoryChatMessageHistory, options: { onIncomplete?: 'discard' | 'keep-partial' } = {}, clock = new VirtualTimeScheduler()) {
    const model = openai(server);
    const received = new Map<string, number>();
    const turns = chatTurns(
      ({ history: past, question }) =>
        fromRunnable(model, [...past, new HumanMessage(question)]).pipe(
          tap(() => received.set(question, (received.get(question) ?? 0) + 1)),
          streamTimeout({ idleMs: 300, scheduler: clock }),
          requireCompletion(),
        ),
      { history, ...options },
    );
    return Object.assign(turns, { received });
  }

  it('drop, clean early end, 500 and stall each fail their turn, save nothing, and the next turn is answered and saved whole', async () => {
    server = await startFakeOpenAIServer({
      reply: REPLY,
      faults: [
        { type: 'drop', afterChunks: 2 },
        { type: 'end-early', afterChunks: 3 },
        { type: 'status', status: 500 },
        { type: 'stall', afterChunks: 1 },
        null,
      ],
    });
    const history = new SyncInMemoryChatMessageHistory();
    const clock = new VirtualTimeScheduler();
    const turns = session(history, {}, clock);
    const done = lastValueFrom(from(['q-drop', 'q-end', 'q-500', 'q-stall', 'q-ok']).pipe(turns, toArray()));
    await until(() => turns.received.get('q-stall') === 2, 'the role chunk and the one chunk before the stall');
    advance(clock, 300);
    const events = await done;
    const [drop, end, status, stall, ok] = ends(events);

    expect(drop).toMatchObject({ type: 'error', saved: false, partialText: TOKENS.slice(0, 2).join('') });
    expect((drop as TurnFailedEvent).error).toBeInstanceOf(StreamInterruptedError);
    expect(end).toMatchObject({ type: 'error', saved: false, partialText: TOKENS.slice(0, 3).join('') });
    expect(((end as TurnFailedEvent).error as StreamInterruptedError).reason).toBe('no-finish');
    expect(status).toMatchObject({ type: 'error', saved: false, partialText: '' });
    expect(((status as TurnFailedEvent).error as { status?: number }).status).toBe(500);
    expect(stall).toMatchObject({ type: 'error', saved: false });
    expect((stall as TurnFailedEvent).error).toBeInstanceOf(StreamTimeoutError);
    expect(ok).toMatchObject({ type: 'done', text: REPLY });

    // Only the good turn is in the history, whole, with its finish_reason.
    const stored = history.getMessagesSync();
    expect(stored.map((m) => [m.getType(), m.content])).toEqual([['human', 'q-ok'], ['ai', REPLY]]);
    expect((stored[1] as AIMessage).response_metadata.finish_reason).toBe('stop');
    // …and the model never saw the failed turns as context.
    expect(server.requests[4].body.messages).toEqual([{ role: 'user', content: 'q-ok' }]);
    // Every failed request was closed (the stall by the client's abort).
    for (const r of server.requests) expect(r.closedAt).toBeDefined();
    expect(server.requests[3].closedByClient).toBe(true);
  });

  it('chatTurns checks completion by default: a clean early end is not saved; requireCompletion: false (models without a finish reason) saves it', async () => {
    server = await startFakeOpenAIServer({ reply: REPLY, faults: [{ type: 'end-early', afterChunks: 3 }, { type: 'end-early', afterChunks: 3 }] });
    const model = openai(server);
    const streamTurn = ({ history: past, question }: { history: BaseMessage[]; question: string }) => fromRunnable(model, [...past, new HumanMessage(question)]);
    const strict = new SyncInMemoryChatMessageHistory();
    const strictEvents = await lastValueFrom(from(['q']).pipe(chatTurns(streamTurn, { history: strict }), toArray()));
    expect(ends(strictEvents)[0]).toMatchObject({ type: 'error', saved: false, partialText: TOKENS.slice(0, 3).join('') });
    expect(strict.getMessagesSync()).toEqual([]);

    const lenient = new SyncInMemoryChatMessageHistory();
    const events = await lastValueFrom(from(['q']).pipe(chatTurns(streamTurn, { history: lenient, requireCompletion: false }), toArray()));
    expect(ends(events)[0]).toMatchObject({ type: 'done', text: TOKENS.slice(0, 3).join('') });
    expect((lenient.getMessagesSync()[1] as AIMessage).response_metadata.finish_reason).toBeUndefined();
  });

  it("with onIncomplete: 'keep-partial', the partial reply is saved marked partial, never as a finished answer", async () => {
    server = await startFakeOpenAIServer({ reply: REPLY, faults: [{ type: 'drop', afterChunks: 2 }, null] });
    const history = new SyncInMemoryChatMessageHistory();
    const events = await lastValueFrom(from(['q1', 'q2']).pipe(session(history, { onIncomplete: 'keep-partial' }), toArray()));
    expect(ends(events).map((e) => [e.type, 'saved' in e ? e.saved : true])).toEqual([['error', true], ['done', true]]);
    const [, partial, , whole] = history.getMessagesSync() as AIMessage[];
    expect(partial.content).toBe(TOKENS.slice(0, 2).join(''));
    expect(partial.response_metadata).toMatchObject({ partial: true, partial_reason: 'cut' });
    expect(partial.response_metadata.finish_reason).toBeUndefined();
    expect(whole.content).toBe(REPLY);
    expect(whole.response_metadata.partial).toBeUndefined();
  });
});
