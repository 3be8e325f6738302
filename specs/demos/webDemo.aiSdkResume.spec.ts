/**
 * The web demo's AI SDK endpoint as a conversation, driven by the `ai` package's own client
 * (DefaultChatTransport's sendMessages / reconnectToStream, readUIMessageStream): a reply
 * started on instance A survives its client dropping, DefaultChatTransport's reconnect on
 * instance B replays it and follows the live tail, the model runs once; 204 when no reply runs;
 * `POST /api/chat/:id/stop` on B stops A's model. In memory (one instance) and in Redis (two
 * instances in this process). Separate processes: webDemo.redis.e2e.spec.ts.
 */
import { randomUUID } from 'node:crypto';
import { AIMessageChunk, type BaseMessage } from '@langchain/core/messages';
import { DefaultChatTransport, readUIMessageStream, type UIMessage, type UIMessageChunk } from 'ai';
import { Observable } from 'rxjs';
import { startWebDemo, type WebDemo, type WebDemoOptions } from '../../demos/web/server';
import { createScaleOut, type ScaleOut } from '../../demos/web/scaleOut';
import { NOT_CROSS_SITE } from '../support/sse';
import { describeWithRedis, startRedisServer, type RedisServer } from '../support/redis';
import { startReply, textOf, user } from '../support/chatHandler';
import { useCleanup, useCleanupAfterAll, type Cleanup } from '../support/cleanup';
import { startServices } from '../support/services';

/** The reply, in the pieces the model streams: newlines, emoji, quotes and a backslash. */
const PIECES = ['第一行\n', '第二行 ', '😀', '👩‍💻 ', '“引号” ', '"双引号" ', '\\ 反斜杠\n', 'Python ', '🐍', '\n\n', ...Array.from({ length: 20 }, (_, i) => `词${i} `), '完。'];
const REPLY = PIECES.join('');
/** The model waits for its gate after this many pieces, so a reply is running for as long as a spec needs. */
const HALF = 8;

interface Runs {
  started: number;
  completed: number;
  /** Unsubscribed before it completed: the model request was aborted. */
  aborted: number;
  seen: BaseMessage[][];
}

/** A model run (AIMessageChunks) that streams HALF pieces, waits for `gate`, then the rest. */
function gatedAgent(runs: Runs, gate: Promise<void>): (messages: BaseMessage[]) => Observable<AIMessageChunk> {
  return (messages) =>
    new Observable<AIMessageChunk>((subscriber) => {
      runs.started++;
      runs.seen.push(messages);
      let done = false;
      void (async () => {
        for (let i = 0; i < PIECES.length; i++) {
          if (i === HALF) await gate;
          await new Promise((resolve) => setTimeout(resolve, 1));
          if (subscriber.closed) return;
          const last = i === PIECES.length - 1;
          subscriber.next(new AIMessageChunk({ content: PIECES[i], ...(last && { response_metadata: { finish_reason: 'stop' } }) }));
        }
        done = true;
        runs.completed++;
        subscriber.complete();
      })();
      return () => {
        if (!done) runs.aborted++;
      };
    });
}

const transport = (url: string): DefaultChatTransport<UIMessage> => new DefaultChatTransport<UIMessage>({ api: `${url}/api/chat`, headers: NOT_CROSS_SITE });

async function readAll(stream: ReadableStream<UIMessageChunk>): Promise<{ chunks: UIMessageChunk[]; message: UIMessage | undefined; errors: unknown[] }> {
  const chunks: UIMessageChunk[] = [];
  const errors: unknown[] = [];
  const tapped = stream.pipeThrough(new TransformStream<UIMessageChunk, UIMessageChunk>({ transform: (chunk, controller) => void (chunks.push(chunk), controller.enqueue(chunk)) }));
  let message: UIMessage | undefined;
  for await (const snapshot of readUIMessageStream({ stream: tapped, onError: (e) => errors.push(e) })) message = snapshot;
  return { chunks, message, errors };
}

/** The model a factory's demos run. */
type Agent = (messages: BaseMessage[]) => Observable<AIMessageChunk>;

/**
 * Starts a demo whose `close` runs once, whoever calls it first: the test (instance A going away
 * mid-reply) or the cleanup (startServices registers it: a test that failed or timed out before).
 */
async function startClosingOnce(options: WebDemoOptions): Promise<{ demo: WebDemo; close(): Promise<void> }> {
  const demo = await startWebDemo(options);
  let closing: Promise<void> | undefined;
  return { demo, close: () => (closing ??= demo.close()) };
}

