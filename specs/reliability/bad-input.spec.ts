/**
 * Bad input across the public API: every function and option tried with wrong
 * types, negative numbers, empty strings …; each gets a typed error whose message
 * says what to fix, at call time where possible. Then bad *stream* values: null
 * content, image parts, tool-call-only chunks, a runnable that throws
 * synchronously, a source that errors at once.
 */
import { createServer } from 'node:http';
import { lastValueFrom, of, throwError, toArray } from 'rxjs';
import { AIMessageChunk } from '@langchain/core/messages';
import * as lib from '../../src';
import * as testing from '../../src/testing';
import * as node from '../../src/node';
import * as terminal from '../../src/cli/terminal';
import { encodeServerSentEvent } from '../../src/web/serverSentEventFrame';
import { TextInputError } from '../../src/decode/errors';

type Case = [call: string, run: () => unknown, type: ErrorConstructor | RangeErrorConstructor | TypeErrorConstructor, message: RegExp];
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- deliberately ill-typed arguments
const bad = (value: unknown): any => value;
const fakeRunnable = { stream: async () => (async function* () {})() };

const CALL_TIME: Case[] = [
  // sources
  ['fromRunnable(null)', () => lib.fromRunnable(bad(null), 'x'), TypeError, /runnable must be a LangChain Runnable with a stream\(\) method, got null/],
  ['fromRunnable(r, x, "cfg")', () => lib.fromRunnable(fakeRunnable, 'x', bad('cfg')), TypeError, /config must be an object, got the string "cfg"/],
  ['fromRunnable(r, x, { signal: "s" })', () => lib.fromRunnable(fakeRunnable, 'x', { signal: bad('s') }), TypeError, /signal must be an AbortSignal/],
  ['fromStreamEvents({})', () => lib.fromStreamEvents(bad({}), 'x'), TypeError, /streamEvents\(\) method, got an object/],
  ['fromAsyncIterableFactory(null)', () => lib.fromAsyncIterableFactory(bad(null)), TypeError, /open must be a function \(signal\) => AsyncIterable, got null/],
  ['fromAsyncIterableFactory(f, 5)', () => lib.fromAsyncIterableFactory(async function* () {}, bad(5)), TypeError, /signal must be an AbortSignal .*got the number 5/],
  // operators
  ['abortOn("Java")', () => lib.abortOn(bad('Java')), TypeError, /patterns must be an array of non-empty strings, got the string "Java"/],
  ['abortOn([""])', () => lib.abortOn(['']), TypeError, /empty string, which would match everywhere; remove it/],
  ['abortOn([null])', () => lib.abortOn([bad(null)]), TypeError, /patterns\[0\] must be a string, got null/],
  ['abortOn(p, { mode: "stop" })', () => lib.abortOn(['a'], { mode: bad('stop') }), TypeError, /mode must be 'error' or 'complete'/],
  ['progress("x")', () => lib.progress(bad('x')), TypeError, /options must be an object/],
  ['progress({ everyChars: -1 })', () => lib.progress({ everyChars: -1 }), RangeError, /everyChars must be an integer >= 1, got the number -1/],
  ['tapProgress(null)', () => lib.tapProgress(bad(null)), TypeError, /callback must be a function, got null/],
  ['streamTimeout({})', () => lib.streamTimeout({}), TypeError, /give at least one of options.firstChunkMs/],
  ['streamTimeout({ idleMs: -1 })', () => lib.streamTimeout({ idleMs: -1 }), RangeError, /idleMs must be a finite number > 0 \(ms\), got the number -1/],
  ['streamTimeout({ totalMs: NaN })', () => lib.streamTimeout({ totalMs: NaN }), RangeError, /totalMs must be a finite number > 0/],
  ['retryBeforeFirstChunk({ count: -1 })', () => lib.retryBeforeFirstChunk({ count: -1 }), RangeError, /count must be an integer >= 0, got the number -1/],
  ['retryBeforeFirstChunk({ delay: -5 })', () => lib.retryBeforeFirstChunk({ delay: -5 }), RangeError, /delay must be a number >= 0/],
  ['retryBeforeFirstChunk({ retryIf: "429" })', () => lib.retryBeforeFirstChunk({ retryIf: bad('429') }), TypeError, /retryIf must be a function/],
  ['requireCompletion("finish_reason")', () => lib.requireCompletion(bad('finish_reason')), TypeError, /options must be an object/],
  ['requireCompletion({ isFinal: true })', () => lib.requireCompletion({ isFinal: bad(true) }), TypeError, /isFinal must be a function/],
  ['streamMetrics({ scheduler: 1 })', () => lib.streamMetrics(bad({ scheduler: 1 })), TypeError, /scheduler must be an RxJS scheduler/],
  ['smooth({ chunking: "nope" })', () => lib.smooth({ chunking: bad('nope') }), TypeError, /chunking must be 'word', 'line', 'grapheme'/],
  ['smooth({ delayMs: -1 })', () => lib.smooth({ delayMs: -1 }), RangeError, /delayMs must be a number >= 0/],
  // history & concurrency
  ['chatTurns(null)', () => lib.chatTurns(bad(null)), TypeError, /streamTurn must be a function, got null/],
  ['chatTurns(f, { maxMessages: -1 })', () => lib.chatTurns(() => [], { maxMessages: -1 }), RangeError, /maxMessages must be an integer >= 0 or Infinity/],
  ['chatTurns(f, { history: {} })', () => lib.chatTurns(() => [], { history: bad({}) }), TypeError, /BaseListChatMessageHistory/],
  ['chatTurns(f, { onIncomplete: "save" })', () => lib.chatTurns(() => [], { onIncomplete: bad('save') }), RangeError, /'discard' or 'keep-partial'/],
  ['windowHistory(null, 10)', () => lib.windowHistory(bad(null), 10), TypeError, /messages must be an array of messages, got null/],
  ['new FileChatMessageHistory("")', () => new node.FileChatMessageHistory(bad('')), TypeError, /filePath must be a non-empty string/],
  ['new ChatSession({})', () => new lib.ChatSession({}), TypeError, /pass exactly one of options.model .* or options.runnable/],
  ['new ChatSession({ model: "gpt" })', () => new lib.ChatSession({ model: bad('gpt') }), TypeError, /options.model must be a LangChain chat model/],
  ['mergeStreams([])', () => lib.mergeStreams(bad([])), TypeError, /project must be a function, got an array/],
  ['mergeStreams(f, { concurrency: 0 })', () => lib.mergeStreams(bad((x: unknown) => x), bad({ concurrency: 0 })), RangeError, /concurrency must be an integer >= 1 or Infinity/],
  // adapters
  ['encodeServerSentEvent({ event: "a\\nb" })', () => encodeServerSentEvent({ event: 'a\nb', data: 'x' }), TypeError, /event must be a non-empty string without line breaks/],
  ['toServerSentEvents({ heartbeatMs: -1 })', () => lib.toServerSentEvents({ heartbeatMs: -1 }), RangeError, /heartbeatMs must be a number >= 0/],
  ['sendServerSentEvents(of(), null)', () => node.sendServerSentEvents(of('x'), bad(null)), TypeError, /res must be a Node http.ServerResponse, got null/],
  ['toServerSentEventsResponse(null)', () => lib.toServerSentEventsResponse(bad(null)), TypeError, /source\$ must be an Observable/],
  ['serveChatOverWebSocket(null, …)', () => node.serveChatOverWebSocket(bad(null), bad({})), TypeError, /target must be an http.Server or a ws WebSocketServer/],
  ['encodeServerSentEvent(null)', () => encodeServerSentEvent(bad(null)), TypeError, /encodeServerSentEvent: fields must be an object, got null/],
  ['serveChatOverWebSocket(s, { allowedOrigins: [1] })', () => node.serveChatOverWebSocket(createServer(), { streamTurn: () => [], allowedOrigins: bad([1]) }), TypeError, /allowedOrigins entries must be origins/],
  ['serveChatOverWebSocket(s, { allowedOrigins: "*" })', () => node.serveChatOverWebSocket(createServer(), { streamTurn: () => [], allowedOrigins: bad('*') }), TypeError, /allowedOrigins must be an array of origins or a function/],
  ['serveChatOverWebSocket(s, { maxPayload: 0 })', () => node.serveChatOverWebSocket(createServer(), { streamTurn: () => [], maxPayload: 0 }), RangeError, /maxPayload must be an integer >= 1/],
  ['fitToWidth("a", -1)', () => terminal.fitToWidth('a', -1), RangeError, /columns must be an integer >= 0/],
  ['displayWidth(null)', () => terminal.displayWidth(bad(null)), TypeError, /text must be a string, got null/],
  ['createColors("yes")', () => terminal.createColors(bad('yes')), TypeError, /enabled must be a boolean/],
  ['createStatusLine("x")', () => terminal.createStatusLine(bad('x')), TypeError, /out must be a writable stream/],
  // test kit
  ['new ScriptedChatModel({ chunkDelayMs: -1 })', () => new testing.ScriptedChatModel({ chunkDelayMs: -1 }), RangeError, /chunkDelayMs must be a number >= 0/],
  ['marbleChatModel(null)', () => testing.marbleChatModel(bad(null)), TypeError, /replies must be a diagram string/],
  ['chunk(null)', () => testing.chunk(bad(null)), TypeError, /text must be a string, got null/],
  ['toolCallChunk(null)', () => testing.toolCallChunk(bad(null)), TypeError, /options must be an object like \{ name, args, id \}/],
  ['providerError("x")', () => testing.providerError(bad('x')), RangeError, /status must be an HTTP status code/],
  ['expectText(null)', () => testing.expectText(bad(null), bad(null)), TypeError, /pass the expectObservable helper/],
];

