/**
 * The peer of the chat-handler bench (issue 22): what an AI SDK user writes for "useChat with resume
 * across instances" — `streamText` on a mock model + `toUIMessageStreamResponse`, made resumable
 * with the `resumable-stream` package on Redis (the AI SDK's documented recipe). Two instances are
 * two `node:http` servers with their own resumable-stream contexts on the same redis-server.
 * Stop: the peer has none (its users abort the fetch); the bench counts whether the model ran on.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { generateId, simulateReadableStream, streamText, UI_MESSAGE_STREAM_HEADERS, type UIMessage } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { createClient } from 'redis';
import { createResumableStreamContext } from 'resumable-stream/redis';
import { LISTEN_BACKLOG } from './chatHandler.wire';

/** The same tokens and pacing for both sides. */
export interface Script {
  tokens: readonly string[];
  tokenDelayMs: number;
}

/** Per-reply counters the bench reads: did the model run to its end after the client stopped? */
export interface ModelRuns {
  started: number;
  finished: number;
  /** When each conversation's model run reached its end (`performance.now()`), where the side knows the conversation. */
  endedAt?: Map<string, number>;
}

export interface PeerInstance {
  readonly url: string;
  close(): Promise<void>;
}

type Redis = ReturnType<typeof createClient>;

/** A mock model that streams the script's tokens; `runs` counts the streams it started and finished. */
function mockModel(script: Script, runs: ModelRuns): MockLanguageModelV3 {
  return new MockLanguageModelV3({
    doStream: async () => {
      runs.started++;
      const chunks = [
        { type: 'stream-start' as const, warnings: [] },
        { type: 'text-start' as const, id: 't' },
        ...script.tokens.map((delta) => ({ type: 'text-delta' as const, id: 't', delta })),
        { type: 'text-end' as const, id: 't' },
        {
          type: 'finish' as const,
          finishReason: { unified: 'stop' as const, raw: 'stop' },
          usage: {
            inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 },
            outputTokens: { total: script.tokens.length, text: script.tokens.length, reasoning: 0 },
          },
        },
      ];
      const stream = simulateReadableStream({ chunks, chunkDelayInMs: script.tokenDelayMs });
      // Counts a run that delivered its finish: the model was not stopped.
      const counted = stream.pipeThrough(
        new TransformStream({
          transform: (chunk, controller) => {
            if (chunk.type === 'finish') runs.finished++;
            controller.enqueue(chunk);
          },
        }),
      );
      return { stream: counted };
    },
  });
}

async function readJson(req: IncomingMessage): Promise<{ id?: string; messages?: UIMessage[] }> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return JSON.parse(Buffer.concat(parts).toString('utf8')) as { id?: string; messages?: UIMessage[] };
}

/**
 * The AI SDK's message persistence (its docs, "Chatbot Message Persistence"): `originalMessages` and an
 * `onFinish` that saves the chat's UI messages, here to Redis under the chat id (`peer:chat:<id>:messages`,
 * no expiry, like a chat store): so the peer keeps the conversation, as ours does with its history.
 */
function persistence(publisher: Redis, id: string | undefined, messages: UIMessage[] | undefined) {
  return {
    originalMessages: messages,
    onFinish: async ({ messages: all }: { messages: UIMessage[] }) => void (await publisher.set(`peer:chat:${id}:messages`, JSON.stringify(all))),
  };
}

/** Pipes a Web stream of strings or bytes into `res`; the client leaving cancels the reader. */
async function pipe(stream: ReadableStream<string | Uint8Array>, res: ServerResponse, headers: Record<string, string>): Promise<void> {
  res.writeHead(200, headers);
  const reader = stream.getReader();
  res.on('close', () => void reader.cancel().catch(() => undefined));
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || res.destroyed) break;
      res.write(value);
    }
  } catch {
    // the client left
  }
  res.end();
}

/** One peer instance on a free port; `persist`: it also saves each chat's messages (the AI SDK's recipe). */
export async function startPeer(redisUrl: string, script: Script, runs: ModelRuns, { persist = false } = {}): Promise<PeerInstance> {
  const publisher: Redis = createClient({ url: redisUrl });
  const subscriber: Redis = createClient({ url: redisUrl });
  await Promise.all([publisher.connect(), subscriber.connect()]);
  const context = createResumableStreamContext({ waitUntil: null, publisher, subscriber, keyPrefix: 'peer' });
  const model = mockModel(script, runs);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'GET' && url.pathname === '/api/info') return void res.setHeader('x-handled-at', String(performance.timeOrigin + performance.now())).end('{"ok":true}');
    const resume = /^\/api\/chat\/([\w-]+)\/stream$/.exec(url.pathname);
    if (req.method === 'GET' && resume) {
      const streamId = await publisher.get(`peer:chat:${resume[1]}:stream`);
      const stream = streamId ? await context.resumeExistingStream(streamId) : undefined;
      if (!stream) return void res.writeHead(204).end();
      return pipe(stream.pipeThrough(new TextEncoderStream()), res, UI_MESSAGE_STREAM_HEADERS);
    }
    if (req.method !== 'POST' || url.pathname !== '/api/chat') return void res.writeHead(404).end();
    const { id, messages } = await readJson(req);
    const result = streamText({ model, prompt: 'question' });
    const response = result.toUIMessageStreamResponse({
      ...(persist && persistence(publisher, id, messages)),
      // The recipe: the SSE stream goes into resumable-stream; the producer must stay alive.
      consumeSseStream: async ({ stream }) => {
        const streamId = generateId();
        await context.createNewResumableStream(streamId, () => stream);
        await publisher.set(`peer:chat:${id}:stream`, streamId, { EX: 24 * 60 * 60 });
      },
    });
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => (headers[name] = value));
    return pipe(response.body!, res, headers);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: LISTEN_BACKLOG }, resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([publisher.quit(), subscriber.quit()]).catch(() => undefined);
    },
  };
}
