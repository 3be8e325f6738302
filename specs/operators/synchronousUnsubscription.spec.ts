/**
 * RxJS's synchronous unsubscription, for every operator the root entry exports: over an
 * infinite synchronous source (a cached reply replayed with `from`), a match, an error or
 * a downstream `take` must stop the source at once. Each row counts the values pulled.
 * The table is checked against `src/index.ts`: a new exported function without a row
 * (or a stated reason it is not an operator) fails this spec.
 *
 * The `/testing` and `/offline` entries are checked the same way (their one operator, `mapToText`).
 *
 * The adapters that consume a stream themselves (a Web `Response` body, an HTTP delivery) obey
 * it too: a client that never reads makes them overflow inside the source's synchronous
 * emission, and the overflow must stop the source there, not after it was pulled to its end.
 */
import { connect } from 'node:net';
import type { ServerResponse } from 'node:http';
import { from, map, of, take, type Observable } from 'rxjs';
import { AIMessageChunk } from '@langchain/core/messages';
import * as lib from '../../src';
import * as node from '../../src/node';
import * as offline from '../../src/offline';
import * as testing from '../../src/testing';
import { listen } from '../support/http';
import { useCleanup } from '../support/cleanup';

const cleanup = useCleanup();

/** Pulls past this throw, so an operator that spins fails the row instead of hanging. */
const LIMIT = 10_000;

interface Row<Name = keyof typeof lib> {
  /** The exported operator the row exercises. */
  readonly operator: Name;
  readonly stops: 'take' | 'match' | 'error';
  /** The i-th value of the infinite source. */
  readonly value: (i: number) => unknown;
  readonly pipe: (source: Observable<never>) => Observable<unknown>;
  /** Values the source must have produced when the subscription ends. */
  readonly pulled: number;
  /** How the subscription must end. */
  readonly ends: 'complete' | 'error';
}

const text = (i: number): string => `word${i} `;
const chunk = (i: number): AIMessageChunk => new AIMessageChunk({ content: text(i) });
/** Not text: `textOf` refuses it. */
const notText = { tokens: 3 };

