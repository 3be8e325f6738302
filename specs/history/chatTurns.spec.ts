import { Subject, type Observable } from 'rxjs';
import { AIMessage, AIMessageChunk, HumanMessage, SystemMessage, type BaseMessage } from '@langchain/core/messages';
import { BaseListChatMessageHistory, InMemoryChatMessageHistory } from '@langchain/core/chat_history';
import { chatTurns } from '../../src/history/chatTurns';
import { SyncInMemoryChatMessageHistory } from '../../src/history/SyncInMemoryChatMessageHistory';
import type { TurnEvent, TurnInput } from '../../src/history/types';
import { createScheduler } from '../support/marbles';
import { StreamInterruptedError } from '../../src/errors';

const chunk = (content: string, extra: Partial<ConstructorParameters<typeof AIMessageChunk>[0] & object> = {}): AIMessageChunk =>
  new AIMessageChunk({ content, ...extra });
/** A last chunk: it carries the finish reason that proves the reply is complete. */
const fin = (content: string, extra: Partial<ConstructorParameters<typeof AIMessageChunk>[0] & object> = {}): AIMessageChunk =>
  chunk(content, { ...extra, response_metadata: { finish_reason: 'stop', ...(extra as { response_metadata?: object }).response_metadata } });
const FINISHED = { finish_reason: 'stop' };
const usage = { input_tokens: 3, output_tokens: 2, total_tokens: 5 };

/** Dumps a history as 'type:text' strings for readable assertions. */
const dump = (messages: BaseMessage[]): string[] => messages.map((m) => `${m.getType()}:${m.content as string}`);

