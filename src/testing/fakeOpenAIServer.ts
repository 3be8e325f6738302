import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { replyTo } from './cannedReplies';
import { tokenize } from './tokenize';
import { assertNonNegative, assertFunction, assertPositiveInteger } from '../internal/validate';

/** A chat completion request as the fake server received it. */
export interface FakeChatRequest {
  model: string;
  messages: Array<{ role: string; content: unknown }>;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  [key: string]: unknown;
}

/** What the server recorded about one request. */
export interface FakeRequestRecord {
  readonly index: number;
  readonly body: FakeChatRequest;
  readonly stream: boolean;
  /** `performance.now()` when the request arrived. */
  readonly openedAt: number;
  /** `performance.now()` when the response closed (finished or cut), undefined while open. */
  closedAt?: number;
  /** Content chunks written to the wire so far. */
  chunksWritten: number;
  /** Content chunks the full reply has. */
  readonly chunksTotal: number;
  /** True when the response was sent to the end ([DONE] for streams). */
  completed: boolean;
  /** True when the client closed the connection before the response ended. */
  closedByClient: boolean;
}

/** Options of {@link startFakeOpenAIServer}. */
export interface FakeOpenAIServerOptions {
  /** Reply text, or a function of the request. Default: the offline model's canned replies. */
  reply?: string | ((request: FakeChatRequest) => string);
  /** Delay before the first content chunk, ms. Default 0. */
  firstTokenMs?: number;
  /** Delay between content chunks, ms. Default 0. */
  tokenMs?: number;
  /** Write this many content chunks, then nothing more: the connection stays open. */
  stallAfterChunks?: number;
  /** Request body cap in bytes; larger bodies get 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Interface to bind. Default 127.0.0.1. */
  host?: string;
  /** Port. Default 0 (any free port). */
  port?: number;
}

/** A running fake server. */
export interface FakeOpenAIServer {
  /** Base URL to give `ChatOpenAI` as `configuration.baseURL`, e.g. `http://127.0.0.1:40123/v1`. */
  readonly baseURL: string;
  readonly port: number;
  /** One record per chat completion request, in arrival order. */
  readonly requests: readonly FakeRequestRecord[];
  /** Resolves when request `index` (default: the latest) has closed. */
  waitForClose(index?: number, timeoutMs?: number): Promise<FakeRequestRecord>;
  /** Resolves when `count` requests have arrived. */
  waitForRequests(count: number, timeoutMs?: number): Promise<void>;
  /** Stops listening and cuts every open connection. */
  close(): Promise<void>;
}

/**
 * Starts an OpenAI-compatible chat completions server on loopback for tests:
 * `POST /v1/chat/completions`, streaming (OpenAI's SSE chunk format, a usage
 * chunk when `stream_options.include_usage`, `data: [DONE]`) and not. It
 * records when each response opened and closed and how many chunks it wrote,
 * so a test can prove that an abort reached the wire.
 *
 * @example
 * ```ts
 * const server = await startFakeOpenAIServer({ tokenMs: 5 });
 * const model = new ChatOpenAI({ apiKey: 'test', configuration: { baseURL: server.baseURL } });
 * await firstValueFrom(fromRunnable(model, 'hi').pipe(take(3), toArray()));
 * const record = await server.waitForClose();
 * expect(record.closedByClient).toBe(true);
 * await server.close();
 * ```
 */
