/**
 * Faults on the wire, through the real ChatOpenAI and fromRunnable against the
 * fake OpenAI server: what each fault looks like raw, and the typed outcome a user
 * gets from the recommended pipeline.
 */
import { lastValueFrom, tap, VirtualTimeScheduler } from 'rxjs';
import { ChatOpenAI } from '@langchain/openai';
import type { AIMessageChunk } from '@langchain/core/messages';
import { fromRunnable } from '../../src/sources/fromRunnable';
import { collectMessage } from '../../src/operators/collectMessage';
import { collectText } from '../../src/operators/collectText';
import { requireCompletion } from '../../src/operators/requireCompletion';
import { streamTimeout } from '../../src/operators/streamTimeout';
import { isRetryableError, retryBeforeFirstChunk } from '../../src/operators/retryBeforeFirstChunk';
import { StreamInterruptedError, StreamTimeoutError } from '../../src/errors';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../../src/testing/fakeOpenAIServer';
import { tokenize } from '../../src/offline/tokenize';
import { until } from '../support/http';
import { advance } from '../support/virtualClock';

const REPLY = '你好，世界！👋 This reply has several tokens in it.';
const TOKENS = tokenize(REPLY);

function openai(server: FakeOpenAIServer): ChatOpenAI {
  return new ChatOpenAI({ apiKey: 'test', model: 'gpt-4o-mini', maxRetries: 0, configuration: { baseURL: server.baseURL } });
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the stream to error, but it completed');
}

