/**
 * One meaning of "first chunk" over the wire: OpenAI-compatible servers open every
 * stream with an empty role chunk (`{"delta":{"role":"assistant","content":""}}`), which
 * the fake server sends too. It is not the first chunk: a stall right after it is a
 * `first-chunk` timeout, `retryBeforeFirstChunk` retries it (the user has seen nothing),
 * and time to first chunk counts from the first chunk with content.
 *
 * Timeouts run on a virtual clock the spec advances once the server has stalled (the chunks before
 * the stall arrived): a slow machine can neither fire them early nor late.
 */
import { lastValueFrom, tap, toArray, type SchedulerLike, asyncScheduler, VirtualTimeScheduler } from 'rxjs';
import { ChatOpenAI } from '@langchain/openai';
import type { AIMessageChunk } from '@langchain/core/messages';
import { fromRunnable } from '../../src/sources/fromRunnable';
import { progress } from '../../src/operators/progress';
import { retryBeforeFirstChunk } from '../../src/operators/retryBeforeFirstChunk';
import { streamMetrics } from '../../src/operators/streamMetrics';
import { streamTimeout } from '../../src/operators/streamTimeout';
import { textContent } from '../../src/operators/textContent';
import { StreamTimeoutError } from '../../src/errors';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../../src/testing/fakeOpenAIServer';
import { until } from '../support/http';
import { advance } from '../support/virtualClock';


const REPLY = '流式输出 streams text 🐍 token by token.';

describe('the first chunk is the first chunk with content (real ChatOpenAI, fake server)', () => {
  let server: FakeOpenAIServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const openai = (s: FakeOpenAIServer): ChatOpenAI =>
    new ChatOpenAI({ apiKey: 'test', model: 'gpt-4o-mini', maxRetries: 0, configuration: { baseURL: s.baseURL } });

  it('a role chunk and then a stall: first-chunk timeout (not idle), the connection is closed, nothing of the role chunk counts', async () => {
    server = await startFakeOpenAIServer({ reply: REPLY, faults: [{ type: 'stall', afterChunks: 0 }] });
    const seen: AIMessageChunk[] = [];
    const clock = new VirtualTimeScheduler();
    const failed = lastValueFrom(
      fromRunnable(openai(server), 'hi').pipe(
        tap((c) => seen.push(c)),
        streamTimeout({ firstChunkMs: 400, idleMs: 400, scheduler: clock }),
      ),
    ).catch((e: unknown) => e);
    await until(() => seen.length === 1, 'the role chunk'); // then the server stalls
    advance(clock, 400);
    const error = await failed;
    expect(seen.map((c) => c.content)).toEqual(['']); // the role chunk did arrive
    expect(error).toBeInstanceOf(StreamTimeoutError);
    expect(error).toMatchObject({ kind: 'first-chunk', ms: 400, partialText: '', chunks: 0 });
    expect((await server.waitForClose(0)).closedByClient).toBe(true);
  });

  it('retryBeforeFirstChunk retries that stall (the user saw nothing) and the text arrives', async () => {
    server = await startFakeOpenAIServer({ reply: REPLY, faults: [{ type: 'stall', afterChunks: 0 }, null] });
    const clock = new VirtualTimeScheduler();
    let received = 0;
    const reply = lastValueFrom(
      fromRunnable(openai(server), 'hi').pipe(
        tap(() => received++),
        streamTimeout({ firstChunkMs: 400, idleMs: 5000, scheduler: clock }),
        retryBeforeFirstChunk({ count: 3, delay: 0 }),
        textContent(),
        toArray(),
      ),
    );
    await until(() => received === 1, 'the role chunk of the stalled request');
    advance(clock, 400); // the first request's first-chunk timeout; the retry's never falls due
    const pieces = await reply;
    expect(pieces.join('')).toBe(REPLY);
    expect(server.requests.map((r) => [r.fault?.type ?? null, r.completed, r.closedByClient])).toEqual([
      ['stall', false, true],
      [null, true, false],
    ]);
  });

  it('a stall after text is an idle timeout carrying the partial text, and is not retried', async () => {
    server = await startFakeOpenAIServer({ reply: REPLY, faults: [{ type: 'stall', afterChunks: 3 }, null] });
    const clock = new VirtualTimeScheduler();
    let received = 0;
    const failed = lastValueFrom(
      fromRunnable(openai(server), 'hi').pipe(
        tap(() => received++),
        streamTimeout({ firstChunkMs: 5000, idleMs: 300, scheduler: clock }),
        retryBeforeFirstChunk({ count: 3, delay: 0 }),
      ),
    ).catch((e: unknown) => e);
    await until(() => received === 4, 'the role chunk and three chunks of text'); // then the server stalls
    advance(clock, 300);
    const error = await failed;
    expect(error).toBeInstanceOf(StreamTimeoutError);
    const { kind, partialText, chunks } = error as StreamTimeoutError;
    expect({ kind, chunks }).toEqual({ kind: 'idle', chunks: 3 });
    expect(REPLY.startsWith(partialText) && partialText.length > 0).toBe(true);
    expect(server.requestCount).toBe(1);
  });

  it('time to first chunk counts from the first chunk with content, not the role chunk', async () => {
    server = await startFakeOpenAIServer({ reply: REPLY, firstChunkDelayMs: 50 });
    // A clock that reads "chunks received so far": 1 at the role chunk, 2 at the first text chunk.
    let received = 0;
    const clock: SchedulerLike = { now: () => received, schedule: asyncScheduler.schedule.bind(asyncScheduler) };
    const counted = fromRunnable(openai(server), 'hi').pipe(tap(() => received++));
    const metrics = await lastValueFrom(counted.pipe(streamMetrics({ scheduler: clock })));
    expect(metrics.firstChunkMs).toBe(2);
    expect(metrics.chars).toBe([...REPLY].length);
    received = 0;
    const events = await lastValueFrom(fromRunnable(openai(server), 'hi').pipe(tap(() => received++), progress({ scheduler: clock }), toArray()));
    expect(events[0]).toMatchObject({ chunks: 1, firstChunkMs: 2 });
    expect(events.at(-1)).toMatchObject({ done: true, firstChunkMs: 2, chars: [...REPLY].length });
  });
});