const ROWS: Row[] = [
  { operator: 'textContent', stops: 'take', value: chunk, pipe: (s) => s.pipe(lib.textContent(), take(3)), pulled: 3, ends: 'complete' },
  { operator: 'collectText', stops: 'error', value: (i) => (i === 4 ? notText : text(i)), pipe: (s) => s.pipe(lib.collectText()), pulled: 5, ends: 'error' },
  { operator: 'collectMessage', stops: 'error', value: (i) => (i === 4 ? 'a string' : chunk(i)), pipe: (s) => s.pipe(lib.collectMessage()), pulled: 5, ends: 'error' },
  { operator: 'abortOn', stops: 'match', value: () => 'Java ', pipe: (s) => s.pipe(lib.abortOn(['Java'])), pulled: 1, ends: 'error' },
  { operator: 'abortOn', stops: 'match', value: (i) => (i < 3 ? 'ok ' : 'Java'), pipe: (s) => s.pipe(lib.abortOn(lib.forbiddenWords(['java'], { caseInsensitive: true }), { mode: 'complete' })), pulled: 4, ends: 'complete' },
  { operator: 'abortOn', stops: 'take', value: text, pipe: (s) => s.pipe(lib.abortOn(['Java']), take(2)), pulled: 2, ends: 'complete' },
  { operator: 'progress', stops: 'take', value: text, pipe: (s) => s.pipe(lib.progress(), take(2)), pulled: 2, ends: 'complete' },
  { operator: 'tapProgress', stops: 'take', value: text, pipe: (s) => s.pipe(lib.tapProgress(() => undefined), take(2)), pulled: 2, ends: 'complete' },
  { operator: 'tapProgress', stops: 'error', value: text, pipe: (s) => s.pipe(lib.tapProgress((p) => { if (p.chunks === 3) throw new Error('callback'); })), pulled: 3, ends: 'error' },
  { operator: 'streamMetrics', stops: 'error', value: (i) => (i === 3 ? notText : chunk(i)), pipe: (s) => s.pipe(lib.streamMetrics()), pulled: 4, ends: 'error' },
  // A word piece is complete when the next word starts: 2 pieces need 3 chunks.
  { operator: 'smooth', stops: 'take', value: text, pipe: (s) => s.pipe(lib.smooth(), take(2)), pulled: 3, ends: 'complete' },
  { operator: 'streamTimeout', stops: 'take', value: chunk, pipe: (s) => s.pipe(lib.streamTimeout({ idleMs: 1000, totalMs: 5000 }), take(2)), pulled: 2, ends: 'complete' },
  { operator: 'retryBeforeFirstChunk', stops: 'take', value: chunk, pipe: (s) => s.pipe(lib.retryBeforeFirstChunk(), take(2)), pulled: 2, ends: 'complete' },
  { operator: 'requireCompletion', stops: 'take', value: chunk, pipe: (s) => s.pipe(lib.requireCompletion(), take(2)), pulled: 2, ends: 'complete' },
  { operator: 'requireCompletion', stops: 'error', value: (i) => (i === 2 ? 'a string' : chunk(i)), pipe: (s) => s.pipe(lib.requireCompletion()), pulled: 3, ends: 'error' },
  // Questions: each turn is a synchronous reply of two chunks, then `done`.
  { operator: 'chatTurns', stops: 'take', value: (i) => `question ${i}`, pipe: (s) => s.pipe(lib.chatTurns(() => of('a', 'b'), { requireCompletion: false }), take(3)), pulled: 1, ends: 'complete' },
  // A cut reply (no finish reason) is one `error` event per turn: three questions for three events.
  { operator: 'chatTurns', stops: 'take', value: (i) => `question ${i}`, pipe: (s) => s.pipe(lib.chatTurns(() => of('a', 'b')), take(3)), pulled: 3, ends: 'complete' },
  // The first chunk gives a step-start and a text part.
  { operator: 'toParts', stops: 'take', value: chunk, pipe: (s) => s.pipe(lib.toParts(), take(2)), pulled: 1, ends: 'complete' },
  { operator: 'toParts', stops: 'error', value: (i) => (i === 3 ? notText : chunk(i)), pipe: (s) => s.pipe(lib.toParts()), pulled: 4, ends: 'error' },
  { operator: 'collectRun', stops: 'error', value: (i) => (i === 3 ? notText : chunk(i)), pipe: (s) => s.pipe(lib.collectRun()), pulled: 4, ends: 'error' },
  { operator: 'mergeStreams', stops: 'take', value: (i) => i, pipe: (s) => s.pipe(lib.mergeStreams((i: number) => of(i)), take(3)), pulled: 2, ends: 'complete' },
  { operator: 'collectResults', stops: 'error', value: (i) => (i === 6 ? notText : i), pipe: (s) => s.pipe(map((i) => { if (typeof i !== 'number') throw new TypeError('bad input'); return i; }), lib.mergeStreams((i: number) => of(i), { failFast: true }), lib.collectResults()), pulled: 7, ends: 'error' },
  // `start` at subscription, then `start-step` with the first chunk.
  { operator: 'toUIMessageStream', stops: 'take', value: chunk, pipe: (s) => s.pipe(lib.toUIMessageStream(), take(2)), pulled: 1, ends: 'complete' },
  { operator: 'toUIMessageStream', stops: 'take', value: chunk, pipe: (s) => s.pipe(lib.toUIMessageStream(), take(5)), pulled: 2, ends: 'complete' },
  // `text-start` gives no part: three text parts need four chunks.
  { operator: 'decodeUIMessageStream', stops: 'take', value: (i) => (i === 0 ? { type: 'text-start', id: 't' } : { type: 'text-delta', id: 't', delta: text(i) }), pipe: (s) => s.pipe(lib.decodeUIMessageStream(), take(3)), pulled: 4, ends: 'complete' },
  { operator: 'decodeUIMessageStream', stops: 'error', value: (i) => (i === 3 ? { type: 'error', errorText: 'remote' } : { type: 'text-delta', id: 't', delta: text(i) }), pipe: (s) => s.pipe(lib.decodeUIMessageStream()), pulled: 4, ends: 'error' },
  { operator: 'toServerSentEvents', stops: 'take', value: text, pipe: (s) => s.pipe(lib.toServerSentEvents(), take(2)), pulled: 2, ends: 'complete' },
  { operator: 'toTurnServerSentEvents', stops: 'take', value: (i) => ({ type: 'chunk', turn: 0, question: 'q', text: text(i) }), pipe: (s) => s.pipe(lib.toTurnServerSentEvents(), take(2)), pulled: 2, ends: 'complete' },
];

/** Inner streams of mergeStreams are operator chains too: an infinite inner stops at a downstream take. */
const INNER_ROWS: Array<{ name: string; pipe: (inner: Observable<never>) => Observable<unknown>; pulled: number }> = [
  { name: 'mergeStreams: an infinite inner stream', pipe: (inner) => of(0).pipe(lib.mergeStreams(() => inner), take(2)), pulled: 2 },
  { name: 'chatTurns: an infinite reply', pipe: (inner) => of('q').pipe(lib.chatTurns(() => inner.pipe(map(text)), { requireCompletion: false }), take(3)), pulled: 3 },
  // An agent run's parts, with the default completion check (a part stream is read as a run).
  { name: 'chatTurns: an infinite agent run', pipe: (inner) => of('q').pipe(lib.chatTurns(() => inner.pipe(map((i) => ({ type: 'text' as const, text: `${i}` })))), take(3)), pulled: 3 },
];