describe('bad input: typed errors at call time, with messages that say what to fix', () => {
  it.each(CALL_TIME)('%s', (_call, run, type, message) => {
    let thrown: unknown;
    try {
      run();
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(type);
    expect((thrown as Error).message).toMatch(message);
  });

  it('startFakeOpenAIServer rejects bad options and faults before binding anything', async () => {
    await expect(testing.startFakeOpenAIServer({ chunkDelayMs: -1 })).rejects.toThrow(RangeError);
    await expect(testing.startFakeOpenAIServer({ fault: bad({ type: 'drop' }) })).rejects.toThrow(/afterChunks must be an integer >= 0, got undefined/);
    await expect(testing.startFakeOpenAIServer({ faults: [bad({ type: 'status', status: 200 })] })).rejects.toThrow(/HTTP error status \(integer 400–599\)/);
  });
});

describe('bad stream values', () => {
  const text = (values: unknown[]) => lastValueFrom(of(...values).pipe(bad(lib.textContent()), toArray()));

  it('null content, image parts and tool-call-only chunks carry no text and emit nothing', async () => {
    const values = [
      new AIMessageChunk({ content: '你好' }),
      { content: null },
      new AIMessageChunk({ content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }, { type: 'text', text: ' 🌏' }] }),
      new AIMessageChunk({ content: '', tool_call_chunks: [{ name: 'search', args: '{"q":', id: 'call_1', index: 0 }] }),
    ];
    expect(await text(values)).toEqual(['你好', ' 🌏']);
  });

  it('a value that is not text at all errors with a TextInputError naming it', async () => {
    await expect(text([42])).rejects.toThrow(new TextInputError('textContent', 42));
    await expect(text([{ content: 7 }])).rejects.toThrow(/message content must be a string or an array of content parts, got the number 7/);
  });

  it('a tool-call-only reply is complete for requireCompletion and collectMessage keeps the tool call', async () => {
    const message = await lastValueFrom(
      of(
        new AIMessageChunk({ content: '', tool_call_chunks: [{ name: 'search', args: '{"q":"rx', id: 'call_1', index: 0 }] }),
        new AIMessageChunk({ content: '', tool_call_chunks: [{ args: 'js"}', index: 0 }], response_metadata: { finish_reason: 'tool_calls' } }),
      ).pipe(lib.requireCompletion(), lib.collectMessage()),
    );
    expect(message.tool_calls).toEqual([expect.objectContaining({ name: 'search', args: { q: 'rxjs' }, id: 'call_1' })]);
  });

  it('a runnable whose stream() throws synchronously: nothing at call time, the error reaches the subscriber', async () => {
    const boom = new Error('stream() exploded');
    const runnable = { stream: () => { throw boom; } };
    const source = lib.fromRunnable(bad(runnable), 'x');
    await expect(lastValueFrom(source)).rejects.toBe(boom);
  });

  it('open() returning something that is not an AsyncIterable errors with a TypeError saying so', async () => {
    await expect(lastValueFrom(lib.fromAsyncIterableFactory(bad(() => 42)))).rejects.toThrow(
      /open\(\) must return an AsyncIterable \(or a Promise of one\), got the number 42/,
    );
  });

  it('a source that errors at once passes requireCompletion unchanged, and chatTurns reports it and goes on', async () => {
    const rateLimit = Object.assign(new Error('429 Too Many Requests'), { status: 429 });
    await expect(lastValueFrom(throwError(() => rateLimit).pipe(bad(lib.requireCompletion())))).rejects.toBe(rateLimit);

    let turn = 0;
    const events = await lastValueFrom(
      of('first', 'second').pipe(
        lib.chatTurns(() => (turn++ === 0 ? throwError(() => rateLimit) : of(new AIMessageChunk({ content: 'ok', response_metadata: { finish_reason: 'stop' } })))),
        toArray(),
      ),
    );
    expect(events.filter((e) => e.type !== 'chunk').map((e) => e.type)).toEqual(['error', 'done']);
  });

  it('an already aborted caller signal errors with StreamAbortedError and never calls stream()', async () => {
    const ac = new AbortController();
    ac.abort('user left');
    let calls = 0;
    const runnable = { stream: async () => { calls++; return (async function* () {})(); } };
    await expect(lastValueFrom(lib.fromRunnable(runnable, 'x', { signal: ac.signal }))).rejects.toBeInstanceOf(lib.StreamAbortedError);
    expect(calls).toBe(0);
  });
});