describe('chatTurns', () => {
  describe('serialization', () => {
    it('runs one turn at a time: a question arriving mid-reply waits, then sees the saved turn', () => {
      const ts = createScheduler();
      const history = new SyncInMemoryChatMessageHistory();
      const seen: string[][] = [];
      ts.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
        const x = chunk('你好'), y = fin(' 😀', { usage_metadata: usage }), z = fin('Rust');
        const reply0 =   cold('-x-y|', { x, y });
        const reply1 =   cold('-z|', { z });
        const replies = [reply0, reply1];
        const questions = hot('-a--b------|', { a: '什么是Python？', b: '什么是Rust？' });
        const expected =      '--x-yAzB---|';
        const questionsSubs = '^----------!';
        const replies0Subs =  '-^---!';
        const replies1Subs =  '-----^-!';
        const streamTurn = ({ history: h, turn }: TurnInput): Observable<AIMessageChunk> => {
          seen.push(dump(h));
          return replies[turn];
        };
        const full = new AIMessage({ content: '你好 😀', usage_metadata: { ...usage, input_token_details: {}, output_token_details: {} }, response_metadata: FINISHED, additional_kwargs: {}, tool_calls: [], invalid_tool_calls: [] });
        const rust = new AIMessage({ content: 'Rust', response_metadata: FINISHED, additional_kwargs: {}, tool_calls: [], invalid_tool_calls: [] });
        const q0 = '什么是Python？', q1 = '什么是Rust？';
        expectObservable(questions.pipe(chatTurns(streamTurn, { history, scheduler: ts }))).toBe(expected, {
          x: { type: 'chunk', turn: 0, question: q0, chunk: x, text: '你好' },
          y: { type: 'chunk', turn: 0, question: q0, chunk: y, text: ' 😀' },
          A: { type: 'done', turn: 0, question: q0, text: '你好 😀', message: full, messages: [full], chunks: 2, durationMs: 4, firstChunkMs: 1 },
          z: { type: 'chunk', turn: 1, question: q1, chunk: z, text: 'Rust' },
          B: { type: 'done', turn: 1, question: q1, text: 'Rust', message: rust, messages: [rust], chunks: 1, durationMs: 2, firstChunkMs: 1 },
        } satisfies Record<string, TurnEvent>);
        expectSubscriptions(questions.subscriptions).toBe(questionsSubs);
        expectSubscriptions(replies[0].subscriptions).toBe(replies0Subs);
        expectSubscriptions(replies[1].subscriptions).toBe(replies1Subs);
      });
      // Turn 1 saw turn 0 complete (read after write), not an empty history.
      expect(seen).toEqual([[], ['human:什么是Python？', 'ai:你好 😀']]);
      expect(dump(history.getMessagesSync())).toEqual(['human:什么是Python？', 'ai:你好 😀', 'human:什么是Rust？', 'ai:Rust']);
    });

    it('saves the full merged reply with usage_metadata, never the last chunk', () => {
      const ts = createScheduler();
      const history = new SyncInMemoryChatMessageHistory();
      ts.run(({ cold, expectObservable, expectSubscriptions }) => {
        const reply =     cold('-a-b-c|', {
          a: chunk('Python', { id: 'run-1' }),
          b: chunk(' 是一种'),
          c: chunk('语言。', { usage_metadata: usage, response_metadata: { finish_reason: 'stop' } }),
        });
        const questions = cold('a|', { a: 'q' });
        const expected =       '-a-b-c(D|)';
        const replySubs =      '^-----!';
        const questionsSubs =  '^!';
        const events = questions.pipe(chatTurns(() => reply, { history, scheduler: ts }));
        expectObservable(events.pipe((s) => s)).toBe(expected, {
          a: expect.objectContaining({ type: 'chunk', text: 'Python' }),
          b: expect.objectContaining({ type: 'chunk', text: ' 是一种' }),
          c: expect.objectContaining({ type: 'chunk', text: '语言。' }),
          D: expect.objectContaining({ type: 'done', text: 'Python 是一种语言。', chunks: 3 }),
        });
        expectSubscriptions(reply.subscriptions).toBe(replySubs);
        expectSubscriptions(questions.subscriptions).toBe(questionsSubs);
      });
      const [human, ai] = history.getMessagesSync() as [HumanMessage, AIMessage];
      expect(human.content).toBe('q');
      expect(ai.content).toBe('Python 是一种语言。');
      expect(ai.id).toBe('run-1');
      expect(ai.usage_metadata).toMatchObject(usage);
      expect(ai.response_metadata).toEqual({ finish_reason: 'stop' });
    });
  });

  describe('window', () => {
    it('passes at most maxMessages, starting at a human message, with stored system messages pinned outside', () => {
      const ts = createScheduler();
      const history = new SyncInMemoryChatMessageHistory([
        new SystemMessage('你是助手'),
        new HumanMessage('h1'), new AIMessage('a1'), new HumanMessage('h2'), new AIMessage('a2'),
      ]);
      const seen: string[][] = [];
      ts.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
        const reply0 =   cold('-x|', { x: fin('a3') });
        const reply1 =   cold('-x|', { x: fin('a4') });
        const reply2 =   cold('-x|', { x: fin('a5') });
        const replies = [reply0, reply1, reply2];
        const questions = hot('-a-b-c-|', { a: 'h3', b: 'h4', c: 'h5' });
        const expected =      '--xAxBx(C|)';
        const questionsSubs = '^------!';
        const replies0Subs =  '-^-!';
        const replies1Subs =  '---^-!';
        const replies2Subs =  '-----^-!';
        const streamTurn = ({ history: h, turn }: TurnInput): Observable<AIMessageChunk> => {
          seen.push(dump(h));
          return replies[turn];
        };
        expectObservable(questions.pipe(chatTurns(streamTurn, { history, maxMessages: 3, scheduler: ts }))).toBe(
          expected,
          {
            x: expect.objectContaining({ type: 'chunk' }),
            A: expect.objectContaining({ type: 'done', turn: 0, text: 'a3' }),
            B: expect.objectContaining({ type: 'done', turn: 1, text: 'a4' }),
            C: expect.objectContaining({ type: 'done', turn: 2, text: 'a5' }),
          },
        );
        expectSubscriptions(questions.subscriptions).toBe(questionsSubs);
        expectSubscriptions(replies[0].subscriptions).toBe(replies0Subs);
        expectSubscriptions(replies[1].subscriptions).toBe(replies1Subs);
        expectSubscriptions(replies[2].subscriptions).toBe(replies2Subs);
      });
      // Last 3 of [h1 a1 h2 a2] is [a1 h2 a2]: a1 lost its question, so the window starts at h2.
      expect(seen).toEqual([
        ['system:你是助手', 'human:h2', 'ai:a2'],
        ['system:你是助手', 'human:h3', 'ai:a3'],
        ['system:你是助手', 'human:h4', 'ai:a4'],
      ]);
    });
  });

  describe('interruption', () => {
    it("stop$ ends the current reply only; 'discard' saves nothing; stop$ is watched only during turns", () => {
      const ts = createScheduler();
      const history = new SyncInMemoryChatMessageHistory();
      const seen: string[][] = [];
      ts.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
        const reply0 =   cold('-a-b-c|', { a: chunk('半'), b: chunk('句'), c: fin('话') });
        const reply1 =   cold('-z|', { z: fin('ok') });
        const replies = [reply0, reply1];
        const questions = hot('-q--r-------|', { q: 'first', r: 'second' });
        const stop$ =     hot('----s-----s--', { s: undefined });
        const expected =      '--a-IzD-----|';
        const questionsSubs = '^-----------!';
        const replies0Subs =  '-^--!';
        const replies1Subs =  '----^-!';
        const stopSubs =     ['-^--!', '----^-!'];
        const streamTurn = ({ history: h, turn }: TurnInput): Observable<AIMessageChunk> => {
          seen.push(dump(h));
          return replies[turn];
        };
        expectObservable(questions.pipe(chatTurns(streamTurn, { history, stop$, scheduler: ts }))).toBe(expected, {
          a: expect.objectContaining({ type: 'chunk', turn: 0, text: '半' }),
          I: { type: 'stopped', turn: 0, question: 'first', partialText: '半', chunks: 1, durationMs: 3, firstChunkMs: 1, saved: false },
          z: expect.objectContaining({ type: 'chunk', turn: 1, text: 'ok' }),
          D: expect.objectContaining({ type: 'done', turn: 1, question: 'second', text: 'ok' }),
        });
        expectSubscriptions(questions.subscriptions).toBe(questionsSubs);
        expectSubscriptions(replies[0].subscriptions).toBe(replies0Subs);
        expectSubscriptions(replies[1].subscriptions).toBe(replies1Subs);
        // Watched during turn 0 (1–4) and turn 1 (4–6); the stop at frame 10 hits no turn.
        expectSubscriptions(stop$.subscriptions).toBe(stopSubs);
      });
      expect(seen).toEqual([[], []]);
      expect(dump(history.getMessagesSync())).toEqual(['human:second', 'ai:ok']);
    });

    it("'keep-partial' saves the question and the partial reply marked partial, and the next turn sees it", () => {
      const ts = createScheduler();
      const history = new SyncInMemoryChatMessageHistory();
      const seen: string[][] = [];
      ts.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
        const reply0 =   cold('-a-b-c|', { a: chunk('半', { response_metadata: { model_name: 'm' } }), b: chunk('句'), c: fin('话') });
        const reply1 =   cold('-z|', { z: fin('ok') });
        const replies = [
          reply0,
          reply1,
        ];
        const questions = hot('-q--r---|', { q: 'first', r: 'second' });
        const stop$ =     hot('------s--', { s: 'ctrl-c' });
        const expected =      '--a-b-Iz(D|)';
        const questionsSubs = '^-------!';
        const replies0Subs =  '-^----!';
        const replies1Subs =  '------^-!';
        const stopSubs =     ['-^----!', '------^-!'];
        const streamTurn = ({ history: h, turn }: TurnInput): Observable<AIMessageChunk> => {
          seen.push(dump(h));
          return replies[turn];
        };
        const events = questions.pipe(chatTurns(streamTurn, { history, stop$, onIncomplete: 'keep-partial', scheduler: ts }));
        expectObservable(events).toBe(expected, {
          a: expect.objectContaining({ type: 'chunk', text: '半' }),
          b: expect.objectContaining({ type: 'chunk', text: '句' }),
          I: { type: 'stopped', turn: 0, question: 'first', partialText: '半句', chunks: 2, durationMs: 5, firstChunkMs: 1, saved: true },
          z: expect.objectContaining({ type: 'chunk', turn: 1 }),
          D: expect.objectContaining({ type: 'done', turn: 1, text: 'ok' }),
        });
        expectSubscriptions(questions.subscriptions).toBe(questionsSubs);
        expectSubscriptions(replies[0].subscriptions).toBe(replies0Subs);
        expectSubscriptions(replies[1].subscriptions).toBe(replies1Subs);
        expectSubscriptions(stop$.subscriptions).toBe(stopSubs);
      });
      expect(seen[1]).toEqual(['human:first', 'ai:半句']);
      const saved = history.getMessagesSync();
      expect(dump(saved)).toEqual(['human:first', 'ai:半句', 'human:second', 'ai:ok']);
      expect(saved[1].response_metadata).toEqual({ model_name: 'm', partial: true, partial_reason: 'stop' });
      expect(saved[3].response_metadata).toEqual(FINISHED);
    });

    it('unsubscribing mid-reply unsubscribes the stream and saves nothing', () => {
      const ts = createScheduler();
      const history = new SyncInMemoryChatMessageHistory();
      ts.run(({ cold, expectObservable, expectSubscriptions }) => {
        const reply =     cold('-a-b-c|', { a: chunk('x'), b: chunk('y'), c: chunk('z') });
        const questions = cold('q----', { q: 'hello' });
        const expected =       '-a-';
        const unsub =          '^--!';
        const replySubs =      '^--!';
        const questionsSubs =  '^--!';
        expectObservable(questions.pipe(chatTurns(() => reply, { history, onIncomplete: 'keep-partial', scheduler: ts })), unsub).toBe(
          expected,
          { a: expect.objectContaining({ type: 'chunk', text: 'x' }) },
        );
        expectSubscriptions(reply.subscriptions).toBe(replySubs);
        expectSubscriptions(questions.subscriptions).toBe(questionsSubs);
      });
      expect(history.getMessagesSync()).toEqual([]);
    });
  });

  describe('errors', () => {
    it('a turn that fails after its first chunk is a cut: an error event with StreamInterruptedError; the session goes on (discard saves nothing)', () => {
      const ts = createScheduler();
      const history = new SyncInMemoryChatMessageHistory();
      const boom = new Error('socket hang up');
      ts.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
        const reply0 =   cold('-a#', { a: chunk('部分') }, boom);
        const reply1 =   cold('-z|', { z: fin('ok') });
        const replies = [reply0, reply1];
        const questions = hot('-q-r---|', { q: 'first', r: 'second' });
        const expected =      '--aEzD-|';
        const questionsSubs = '^------!';
        const replies0Subs =  '-^-!';
        const replies1Subs =  '---^-!';
        expectObservable(questions.pipe(chatTurns(({ turn }) => replies[turn], { history, scheduler: ts }))).toBe(expected, {
          a: expect.objectContaining({ type: 'chunk', text: '部分' }),
          E: {
            type: 'error', turn: 0, question: 'first', partialText: '部分', chunks: 1, durationMs: 2, firstChunkMs: 1, saved: false,
            error: expect.objectContaining({ name: 'StreamInterruptedError', reason: 'error', partialText: '部分', cause: boom }),
          },
          z: expect.objectContaining({ type: 'chunk', turn: 1 }),
          D: expect.objectContaining({ type: 'done', turn: 1, text: 'ok' }),
        });
        expectSubscriptions(questions.subscriptions).toBe(questionsSubs);
        expectSubscriptions(replies[0].subscriptions).toBe(replies0Subs);
        expectSubscriptions(replies[1].subscriptions).toBe(replies1Subs);
      });
      expect(dump(history.getMessagesSync())).toEqual(['human:second', 'ai:ok']);
    });

    it("'keep-partial' saves a cut turn marked partial (reason 'cut'); a throwing streamTurn is a turn error too", () => {
      const ts = createScheduler();
      const history = new SyncInMemoryChatMessageHistory();
      const boom = new Error('socket hang up');
      ts.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
        const reply =    cold('-a#', { a: chunk('部分') }, boom);
        const questions = hot('-q-r------|', { q: 'first', r: 'second' });
        const expected =      '--a(EF)---|';
        const questionsSubs = '^---------!';
        const replySubs =     '-^-!';
        const streamTurn = ({ turn }: TurnInput): Observable<AIMessageChunk> => {
          if (turn === 1) throw new Error('bad prompt');
          return reply;
        };
        const events = questions.pipe(chatTurns(streamTurn, { history, onIncomplete: 'keep-partial', scheduler: ts }));
        expectObservable(events).toBe(expected, {
          a: expect.objectContaining({ type: 'chunk' }),
          E: expect.objectContaining({ type: 'error', turn: 0, error: expect.any(StreamInterruptedError), partialText: '部分', saved: true }),
          F: expect.objectContaining({ type: 'error', turn: 1, error: new Error('bad prompt'), partialText: '', saved: true }),
        });
        expectSubscriptions(questions.subscriptions).toBe(questionsSubs);
        expectSubscriptions(reply.subscriptions).toBe(replySubs);
      });
      const saved = history.getMessagesSync();
      expect(dump(saved)).toEqual(['human:first', 'ai:部分', 'human:second', 'ai:']);
      expect(saved[1].response_metadata).toMatchObject({ partial: true, partial_reason: 'cut', error: expect.stringContaining('socket hang up') });
      expect(saved[3].response_metadata).toEqual({ partial: true, partial_reason: 'error', error: 'bad prompt' });
    });

    it('a non-string question is an error event for that turn, not the end of the session', () => {
      const ts = createScheduler();
      ts.run(({ cold, expectObservable, expectSubscriptions }) => {
        const reply =     cold('-z|', { z: fin('ok') });
        const questions = cold('ab|', { a: 42 as unknown as string, b: 'fine' });
        const expected =       'E-z(D|)';
        const questionsSubs =  '^-!';
        const replySubs =      '-^-!';
        expectObservable(questions.pipe(chatTurns(() => reply, { scheduler: ts }))).toBe(expected, {
          E: expect.objectContaining({ type: 'error', turn: 0, error: new TypeError('chatTurns: each question must be a string, got the number 42.') }),
          z: expect.objectContaining({ type: 'chunk', turn: 1 }),
          D: expect.objectContaining({ type: 'done', turn: 1 }),
        } as Record<string, unknown>);
        expectSubscriptions(questions.subscriptions).toBe(questionsSubs);
        expectSubscriptions(reply.subscriptions).toBe(replySubs);
      });
    });
  });

  describe('completion (nothing cut is saved as complete)', () => {
    it('a reply that ends without a finish reason is an error event with StreamInterruptedError; nothing saved; the next turn works', () => {
      const ts = createScheduler();
      const history = new SyncInMemoryChatMessageHistory();
      ts.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
        const reply0 =   cold('-a-b|', { a: chunk('Python 是'), b: chunk('一种') });
        const reply1 =   cold('-z|', { z: fin('ok') });
        const replies = [reply0, reply1];
        const questions = hot('-q-r----|', { q: 'first', r: 'second' });
        const expected =      '--a-bEzD|';
        const replies0Subs =  '-^---!';
        const replies1Subs =  '-----^-!';
        const questionsSubs = '^-------!';
        expectObservable(questions.pipe(chatTurns(({ turn }) => replies[turn], { history, scheduler: ts }))).toBe(expected, {
          a: expect.objectContaining({ type: 'chunk', text: 'Python 是' }),
          b: expect.objectContaining({ type: 'chunk', text: '一种' }),
          E: {
            type: 'error', turn: 0, question: 'first', partialText: 'Python 是一种', chunks: 2, durationMs: 4, firstChunkMs: 1, saved: false,
            error: expect.objectContaining({ name: 'StreamInterruptedError', reason: 'no-finish', partialText: 'Python 是一种' }),
          },
          z: expect.objectContaining({ type: 'chunk', turn: 1 }),
          D: expect.objectContaining({ type: 'done', turn: 1, text: 'ok' }),
        });
        expectSubscriptions(replies[0].subscriptions).toBe(replies0Subs);
        expectSubscriptions(replies[1].subscriptions).toBe(replies1Subs);
        expectSubscriptions(questions.subscriptions).toBe(questionsSubs);
      });
      expect(dump(history.getMessagesSync())).toEqual(['human:second', 'ai:ok']);
    });

    it("with 'keep-partial' the cut reply is saved marked partial (reason 'cut'), never with a finish reason", () => {
      const ts = createScheduler();
      const history = new SyncInMemoryChatMessageHistory();
      ts.run(({ cold, expectObservable, expectSubscriptions }) => {
        const reply =     cold('-a|', { a: chunk('半句 🐍') });
        const expected =       '-a(E|)';
        const questions = cold('q|', { q: 'q' });
        const replySubs =      '^-!';
        expectObservable(questions.pipe(chatTurns(() => reply, { history, onIncomplete: 'keep-partial', scheduler: ts }))).toBe(
          expected,
          {
            a: expect.objectContaining({ type: 'chunk' }),
            E: expect.objectContaining({ type: 'error', partialText: '半句 🐍', saved: true, error: expect.any(StreamInterruptedError) }),
          },
        );
        expectSubscriptions(reply.subscriptions).toBe(replySubs);
      });
      const [, partial] = history.getMessagesSync();
      expect(partial.content).toBe('半句 🐍');
      expect(partial.response_metadata).toMatchObject({ partial: true, partial_reason: 'cut' });
      expect(partial.response_metadata).not.toHaveProperty('finish_reason');
    });

    it('requireCompletion: false saves a reply without a finish reason (models that never send one)', () => {
      const ts = createScheduler();
      const history = new SyncInMemoryChatMessageHistory();
      ts.run(({ cold, expectObservable }) => {
        const reply =     cold('-a-b|', { a: 'Hel', b: 'lo' }); // plain strings are accepted too
        const expected =       '-a-b(D|)';
        const questions = cold('q|', { q: 'q' });
        expectObservable(questions.pipe(chatTurns(() => reply, { history, requireCompletion: false, scheduler: ts }))).toBe(
          expected,
          {
            a: expect.objectContaining({ type: 'chunk', text: 'Hel' }),
            b: expect.objectContaining({ type: 'chunk', text: 'lo' }),
            D: expect.objectContaining({ type: 'done', text: 'Hello', chunks: 2 }),
          },
        );
      });
      expect(dump(history.getMessagesSync())).toEqual(['human:q', 'ai:Hello']);
    });

    it('by default a string stream is an error that says what to do (a string carries no finish reason)', () => {
      const ts = createScheduler();
      const history = new SyncInMemoryChatMessageHistory();
      ts.run(({ cold, expectObservable, expectSubscriptions }) => {
        const reply =     cold('-a-b|', { a: 'Hel', b: 'lo' });
        const expected =       '-(E|)';
        const questions = cold('q|', { q: 'q' });
        const replySubs =      '^!';
        expectObservable(questions.pipe(chatTurns(() => reply, { history, scheduler: ts }))).toBe(expected, {
          E: expect.objectContaining({ type: 'error', partialText: '', saved: false, error: expect.objectContaining({ name: 'TypeError', message: expect.stringContaining('requireCompletion: false') }) }),
        });
        expectSubscriptions(reply.subscriptions).toBe(replySubs);
      });
      expect(history.getMessagesSync()).toEqual([]);
    });

    it('{ isFinal } replaces the finish test', () => {
      const ts = createScheduler();
      const history = new SyncInMemoryChatMessageHistory();
      ts.run(({ cold, expectObservable }) => {
        const reply =     cold('-a-b|', { a: chunk('x'), b: chunk('y', { response_metadata: { done: true } }) });
        const expected =       '-a-b(D|)';
        const questions = cold('q|', { q: 'q' });
        const isFinal = (c: AIMessageChunk): boolean => c.response_metadata?.done === true;
        expectObservable(questions.pipe(chatTurns(() => reply, { history, requireCompletion: { isFinal }, scheduler: ts }))).toBe(
          expected,
          { a: expect.anything(), b: expect.anything(), D: expect.objectContaining({ type: 'done', text: 'xy' }) },
        );
      });
      expect(dump(history.getMessagesSync())).toEqual(['human:q', 'ai:xy']);
    });
  });

  describe('first chunk (the first chunk with content)', () => {
    it('the role-only opening chunk is not the first chunk: firstChunkMs and chunks count chunks with content', () => {
      const ts = createScheduler();
      ts.run(({ cold, expectObservable }) => {
        // role chunk at 1, text at 4 and 5, a usage + finish chunk with no content at 6
        const reply =     cold('-r--ab-u|', { r: chunk(''), a: chunk('你'), b: chunk('好'), u: fin('', { usage_metadata: usage }) });
        const expected =       '-r--ab-u(D|)';
        const questions = cold('q|', { q: 'q' });
        expectObservable(questions.pipe(chatTurns(() => reply, { scheduler: ts }))).toBe(expected, {
          r: expect.objectContaining({ type: 'chunk', text: '' }),
          a: expect.objectContaining({ type: 'chunk', text: '你' }),
          b: expect.objectContaining({ type: 'chunk', text: '好' }),
          u: expect.objectContaining({ type: 'chunk', text: '' }),
          D: expect.objectContaining({ type: 'done', text: '你好', chunks: 2, firstChunkMs: 4, durationMs: 8 }),
        });
      });
    });

    it('a tool-call delta is content; a reply with no content has firstChunkMs null and chunks 0', () => {
      const ts = createScheduler();
      ts.run(({ cold, expectObservable }) => {
        const tool = chunk('', { tool_call_chunks: [{ name: 'search', args: '{"q":', id: 'c1', index: 0, type: 'tool_call_chunk' }] });
        const reply0 =    cold('-r-t-f|', { r: chunk(''), t: tool, f: fin('') });
        const reply1 =    cold('-r-f|', { r: chunk(''), f: fin('') });
        const replies = [reply0, reply1];
        const questions = cold('ab|', { a: 'tool', b: 'empty' });
        const expected =       '-r-t-fAr-f(B|)';
        expectObservable(questions.pipe(chatTurns(({ turn }) => replies[turn], { scheduler: ts }))).toBe(expected, {
          r: expect.objectContaining({ type: 'chunk' }),
          t: expect.objectContaining({ type: 'chunk' }),
          f: expect.objectContaining({ type: 'chunk' }),
          A: expect.objectContaining({ type: 'done', turn: 0, chunks: 1, firstChunkMs: 3 }),
          B: expect.objectContaining({ type: 'done', turn: 1, chunks: 0, firstChunkMs: null }),
        });
      });
    });
  });

  describe('async histories (real Promises)', () => {
    /** A slow async history that logs when reads and writes start and end. */
    class SlowHistory extends BaseListChatMessageHistory {
      lc_namespace = ['test'];
      readonly log: string[] = [];
      private messages: BaseMessage[] = [];
      private busy = false;
      private async step(name: string): Promise<void> {
        if (this.busy) this.log.push(`OVERLAP ${name}`);
        this.busy = true;
        this.log.push(`${name}:start`);
        await new Promise((r) => setTimeout(r, 5));
        this.log.push(`${name}:end`);
        this.busy = false;
      }
      async getMessages(): Promise<BaseMessage[]> {
        await this.step('read');
        return this.messages;
      }
      async addMessage(message: BaseMessage): Promise<void> {
        this.messages.push(message);
      }
      override async addMessages(messages: BaseMessage[]): Promise<void> {
        await this.step('write');
        this.messages.push(...messages);
      }
    }

    it('never reads and writes concurrently; each turn sees the previous one', async () => {
      const history = new SlowHistory();
      const questions = new Subject<string>();
      const seen: string[][] = [];
      const events: TurnEvent[] = [];
      const done = new Promise<void>((resolve, reject) =>
        questions
          .pipe(chatTurns(({ history: h, question }) => {
            seen.push(dump(h));
            return [fin(`re: ${question}`)];
          }, { history }))
          .subscribe({ next: (e) => events.push(e), complete: resolve, error: reject }),
      );
      questions.next('一');
      questions.next('二');
      questions.next('三');
      questions.complete();
      await done;
      expect(history.log).toEqual(['read', 'write', 'read', 'write', 'read', 'write'].flatMap((n) => [`${n}:start`, `${n}:end`]));
      expect(seen).toEqual([[], ['human:一', 'ai:re: 一'], ['human:一', 'ai:re: 一', 'human:二', 'ai:re: 二']]);
      expect(events.filter((e) => e.type === 'done').map((e) => e.turn)).toEqual([0, 1, 2]);
    });

    it("works with LangChain's plain InMemoryChatMessageHistory (live array copied before windowing)", async () => {
      const history = new InMemoryChatMessageHistory();
      const seen: string[][] = [];
      const questions = new Subject<string>();
      const finished = new Promise<void>((resolve) =>
        questions.pipe(chatTurns(({ history: h }) => {
          seen.push(dump(h));
          return [fin('a')];
        }, { history })).subscribe({ complete: resolve }),
      );
      questions.next('q1');
      questions.next('q2');
      questions.complete();
      await finished;
      expect(seen).toEqual([[], ['human:q1', 'ai:a']]);
      expect(dump(await history.getMessages())).toEqual(['human:q1', 'ai:a', 'human:q2', 'ai:a']);
    });

    it('a failing history write turns the turn into an error event, not a done', () => {
      const history = new SyncInMemoryChatMessageHistory();
      history.addMessagesSync = () => {
        throw new Error('disk full');
      };
      const events: TurnEvent[] = [];
      const questions = new Subject<string>();
      questions.pipe(chatTurns(() => [fin('x')], { history })).subscribe((e) => events.push(e));
      questions.next('q');
      expect(events.map((e) => e.type)).toEqual(['chunk', 'error']);
      expect(events[1]).toMatchObject({ type: 'error', partialText: 'x', error: new Error('disk full'), saved: false });
    });
  });

  describe('bad input', () => {
    it('throws at call time with messages that say what to fix', () => {
      const ok = (): never[] => [];
      expect(() => chatTurns(undefined as never)).toThrow(new TypeError('chatTurns: streamTurn must be a function, got undefined.'));
      expect(() => chatTurns(ok, 5 as never)).toThrow(new TypeError('chatTurns: options must be an object, got the number 5.'));
      expect(() => chatTurns(ok, { history: [] as never })).toThrow(
        new TypeError('chatTurns: options.history must be a LangChain BaseListChatMessageHistory (getMessages() and addMessages()), got an array.'),
      );
      expect(() => chatTurns(ok, { maxMessages: -1 })).toThrow(new RangeError('chatTurns: options.maxMessages must be an integer >= 0 or Infinity, got the number -1.'));
      expect(() => chatTurns(ok, { maxMessages: 2.5 })).toThrow(RangeError);
      expect(() => chatTurns(ok, { stop$: new Subject<void>() as never })).not.toThrow();
      expect(() => chatTurns(ok, { stop$: (() => undefined) as never })).toThrow(new TypeError('chatTurns: options.stop$ must be an Observable, got function.'));
      expect(() => chatTurns(ok, { onIncomplete: 'keep' as never })).toThrow(
        new RangeError(`chatTurns: options.onIncomplete must be 'discard' or 'keep-partial', got the string "keep".`),
      );
      expect(() => chatTurns(ok, { scheduler: {} as never })).toThrow(new TypeError('chatTurns: options.scheduler must be an RxJS scheduler, got an object (Object).'));
      expect(() => chatTurns(ok, { requireCompletion: 'yes' as never })).toThrow(
        new TypeError('chatTurns: options.requireCompletion (true, false or { isFinal }) must be an object, got the string "yes".'),
      );
      expect(() => chatTurns(ok, { requireCompletion: { isFinal: 1 as never } })).toThrow(/isFinal must be a function/);
    });
  });
});