/** Root exports that are functions but not operators, and why. */
const NOT_OPERATORS: Record<string, string> = {
  fromRunnable: 'source',
  fromStreamEvents: 'source',
  fromAsyncIterableFactory: 'source',
  forbiddenWords: 'compiles a pattern set for abortOn',
  isRetryableError: 'a predicate on an error',
  windowHistory: 'a function on an array of messages',
  fromModelEvents: 'source',
  fromAgent: 'source',
  streamAgentTurn: 'returns a streamTurn for chatTurns (a source per turn); chatTurns over parts has an inner row',
  toServerSentEventsResponse: 'adapter: a row in RESPONSE_ADAPTERS',
  checkQuestion: 'a check on one string',
  fromServerSentEvents: 'source',
  toUIMessageStreamResponse: 'adapter: a row in RESPONSE_ADAPTERS',
  fromUIMessages: 'a function on a request body',
  BadUIMessagesError: 'error class',
  ServerSentEventsResponseError: 'error class',
  RemoteStreamError: 'error class',
  StreamResumeError: 'error class',
  UnknownOptionError: 'error class',
  ChatSession: 'class',
  RxLangChainError: 'error class',
  StreamAbortedError: 'error class',
  StreamInterruptedError: 'error class',
  ForbiddenContentError: 'error class',
  StreamTimeoutError: 'error class',
  TextInputError: 'error class',
  SlowConsumerError: 'error class',
  ChatSessionClosedError: 'error class',
  createChatHandler: 'returns a Web handler (fetch), consuming its streams itself',
  InMemoryConversationOwners: 'class',
  InMemoryReplyLog: 'class (its append and read are sources)',
  InMemoryConversationLock: 'class',
  replyLogErrorFrame: 'a function on an error',
  ChatRequestError: 'error class',
  ReplyNotFoundError: 'error class',
  ReplyEventNotFoundError: 'error class',
  ReplyProducerGoneError: 'error class',
  ReplyExistsError: 'error class',
  ConversationBusyError: 'error class',
  ConversationLockLostError: 'error class',
  StoreUnavailableError: 'error class',
  approvalResume: 'a function from decisions to a resume value',
  fromUIApprovals: 'a function on a request body',
  applyEditedCalls: 'a function on a stored history',
  AwaitingDecisionError: 'error class',
  NoPendingApprovalError: 'error class',
  ApprovalResponseError: 'error class',
  createAgentProtocolHandler: 'returns a Web request handler',
  fromAgentServer: 'source',
};

/** A Web-standard adapter: a `Response` whose first read subscribes; nothing reads after it. */
const RESPONSE_ADAPTERS: Array<{ name: keyof typeof lib; respond: (source: Observable<never>) => Response; value: (i: number) => unknown }> = [
  { name: 'toServerSentEventsResponse', respond: (s) => lib.toServerSentEventsResponse(s, { maxBufferedBytes: 4096 }), value: text },
  { name: 'toUIMessageStreamResponse', respond: (s) => lib.toUIMessageStreamResponse(s, { maxBufferedBytes: 4096 }), value: chunk },
];

/** A Node adapter: delivers to a `ServerResponse` whose client never reads. */
const NODE_ADAPTERS: Array<{ name: keyof typeof node; deliver: (source: Observable<never>, res: ServerResponse) => { finished: Promise<string> }; value: (i: number) => unknown; outcome: string }> = [
  { name: 'sendServerSentEvents', deliver: (s, res) => node.sendServerSentEvents(s, res, { maxBufferedBytes: 4096, overflowGraceMs: 0 }), value: text, outcome: 'overflow' },
  { name: 'sendUIMessageStream', deliver: (s, res) => node.sendUIMessageStream(s, res, { maxBufferedBytes: 4096, overflowGraceMs: 0 }), value: chunk, outcome: 'overflow' },
  { name: 'sendReplyLog', deliver: (s, res) => node.sendReplyLog(s, res, { maxBufferedBytes: 4096, heartbeatMs: 0 }), value: (i) => ({ id: String(i), data: `data: ${text(i)}\n\n` }), outcome: 'overflow' },
];