describe('faults on the wire (real ChatOpenAI → fromRunnable → fake server)', () => {
  let server: FakeOpenAIServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  describe('status errors before the stream', () => {
    it('429 with Retry-After is retried by retryBeforeFirstChunk after the server-given wait, then succeeds', async () => {
      server = await startFakeOpenAIServer({ reply: REPLY, faults: [{ type: 'status', status: 429, retryAfter: 1 }] });
      const text = await lastValueFrom(
        fromRunnable(openai(server), 'hi').pipe(retryBeforeFirstChunk({ delay: 10 }), requireCompletion(), collectText()),
      );
      expect(text).toBe(REPLY);
      expect(server.requests.map((r) => r.status)).toEqual([429, 200]);
      // Retry-After: 1 (s) wins over the 10 ms backoff.
      expect(server.requests[1].openedAt - server.requests[0].openedAt).toBeGreaterThanOrEqual(950);
    });

    it('500 is retried with backoff, then succeeds', async () => {
      server = await startFakeOpenAIServer({ reply: REPLY, faults: [{ type: 'status', status: 500 }, { type: 'status', status: 503 }] });
      const text = await lastValueFrom(
        fromRunnable(openai(server), 'hi').pipe(retryBeforeFirstChunk({ delay: 20 }), requireCompletion(), collectText()),
      );
      expect(text).toBe(REPLY);
      expect(server.requests.map((r) => r.status)).toEqual([500, 503, 200]);
    });

    it('401 is not retried and says so: status 401, the server message, a non-retryable error', async () => {
      server = await startFakeOpenAIServer({ reply: REPLY, faults: [{ type: 'status', status: 401, message: 'Incorrect API key provided' }] });
      const err = (await failure(
        lastValueFrom(fromRunnable(openai(server), 'hi').pipe(retryBeforeFirstChunk({ delay: 10 }), requireCompletion(), collectText())),
      )) as Error & { status?: number; lc_error_code?: string };
      expect(err.status).toBe(401);
      expect(err.message).toContain('Incorrect API key provided');
      expect(err.lc_error_code).toBe('MODEL_AUTHENTICATION');
      expect(err).not.toBeInstanceOf(StreamInterruptedError); // failed before the first chunk: passed through as is
      expect(isRetryableError(err)).toBe(false);
      expect(server.requests).toHaveLength(1);
    });
  });

  describe('connection dropped mid-stream (socket destroyed, no finish_reason, no [DONE])', () => {
    it('raw: fromRunnable errors (undici "terminated"), and collectMessage keeps nothing', async () => {
      server = await startFakeOpenAIServer({ reply: REPLY, faults: [{ type: 'drop', afterChunks: 3 }] });
      const err = (await failure(lastValueFrom(fromRunnable(openai(server), 'hi').pipe(collectMessage())))) as Error;
      expect(err.name).toBe('TypeError'); // Node's own TypeError (another realm than Jest's), from undici
      expect(err.message).toBe('terminated');
      const record = await server.waitForClose(0);
      expect(record).toMatchObject({ cutByServer: true, closedByClient: false, chunksWritten: 3, completed: false });
    });

    it('with requireCompletion: StreamInterruptedError with the partial text and the network error as cause', async () => {
      server = await startFakeOpenAIServer({ reply: REPLY, faults: [{ type: 'drop', afterChunks: 3 }] });
      const err = (await failure(lastValueFrom(fromRunnable(openai(server), 'hi').pipe(requireCompletion(), collectText())))) as StreamInterruptedError;
      expect(err).toBeInstanceOf(StreamInterruptedError);
      expect(err.code).toBe('STREAM_INTERRUPTED');
      expect(err.reason).toBe('error');
      expect(err.partialText).toBe(TOKENS.slice(0, 3).join(''));
      expect((err.cause as Error).message).toBe('terminated');
      expect(err.message).toMatch(/partial text/);
    });

    it('is not retried once text has arrived (the user already saw it)', async () => {
      server = await startFakeOpenAIServer({ reply: REPLY, faults: [{ type: 'drop', afterChunks: 2 }] });
      const err = await failure(
        lastValueFrom(fromRunnable(openai(server), 'hi').pipe(retryBeforeFirstChunk({ delay: 10 }), requireCompletion(), collectText())),
      );
      expect(err).toBeInstanceOf(StreamInterruptedError);
      expect(server.requests).toHaveLength(1);
    });
  });

  describe('response ended cleanly mid-reply (no finish_reason, no [DONE])', () => {
    it('raw: the SDK ends the stream silently — a truncated reply that looks finished', async () => {
      server = await startFakeOpenAIServer({ reply: REPLY, faults: [{ type: 'end-early', afterChunks: 4 }] });
      const message: AIMessageChunk = await lastValueFrom(fromRunnable(openai(server), 'hi').pipe(collectMessage()));
      expect(message.content).toBe(TOKENS.slice(0, 4).join(''));
      expect(message.response_metadata.finish_reason).toBeUndefined(); // the only tell
    });

    it('with requireCompletion: StreamInterruptedError (no-finish) with the partial text', async () => {
      server = await startFakeOpenAIServer({ reply: REPLY, faults: [{ type: 'end-early', afterChunks: 4 }] });
      const err = (await failure(lastValueFrom(fromRunnable(openai(server), 'hi').pipe(requireCompletion(), collectText())))) as StreamInterruptedError;
      expect(err).toBeInstanceOf(StreamInterruptedError);
      expect(err.reason).toBe('no-finish');
      expect(err.partialText).toBe(TOKENS.slice(0, 4).join(''));
      expect(err.message).toMatch(/without a finish_reason/);
    });

    it('a healthy reply passes requireCompletion untouched', async () => {
      server = await startFakeOpenAIServer({ reply: REPLY });
      const message = await lastValueFrom(fromRunnable(openai(server), 'hi').pipe(requireCompletion(), collectMessage()));
      expect(message.content).toBe(REPLY);
      expect(message.response_metadata.finish_reason).toBe('stop');
    });
  });

  describe('malformed JSON frame', () => {
    let consoleError: jest.SpyInstance;
    beforeEach(() => {
      consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined); // the SDK logs the bad frame
    });
    afterEach(() => consoleError.mockRestore());

    it('errors (SyntaxError) and the client closes the connection', async () => {
      server = await startFakeOpenAIServer({ reply: REPLY, faults: [{ type: 'malformed', afterChunks: 2 }] });
      const err = (await failure(lastValueFrom(fromRunnable(openai(server), 'hi').pipe(collectText())))) as Error;
      expect(err).toBeInstanceOf(SyntaxError);
      expect(err.message).toMatch(/JSON/); // openai 6: the parser's own message
      expect((await server.waitForClose(0, 60_000)).closedByClient).toBe(true);
    });

    it('with requireCompletion: StreamInterruptedError with the text before the bad frame', async () => {
      server = await startFakeOpenAIServer({ reply: REPLY, faults: [{ type: 'malformed', afterChunks: 2 }] });
      const err = (await failure(lastValueFrom(fromRunnable(openai(server), 'hi').pipe(requireCompletion(), collectText())))) as StreamInterruptedError;
      expect(err).toBeInstanceOf(StreamInterruptedError);
      expect(err.partialText).toBe(TOKENS.slice(0, 2).join(''));
      expect(err.cause).toBeInstanceOf(SyntaxError);
    });
  });

  // Timeouts run on a virtual clock the spec advances once the server has stalled (or, for a drip,
  // by the drip's own gap per chunk): a loaded machine can neither make a healthy reply look stalled
  // nor decide which limit falls due first.
  describe('stalls', () => {
    it('a stall after N chunks ends in StreamTimeoutError (idle) and the connection is closed', async () => {
      server = await startFakeOpenAIServer({ reply: REPLY, faults: [{ type: 'stall', afterChunks: 2 }] });
      const clock = new VirtualTimeScheduler();
      let received = 0;
      const failed = failure(
        lastValueFrom(fromRunnable(openai(server), 'hi').pipe(tap(() => received++), streamTimeout({ idleMs: 300, scheduler: clock }), requireCompletion(), collectText())),
      );
      await until(() => received === 3, 'the role chunk and two chunks before the stall');
      advance(clock, 300);
      const err = (await failed) as StreamTimeoutError;
      expect(err).toBeInstanceOf(StreamTimeoutError);
      expect(err.kind).toBe('idle');
      // The idle timeout closed it (the stalled server never would): no wall-clock bound needed.
      const record = await server.waitForClose(0, 60_000);
      expect(record).toMatchObject({ closedByClient: true, chunksWritten: 2 });
    });

    it('headers and then nothing ends in StreamTimeoutError (first-chunk); retried, the next attempt succeeds', async () => {
      server = await startFakeOpenAIServer({ reply: REPLY, faults: [{ type: 'headers-only' }] });
      const clock = new VirtualTimeScheduler();
      const reply = lastValueFrom(
        fromRunnable(openai(server), 'hi').pipe(
          streamTimeout({ firstChunkMs: 300, scheduler: clock }),
          retryBeforeFirstChunk({ delay: 10 }),
          requireCompletion(),
          collectText(),
        ),
      );
      await until(() => server!.requests.length === 1, 'the first request'); // its headers, then nothing
      advance(clock, 300); // the first request's first-chunk timeout; the retry's never falls due
      const text = await reply;
      expect(text).toBe(REPLY);
      expect(server.requests).toHaveLength(2);
      expect(server.requests[0]).toMatchObject({ closedByClient: true, chunksWritten: 0 });
    });

    it('headers and then nothing, without retry: StreamTimeoutError (first-chunk), connection closed', async () => {
      server = await startFakeOpenAIServer({ reply: REPLY, fault: { type: 'headers-only' } });
      const clock = new VirtualTimeScheduler();
      const failed = failure(lastValueFrom(fromRunnable(openai(server), 'hi').pipe(streamTimeout({ firstChunkMs: 200, scheduler: clock }), collectText())));
      await until(() => server!.requests.length === 1, 'the request');
      advance(clock, 200);
      const err = (await failed) as StreamTimeoutError;
      expect(err).toBeInstanceOf(StreamTimeoutError);
      expect(err.kind).toBe('first-chunk');
      expect((await server.waitForClose(0, 60_000)).closedByClient).toBe(true);
    });

    it('a slow drip within the idle limit is not a fault: the whole reply arrives', async () => {
      server = await startFakeOpenAIServer({ reply: REPLY, faults: [{ type: 'drip', chunkDelayMs: 40 }] });
      const clock = new VirtualTimeScheduler();
      const text = await lastValueFrom(
        fromRunnable(openai(server), 'hi').pipe(tap(() => advance(clock, 40)), streamTimeout({ idleMs: 400, scheduler: clock }), requireCompletion(), collectText()),
      );
      expect(text).toBe(REPLY);
      expect(server.requests[0].completed).toBe(true);
    });

    it('a slow drip over the total limit ends in StreamTimeoutError (total) and the connection is closed', async () => {
      server = await startFakeOpenAIServer({ reply: REPLY, faults: [{ type: 'drip', chunkDelayMs: 60 }] });
      const clock = new VirtualTimeScheduler();
      const err = (await failure(
        lastValueFrom(fromRunnable(openai(server), 'hi').pipe(tap(() => advance(clock, 60)), streamTimeout({ idleMs: 400, totalMs: 250, scheduler: clock }), collectText())),
      )) as StreamTimeoutError;
      expect(err.kind).toBe('total');
      const record = await server.waitForClose(0, 60_000);
      expect(record.closedByClient).toBe(true);
      expect(record.chunksWritten).toBeLessThan(record.chunksTotal);
    });
  });
});