export async function startFakeOpenAIServer(options: FakeOpenAIServerOptions = {}): Promise<FakeOpenAIServer> {
  if (options.reply !== undefined && typeof options.reply !== 'string') assertFunction('startFakeOpenAIServer: reply', options.reply);
  assertNonNegative('startFakeOpenAIServer: firstTokenMs', options.firstTokenMs);
  assertNonNegative('startFakeOpenAIServer: tokenMs', options.tokenMs);
  assertNonNegative('startFakeOpenAIServer: stallAfterChunks', options.stallAfterChunks);
  assertPositiveInteger('startFakeOpenAIServer: maxBodyBytes', options.maxBodyBytes);

  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  const requests: FakeRequestRecord[] = [];
  const closeWaiters = new Set<() => void>();
  const notify = (): void => closeWaiters.forEach((w) => w());
  const timers = new Set<NodeJS.Timeout>();
  let closing = false;

  const wait = (ms: number, res: ServerResponse): Promise<void> =>
    ms <= 0
      ? Promise.resolve()
      : new Promise((resolve) => {
          const t = setTimeout(() => {
            timers.delete(t);
            res.off('close', done);
            resolve();
          }, ms);
          const done = (): void => {
            clearTimeout(t);
            timers.delete(t);
            resolve();
          };
          timers.add(t);
          res.once('close', done);
        });

  const server: Server = createServer((req, res) => {
    if (req.method !== 'POST' || !/\/chat\/completions\/?$/.test(req.url?.split('?')[0] ?? '')) {
      return sendJson(res, 404, { error: { message: `No route for ${req.method} ${req.url}`, type: 'invalid_request_error' } });
    }
    readBody(req, maxBody).then(
      (raw) => {
        let body: FakeChatRequest;
        try {
          body = JSON.parse(raw) as FakeChatRequest;
          if (!Array.isArray(body.messages)) throw new Error('messages must be an array');
        } catch (err) {
          return sendJson(res, 400, { error: { message: `Bad request: ${(err as Error).message}`, type: 'invalid_request_error' } });
        }
        void respond(body, res);
      },
      (err: Error & { status?: number }) => {
        sendJson(res, err.status ?? 400, { error: { message: err.message, type: 'invalid_request_error' } });
        req.resume();
      },
    );
  });

  async function respond(body: FakeChatRequest, res: ServerResponse): Promise<void> {
    const text = typeof options.reply === 'string' ? options.reply : typeof options.reply === 'function' ? options.reply(body) : replyTo(lastUserText(body));
    const tokens = tokenize(text);
    const record: FakeRequestRecord = {
      index: requests.length,
      body,
      stream: body.stream === true,
      openedAt: performance.now(),
      chunksWritten: 0,
      chunksTotal: tokens.length,
      completed: false,
      closedByClient: false,
    };
    requests.push(record);
    res.once('close', () => {
      record.closedAt = performance.now();
      record.closedByClient = !record.completed;
      notify();
    });
    notify();

    const id = `chatcmpl-fake-${record.index}`;
    const created = Math.floor(Date.now() / 1000);
    const model = body.model ?? 'fake-model';
    const usage = { prompt_tokens: body.messages.length * 8, completion_tokens: tokens.length, total_tokens: body.messages.length * 8 + tokens.length };

    if (!record.stream) {
      await wait((options.firstTokenMs ?? 0) + (options.tokenMs ?? 0) * tokens.length, res);
      if (res.destroyed) return;
      record.chunksWritten = tokens.length;
      record.completed = true;
      sendJson(res, 200, {
        id, object: 'chat.completion', created, model,
        choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
        usage,
      });
      return;
    }

    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const frame = (delta: object, finish: string | null = null): string =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    const write = async (data: string): Promise<boolean> => {
      if (res.destroyed || closing) return false;
      if (!res.write(data)) await new Promise<void>((r) => { res.once('drain', r); res.once('close', r); });
      return !res.destroyed;
    };

    if (!(await write(frame({ role: 'assistant', content: '' })))) return;
    await wait(options.firstTokenMs ?? 0, res);
    for (let i = 0; i < tokens.length; i++) {
      if (options.stallAfterChunks !== undefined && i >= options.stallAfterChunks) return; // hold the connection open
      if (i > 0) await wait(options.tokenMs ?? 0, res);
      if (!(await write(frame({ content: tokens[i] })))) return;
      record.chunksWritten++;
    }
    if (!(await write(frame({}, 'stop')))) return;
    if (body.stream_options?.include_usage) {
      if (!(await write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage })}\n\n`))) return;
    }
    record.completed = true;
    res.end('data: [DONE]\n\n');
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? '127.0.0.1';

  const waitFor = <T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const attempt = (): boolean => {
        const value = check();
        if (value === undefined) return false;
        cleanup();
        resolve(value);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`fake OpenAI server: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        closeWaiters.delete(waiter);
      };
      const waiter = (): void => void attempt();
      closeWaiters.add(waiter);
      attempt();
    });

  return {
    baseURL: `http://${host.includes(':') ? `[${host}]` : host}:${port}/v1`,
    port,
    requests,
    waitForClose(index?: number, timeoutMs = 5000) {
      return waitFor(() => {
        const record = requests[index ?? requests.length - 1];
        return record?.closedAt !== undefined ? record : undefined;
      }, timeoutMs, `request ${index ?? 'latest'} to close`);
    },
    waitForRequests(count: number, timeoutMs = 5000) {
      return waitFor(() => (requests.length >= count ? true : undefined), timeoutMs, `${count} requests`).then(() => undefined);
    },
    close() {
      closing = true;
      timers.forEach(clearTimeout);
      timers.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function lastUserText(body: FakeChatRequest): string {
  for (let i = body.messages.length - 1; i >= 0; i--) {
    const m = body.messages[i];
    if (m.role === 'user') {
      if (typeof m.content === 'string') return m.content;
      if (Array.isArray(m.content)) return m.content.map((p: { text?: string }) => p.text ?? '').join('');
    }
  }
  return '';
}

function readBody(req: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > max) return reject(Object.assign(new Error(`Request body over ${max} bytes`), { status: 413 }));
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (part: Buffer) => {
      size += part.length;
      if (size > max) {
        req.removeAllListeners('data');
        reject(Object.assign(new Error(`Request body over ${max} bytes`), { status: 413 }));
      } else parts.push(part);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const data = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) });
  res.end(data);
}