/** Node entry functions that subscribe to no caller's stream, or are covered elsewhere, and why. */
const NODE_NOT_ADAPTERS: Record<string, string> = {
  serveChatOverWebSocket: 'a server; its per-connection sessions are specified in serveChatOverWebSocket.spec.ts',
  checkRequest: 'a check on a request',
  parseRequestTarget: 'parses a URL',
  replyLogErrorFrame: 'formats one frame',
  toTurnServerSentEvents: 'an operator composed of rxjs operators (map, concatMap)',
  FileChatMessageHistory: 'class',
  InMemoryReplyLog: 'class (its append is a cold Observable the caller subscribes)',
  InMemoryConversationLock: 'class',
  RedisReplyLog: 'class',
  RedisConversationLock: 'class',
  RedisChatHistory: 'class',
  connectRedis: 'creates a Redis client',
  connectPostgresCheckpointer: 'creates a Postgres checkpointer',
  RedisConversationOwners: 'class',
  toNodeHandler: 'adapts a Web fetch handler to node:http (the handler streams a Response body: the Response adapters have rows)',
};

/** Operators of the `/testing` entry (the `/offline` entry exports none). */
const TESTING_ROWS: Array<Row<keyof typeof testing>> = [
  { operator: 'mapToText', stops: 'take', value: chunk, pipe: (s) => s.pipe(testing.mapToText(), take(2)), pulled: 2, ends: 'complete' },
  { operator: 'mapToText', stops: 'error', value: (i) => (i === 2 ? notText : chunk(i)), pipe: (s) => s.pipe(testing.mapToText()), pulled: 3, ends: 'error' },
];

/** Functions of the `/testing` and `/offline` entries that are not operators, and why. */
const TESTING_NOT_OPERATORS: Record<string, string> = {
  ScriptedChatModel: 'a chat model class (its stream() is a source; specs/offline)',
  createOfflineTools: 'makes tools',
  tokenize: 'a function on a string',
  SyncInMemoryChatMessageHistory: 'class',
  startFakeOpenAIServer: 'an HTTP server',
  marbleChatModel: 'makes a chat model (a source through fromRunnable)',
  MarbleChatModel: 'a chat model class',
  flushAsync: 'drives a VirtualTimeScheduler',
  chunk: 'makes a value',
  chunks: 'makes values',
  toolCallChunk: 'makes a value',
  providerError: 'makes an error',
  ProviderError: 'error class',
  expectText: "an assertion: hands `source.pipe(mapToText())` (a row) to TestScheduler.run's expectObservable",
  hitlInterrupt: 'makes a value',
};

/** An infinite synchronous source of `value(i)`, and how many values it produced. */
function infinite(value: (i: number) => unknown): { source: Observable<never>; pulled: () => number } {
  let pulled = 0;
  function* values(): Generator<unknown> {
    for (;;) {
      if (++pulled > LIMIT) throw new Error(`the source was pulled ${LIMIT} times: it was never stopped`);
      yield value(pulled - 1);
    }
  }
  return { source: from(values()) as Observable<never>, pulled: () => pulled };
}

function runRow(pipe: (source: Observable<never>) => Observable<unknown>, value: (i: number) => unknown): { pulled: number; ended: string; error?: unknown } {
  const src = infinite(value);
  let ended = 'not yet';
  let error: unknown;
  pipe(src.source).subscribe({
    error: (e: unknown) => {
      ended = 'error';
      error = e;
    },
    complete: () => (ended = 'complete'),
  });
  return { pulled: src.pulled(), ended, error };
}

/** The names of an entry's exported functions. */
const functionsOf = (entry: object): string[] => Object.keys(entry).filter((k) => typeof (entry as Record<string, unknown>)[k] === 'function');

/** Every function has a row or a reason, and every row or reason names an exported function. */
function expectCovered(functions: string[], rows: ReadonlyArray<{ operator: string }>, reasons: Record<string, string>): void {
  const covered = new Set<string>([...rows.map((r) => r.operator), ...Object.keys(reasons)]);
  expect(functions.filter((k) => !covered.has(k))).toEqual([]);
  expect([...covered].filter((k) => !functions.includes(k))).toEqual([]);
}

/** One row's test: the values pulled and how the subscription ended. */
const rowTests = <Name extends string>(rows: Array<Row<Name>>) =>
  it.each(rows.map((r) => [`${r.operator} stops at the ${r.stops} after ${r.pulled} value(s)`, r] as const))('%s', (_name, row) => {
    const { pulled, ended, error } = runRow(row.pipe, row.value);
    expect({ pulled, ended }).toEqual({ pulled: row.pulled, ended: row.ends });
    if (row.ends === 'error') expect(String(error)).not.toMatch(/never stopped/);
  });