/**
 * The factories start their demos (and states) with `startServices(cleanup, …)`: each is closed by
 * the test's cleanup once it started, even when the test timed out or a sibling's start failed.
 */
function scenario(make: (agent: Agent, cleanup: Cleanup) => Promise<{ a: WebDemo; b: WebDemo }>): void {
  let open: () => void = () => undefined;
  let runs: Runs;
  beforeEach(() => {
    runs = { started: 0, completed: 0, aborted: 0, seen: [] };
  });
  afterEach(() => open()); // before the cleanup's closers (declared first): no model waits at its gate while its demo closes
  const cleanup = useCleanup();
  const setUp = async (): Promise<{ a: WebDemo; b: WebDemo }> => {
    const gate = new Promise<void>((resolve) => (open = resolve));
    return make(gatedAgent(runs, gate), cleanup);
  };

  it('a client dropped mid-reply on A resumes on B with DefaultChatTransport.reconnectToStream: the reply replayed then the live tail, byte-exact, the model run once', async () => {
    const { a, b } = await setUp();
    const chatId = randomUUID();
    const first = await startReply(transport(a.url), chatId, '讲个故事 😀', 5);
    await first.drop();

    const resumed = await transport(b.url).reconnectToStream({ chatId });
    expect(resumed).not.toBeNull(); // the reply is still running (the model waits for its gate)
    const reading = readAll(resumed!);
    open(); // the rest of the reply streams after the client reconnected: the live tail
    const { chunks, message, errors } = await reading;

    expect(errors).toEqual([]);
    expect(textOf(message)).toBe(REPLY);
    expect(chunks.slice(0, first.seen.length)).toEqual(first.seen); // the same chunks again from the start (the SDK replays them)
    expect(chunks[0]).toMatchObject({ type: 'start' });
    expect(chunks.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop' });
    expect(runs).toMatchObject({ started: 1, completed: 1, aborted: 0 });
    expect(runs.seen[0].map((m) => [m.getType(), m.content])).toEqual([['human', '讲个故事 😀']]);
    // Once it has ended there is nothing running to resume.
    expect(await transport(a.url).reconnectToStream({ chatId })).toBeNull();
  });

  it('GET /api/chat/:id/stream is 204 when the chat has no running reply; a bad chat id is a 400', async () => {
    const { a, b } = await setUp();
    expect(await transport(b.url).reconnectToStream({ chatId: randomUUID() })).toBeNull();
    const res = await fetch(`${a.url}/api/chat/${randomUUID()}/stream`, { headers: NOT_CROSS_SITE });
    expect([res.status, await res.text()]).toEqual([204, '']);
    expect((await fetch(`${a.url}/api/chat/${encodeURIComponent('a b')}/stream`, { headers: NOT_CROSS_SITE })).status).toBe(400);
    expect((await fetch(`${a.url}/api/chat/x/stream`, { headers: { origin: 'http://evil.example' } })).status).toBe(403);
    expect(runs.started).toBe(0);
  });

  it("POST /api/chat/:id/stop on B stops A's model: the reply ends with abort, the model request is aborted", async () => {
    const { a, b } = await setUp();
    const chatId = randomUUID();
    const reply = await startReply(transport(a.url), chatId, 'hello', 5);
    const stop = await fetch(`${b.url}/api/chat/${chatId}/stop`, { method: 'POST', headers: NOT_CROSS_SITE });
    expect(await stop.json()).toMatchObject({ stopped: true });
    const rest = await reply.rest();
    expect(rest.at(-1)).toEqual({ type: 'abort' });
    expect(runs).toMatchObject({ started: 1, completed: 0, aborted: 1 });
    const text = [...reply.seen, ...rest].map((c) => (c.type === 'text-delta' ? c.delta : '')).join('');
    expect(REPLY.startsWith(text)).toBe(true);
    expect(text.length).toBeLessThan(REPLY.length);
    // The chat goes on: its next turn gets the lock.
    open();
    const next = await readAll(await transport(b.url).sendMessages({ chatId, messages: [user('hello'), user('again')], trigger: 'submit-message', messageId: undefined, abortSignal: undefined }));
    expect(textOf(next.message)).toBe(REPLY);
  });
}

/** Two demos over one conversations' state (the caller's), so that A can go away mid-reply while B answers. */
interface Pair {
  a: WebDemo;
  b: WebDemo;
  /** B's view of the conversations (histories). */
  state: ScaleOut;
  /** A goes away: its producers are unsubscribed (the end written is `abandoned`), its server closed. */
  closeA(): Promise<void>;
}

/** As `scenario`: what the factory starts is closed by `cleanup`; `closeA` and the cleanup close A once. */
function producerGone(make: (agent: Agent, cleanup: Cleanup) => Promise<Pair>): void {
  let open: () => void = () => undefined;
  afterEach(() => open()); // before the cleanup's closers (declared first)
  const cleanup = useCleanup();

  it("the instance running a chat's reply goes away mid-reply: DefaultChatTransport.reconnectToStream on B gets every stored chunk, then an error chunk saying the producer is gone, never a 204 or a hang; nothing is saved", async () => {
    const runs: Runs = { started: 0, completed: 0, aborted: 0, seen: [] };
    const fx = await make(gatedAgent(runs, new Promise<void>((resolve) => (open = resolve))), cleanup);
    const chatId = randomUUID();
    const first = await startReply(transport(fx.a.url), chatId, '讲个故事 😀', 5);
    await fx.closeA(); // the model waits at its gate: the reply is cut mid-way
    expect(runs).toMatchObject({ started: 1, completed: 0, aborted: 1 });

    const resumed = await transport(fx.b.url).reconnectToStream({ chatId });
    expect(resumed).not.toBeNull();
    const { chunks, message, errors } = await readAll(resumed!);
    expect(chunks.slice(0, first.seen.length)).toEqual(first.seen); // everything stored, from the start
    expect(chunks.at(-1)).toEqual({ type: 'error', errorText: expect.stringMatching(/producer/) });
    expect(chunks.filter((c) => c.type === 'error' || c.type === 'finish' || c.type === 'abort')).toHaveLength(1);
    expect(errors.map((e) => (e as Error).message)).toEqual([(chunks.at(-1) as { errorText: string }).errorText]); // what useChat's onError gets
    const text = textOf(message);
    expect(text.length).toBeGreaterThan(0);
    expect(text.length).toBeLessThan(REPLY.length);
    expect(REPLY.startsWith(text)).toBe(true);
    expect(await fx.state.history(chatId).getMessages()).toEqual([]); // nothing cut is saved
    // The same again (a reload): the stored reply is kept for its grace period.
    const again = await readAll((await transport(fx.b.url).reconnectToStream({ chatId }))!);
    expect(again.chunks).toEqual(chunks);
    // The chat goes on on B; once its reply ended normally, the reconnect is a 204 again.
    open();
    const next = await readAll(await transport(fx.b.url).sendMessages({ chatId, messages: [user('again')], trigger: 'submit-message', messageId: undefined, abortSignal: undefined }));
    expect(textOf(next.message)).toBe(REPLY);
    expect(await transport(fx.b.url).reconnectToStream({ chatId })).toBeNull();
  });
}

describe('web demo: the AI SDK endpoint resumes and stops by chat id', () => {
  describe('in memory (one instance)', () => {
    scenario(async (agent, cleanup) => {
      const [demo] = await startServices(cleanup, () => startWebDemo({ port: 0, agent }));
      return { a: demo, b: demo };
    });
  });

  describe('in memory: two demos of this process over one in-memory log, A closed mid-reply', () => {
    producerGone(async (agent, cleanup) => {
      const [state] = await startServices(cleanup, () => createScaleOut());
      const [a, b] = await startServices(cleanup, () => startClosingOnce({ port: 0, agent, conversations: state }), () => startWebDemo({ port: 0, agent, conversations: state }));
      return { a: a.demo, b, state, closeA: a.close };
    });
  });

  describeWithRedis('in Redis (two instances, one redis-server)', () => {
    let redis: RedisServer;
    const cleanupAll = useCleanupAfterAll();
    beforeAll(async () => {
      [redis] = await startServices(cleanupAll, startRedisServer);
    });
    describe('A closed mid-reply', () => {
      producerGone(async (agent, cleanup) => {
        // A's state is its own (scaleOut): A's close closes it.
        const [state] = await startServices(cleanup, () => createScaleOut({ redisUrl: redis.url }));
        const [a, b] = await startServices(cleanup, () => startClosingOnce({ port: 0, agent, scaleOut: { redisUrl: redis.url } }), () => startWebDemo({ port: 0, agent, conversations: state }));
        return { a: a.demo, b, state, closeA: a.close };
      });
    });
    scenario(async (agent, cleanup) => {
      const [a, b] = await startServices(
        cleanup,
        () => startWebDemo({ port: 0, agent, scaleOut: { redisUrl: redis.url } }),
        () => startWebDemo({ port: 0, agent, scaleOut: { redisUrl: redis.url } }),
      );
      expect([a.state, b.state]).toEqual(['redis', 'redis']);
      return { a, b };
    });
  });
});