describe('every exported operator obeys synchronous unsubscription', () => {
  it('has a row for every function the root entry exports (or a reason it is not an operator)', () => {
    expectCovered(functionsOf(lib), ROWS, NOT_OPERATORS);
  });

  rowTests(ROWS);

  it.each(INNER_ROWS.map((r) => [r.name, r] as const))('%s', (_name, row) => {
    const { pulled, ended } = runRow(row.pipe, text);
    expect({ pulled, ended }).toEqual({ pulled: row.pulled, ended: 'complete' });
  });

  it('the cases of the issue: abortOn stops at the first match, streamTimeout at the take', () => {
    let pulled = 0;
    function* t(): Generator<string> {
      for (;;) {
        if (++pulled > 1e5) throw new Error('spun');
        yield 'Java ';
      }
    }
    from(t()).pipe(lib.abortOn(['Java'])).subscribe({ error() {} });
    expect(pulled).toBe(1);
    pulled = 0;
    from(t()).pipe(lib.streamTimeout({ idleMs: 1000 }), take(2)).subscribe();
    expect(pulled).toBe(2);
  });
});

describe('the /testing and /offline entries', () => {
  it('have a row for every function they export (or a reason it is not an operator)', () => {
    expectCovered([...new Set([...functionsOf(testing), ...functionsOf(offline)])], TESTING_ROWS, TESTING_NOT_OPERATORS);
  });

  rowTests(TESTING_ROWS);
});

describe("the chat handler's WebSocket turns (handler.ask, what serveChatOverWebSocket reads)", () => {
  it('a take during a synchronous replay of the reply log stops the replay at once', async () => {
    const src = infinite((i) => ({ id: String(i), data: `event: chunk\ndata: ${JSON.stringify({ text: text(i) })}\n\n` }));
    /** The turn is stored as usual; reading it back replays an infinite stored reply synchronously. */
    class ReplayedLog extends lib.InMemoryReplyLog {
      override read(): Observable<lib.ReplyLogEntry> {
        return src.source;
      }
    }
    const handler = lib.createChatHandler({ stream: () => of('a'), replyLog: new ReplayedLog() });
    cleanup(() => handler.close());
    const messages = await handler.ask({ request: new Request('http://localhost/api/chat'), conversationId: crypto.randomUUID(), question: '你好' });
    const seen: unknown[] = [];
    messages.pipe(take(3)).subscribe((m) => seen.push(m));
    expect(seen).toEqual([0, 1, 2].map((i) => ({ type: 'chunk', text: text(i) })));
    expect(src.pulled()).toBe(3);
  });
});

describe('every exported adapter stops an infinite synchronous source on overflow', () => {
  it('has a row for every function the node entry exports (or a reason it subscribes to no caller stream)', () => {
    const functions = functionsOf(node).filter((k) => !/Error$/.test(k));
    expectCovered(functions, NODE_ADAPTERS.map((r) => ({ operator: r.name })), NODE_NOT_ADAPTERS);
  });

  it.each(RESPONSE_ADAPTERS.map((r) => [r.name, r] as const))('%s: the first read overflows and stops the source', async (_name, row) => {
    const src = infinite(row.value);
    const reader = row.respond(src.source).body!.getReader();
    const first = await reader.read(); // subscribes; the source floods the 4 KiB queue at once
    expect(first.done).toBe(false);
    expect(src.pulled()).toBeLessThan(4096);
    let rest = new TextDecoder().decode(first.value); // the frames waiting come as one chunk (decision 0375)
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += new TextDecoder().decode(r.value);
    expect(rest).toMatch(/SlowConsumer|slow|buffer/i); // the closing frame says why
    expect(rest).not.toMatch(/never stopped/);
  });

  it.each(NODE_ADAPTERS.map((r) => [r.name, r] as const))('%s: a client that never reads overflows it, and that stops the source', async (_name, row) => {
    const src = infinite(row.value);
    let delivered!: (d: { finished: Promise<string> }) => void;
    const delivery = new Promise<{ finished: Promise<string> }>((resolve) => (delivered = resolve));
    const http = await listen((_req, res) => delivered(row.deliver(src.source, res)));
    const port = Number(new URL(http.url).port);
    const socket = connect(port, '127.0.0.1');
    cleanup(() => http.close());
    cleanup(() => socket.destroy());
    socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Requested-With: spec\r\n\r\n`);
    socket.pause(); // never reads
    const { finished } = await delivery; // the source ran synchronously inside the adapter
    expect(src.pulled()).toBeLessThan(LIMIT);
    socket.destroy();
    expect(await finished).toBe(row.outcome);
  });
});
