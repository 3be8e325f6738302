import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { replyTo } from '../offline/cannedReplies';
import { tokenize } from '../offline/tokenize';
import { assertBoolean, assertFunction, assertInteger, assertNonNegative, assertOneOf, assertPositiveInteger, describe } from '../internal/validate';
import { readBodyText, sendJson } from '../internal/http';

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
  /** The fault injected into this response, or null for a healthy one. */
  readonly fault: FakeFault | null;
  /** HTTP status sent (200 for streams and healthy replies). */
  readonly status: number;
  /** True when the server itself cut the connection (fault `drop`), not the client. */
  cutByServer: boolean;
}

/**
 * A fault the fake server injects into one response, to test what a client does
 * when the wire misbehaves. Chunk counts are content chunks (the role chunk that
 * opens every stream is not counted).
 *
 * - `status`: an error reply before any stream (e.g. 429 with `retryAfter`, 500, 401).
 * - `drop`: `afterChunks` content chunks, then the socket is destroyed: no finish_reason, no `[DONE]`.
 * - `end-early`: `afterChunks` content chunks, then the response ends *cleanly* without a
 *   finish_reason or `[DONE]` (what a proxy that closes a close-delimited body looks like).
 * - `malformed`: `afterChunks` content chunks, then a `data:` frame that is not JSON; the
 *   connection is then held open (the client is expected to close it).
 * - `stall`: `afterChunks` content chunks, then nothing; the connection is held open.
 * - `drip`: the whole reply, one chunk every `chunkDelayMs` (a slow but healthy stream).
 * - `headers-only`: 200 and the SSE headers, then nothing at all; held open.
 */
export type FakeFault =
  | { type: 'status'; status: number; retryAfter?: number | string; message?: string }
  | { type: 'drop'; afterChunks: number }
  | { type: 'end-early'; afterChunks: number }
  | { type: 'malformed'; afterChunks: number }
  | { type: 'stall'; afterChunks: number }
  | { type: 'drip'; chunkDelayMs: number }
  | { type: 'headers-only' };

/** One tool call of a {@link FakeTurn}. */
export interface FakeToolCall {
  /** Default `call_<request>_<index>`. */
  id?: string;
  name: string;
  /** The JSON arguments: text as the model writes it (need not parse), or an object to serialise. */
  arguments: string | Record<string, unknown>;
  /**
   * Exactly how the arguments are split over chunks (they must join to `arguments`), e.g.
   * mid-escape or between the halves of a surrogate pair. Default: pieces of
   * `argsChunkChars` UTF-16 units.
   */
  fragments?: readonly string[];
}

/**
 * A scripted reply beyond plain text: reasoning (streamed as `delta.reasoning_content`,
 * DeepSeek-style, before the text), text, and tool calls streamed as OpenAI does
 * (`delta.tool_calls[{ index, id, function: { name, arguments: '' } }]`, then the
 * arguments in fragments; finish reason `tool_calls`).
 */
export interface FakeTurn {
  reasoning?: string;
  text?: string;
  toolCalls?: readonly FakeToolCall[];
  /** Stream the argument fragments of the calls round-robin (index 0, 1, 0, 1 …) instead of one call after another. */
  interleave?: boolean;
  /** Argument fragment size in UTF-16 units when a call gives no `fragments`. Default 4. */
  argsChunkChars?: number;
}

/** Options of {@link startFakeOpenAIServer}. */
export interface FakeOpenAIServerOptions {
  /** Reply text, or a function of the request. Default: the offline model's canned replies. */
  reply?: string | ((request: FakeChatRequest) => string);
  /**
   * A reply with reasoning and tool calls for a request (by body and index), or
   * undefined / null for the plain `reply`. E.g. tool calls when `body.messages` has no
   * `role: 'tool'` message yet, the answer once it has. Content chunks count each
   * reasoning, text and argument fragment.
   */
  turn?: (request: FakeChatRequest, index: number) => FakeTurn | null | undefined;
  /**
   * Write every SSE frame in pieces of this many bytes, each flushed before the next, so
   * the client reads multi-byte characters split across reads. Default: one write per frame.
   */
  writeBytes?: number;
  /**
   * Open every stream with the role chunk `{"delta":{"role":"assistant","content":""}}`, as
   * OpenAI and compatible servers do (a chunk without content: it is not the first chunk).
   * Default true; false starts with the first content chunk.
   */
  roleChunk?: boolean;
  /** Delay before the first content chunk (after the role chunk), ms. Default 0. */
  firstChunkDelayMs?: number;
  /** Delay between content chunks, ms. Default 0. */
  chunkDelayMs?: number;
  /** Write this many content chunks, then nothing more: the connection stays open. */
  stallAfterChunks?: number;
  /** Request body cap in bytes; larger bodies get 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Interface to bind. Default 127.0.0.1. */
  host?: string;
  /** Port. Default 0 (any free port). */
  port?: number;
  /**
   * Keep a {@link FakeRequestRecord} (with the request body) for every request in `requests`.
   * Default true; set false for soak runs, where the log itself would grow the heap —
   * `requestCount` and `openResponses` still count. `waitForClose` needs records.
   */
  recordRequests?: boolean;
  /**
   * Faults consumed in order, one per request: `faults: [{ type: 'status', status: 429, retryAfter: 1 }, null]`
   * answers the first request with 429 and the second normally (`null` = healthy). Once
   * used up, `fault` applies. More can be queued later with `server.queueFaults()`.
   */
  faults?: ReadonlyArray<FakeFault | null>;
  /**
   * The fault for every request not covered by `faults`: one fault, or a function of the
   * request (and its index) returning a fault or null. Default: none.
   */
  fault?: FakeFault | null | ((request: FakeChatRequest, index: number) => FakeFault | null | undefined);
}

/** A running fake server. */
export interface FakeOpenAIServer {
  /** Base URL to give `ChatOpenAI` as `configuration.baseURL`, e.g. `http://127.0.0.1:40123/v1`. */
  readonly baseURL: string;
  readonly port: number;
  /** One record per chat completion request, in arrival order (empty with `recordRequests: false`). */
  readonly requests: readonly FakeRequestRecord[];
  /** Resolves when request `index` (default: the latest) has closed. */
  waitForClose(index?: number, timeoutMs?: number): Promise<FakeRequestRecord>;
  /** Resolves when `count` requests have arrived. */
  waitForRequests(count: number, timeoutMs?: number): Promise<void>;
  /** Appends faults to the queue that `options.faults` started (one per request, `null` = healthy). */
  queueFaults(...faults: Array<FakeFault | null>): void;
  /** Closes every connection that carries no response right now (a client's idle keep-alive pool). */
  closeIdleConnections(): void;
  /** Chat completion requests received so far (counted even with `recordRequests: false`). */
  readonly requestCount: number;
  /** Chat completion responses not closed yet. */
  readonly openResponses: number;
  /** TCP connections open right now (keep-alive sockets included). */
  readonly openConnections: number;
  /** TCP connections accepted since start. */
  readonly totalConnections: number;
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
 * import { firstValueFrom, take, toArray } from 'rxjs';
 * import { ChatOpenAI } from '@langchain/openai';
 * import { fromRunnable } from 'rxjs-langchain';
 * import { startFakeOpenAIServer } from 'rxjs-langchain/testing';
 *
 * test('take(3) closes the HTTP response', async () => {
 *   const server = await startFakeOpenAIServer({ chunkDelayMs: 5 });
 *   const model = new ChatOpenAI({ apiKey: 'test', configuration: { baseURL: server.baseURL } });
 *   await firstValueFrom(fromRunnable(model, 'hi').pipe(take(3), toArray()));
 *   const record = await server.waitForClose();
 *   expect(record.closedByClient).toBe(true);
 *   await server.close();
 * });
 * ```
 *
 * @see `ScriptedChatModel` (`rxjs-langchain/offline`), whose canned replies it sends by default.
 * @see {@link marbleChatModel} for tests in virtual time, without HTTP.
 *
 * @param options The reply, latency, `faults` to inject, `maxBodyBytes`, `host`, `port` and `recordRequests`.
 * @returns The running server, once it listens: `baseURL`, the request records, `waitForClose()`, `close()` ….
 */
export async function startFakeOpenAIServer(options: FakeOpenAIServerOptions = {}): Promise<FakeOpenAIServer> {
  assertServerOptions(options);
  const state: ServerState = {
    options,
    maxBody: options.maxBodyBytes ?? 1024 * 1024,
    faultQueue: [...(options.faults ?? [])],
    sockets: new Set(),
    busy: new Set(),
    requests: [],
    closeWaiters: new Set(),
    timers: new Set(),
    closing: false,
    requestCount: 0,
    openResponses: 0,
    totalConnections: 0,
  };
  const server: Server = createServer((req, res) => handleRequest(state, req, res));
  // No server-side idle close of keep-alive sockets: with Node's 5 s default, a loaded machine let the
  // client reuse a socket in the same moment the server closed it ("Connection error." in 1 of 1,000
  // soak cycles, with retries off). The client closes idle sockets itself; close() ends the rest.
  server.keepAliveTimeout = 0;
  server.on('connection', (socket: Socket) => {
    state.totalConnections++;
    state.sockets.add(socket);
    socket.once('close', () => state.sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  return serverHandle(state, server, options.host ?? '127.0.0.1', (server.address() as AddressInfo).port);
}

/** What one running fake server keeps between requests. */
interface ServerState {
  readonly options: FakeOpenAIServerOptions;
  readonly maxBody: number;
  readonly faultQueue: Array<FakeFault | null>;
  readonly sockets: Set<Socket>;
  /** Sockets with a response in progress. */
  readonly busy: Set<Socket>;
  readonly requests: FakeRequestRecord[];
  /** Called whenever a request opens or closes (waitFor's checks). */
  readonly closeWaiters: Set<() => void>;
  readonly timers: Set<NodeJS.Timeout>;
  closing: boolean;
  closed?: Promise<void>;
  requestCount: number;
  openResponses: number;
  totalConnections: number;
}

function assertServerOptions(options: FakeOpenAIServerOptions): void {
  if (options.reply !== undefined && typeof options.reply !== 'string') assertFunction('startFakeOpenAIServer: reply', options.reply);
  assertNonNegative('startFakeOpenAIServer: firstChunkDelayMs', options.firstChunkDelayMs);
  assertNonNegative('startFakeOpenAIServer: chunkDelayMs', options.chunkDelayMs);
  assertNonNegative('startFakeOpenAIServer: stallAfterChunks', options.stallAfterChunks);
  assertPositiveInteger('startFakeOpenAIServer: maxBodyBytes', options.maxBodyBytes);
  assertBoolean('startFakeOpenAIServer: recordRequests', options.recordRequests);
  assertBoolean('startFakeOpenAIServer: roleChunk', options.roleChunk);
  if (options.turn !== undefined) assertFunction('startFakeOpenAIServer: turn', options.turn);
  assertPositiveInteger('startFakeOpenAIServer: writeBytes', options.writeBytes);
  if (options.faults !== undefined && !Array.isArray(options.faults)) {
    throw new TypeError(`startFakeOpenAIServer: faults must be an array of faults (null = healthy), got ${describe(options.faults)}.`);
  }
  options.faults?.forEach((f, i) => f !== null && assertFault(`startFakeOpenAIServer: faults[${i}]`, f));
  if (typeof options.fault === 'function') assertFunction('startFakeOpenAIServer: fault', options.fault);
  else if (options.fault !== undefined && options.fault !== null) assertFault('startFakeOpenAIServer: fault', options.fault);
}

const notify = (state: ServerState): void => state.closeWaiters.forEach((w) => w());

/** Resolves after `ms`, or at once when the response closes first (a timer the server's close() clears). */
function wait(state: ServerState, ms: number, res: ServerResponse): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      state.timers.delete(t);
      res.off('close', done);
      resolve();
    }, ms);
    const done = (): void => {
      clearTimeout(t);
      state.timers.delete(t);
      resolve();
    };
    state.timers.add(t);
    res.once('close', done);
  });
}

function handleRequest(state: ServerState, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'POST' || !/\/chat\/completions\/?$/.test(req.url?.split('?')[0] ?? '')) {
    return sendJson(res, 404, { error: { message: `No route for ${req.method} ${req.url}`, type: 'invalid_request_error' } });
  }
  readBodyText(req, state.maxBody).then(
    (raw) => {
      let body: FakeChatRequest;
      try {
        body = JSON.parse(raw) as FakeChatRequest;
        if (!Array.isArray(body.messages)) throw new Error('messages must be an array');
      } catch (err) {
        return sendJson(res, 400, { error: { message: `Bad request: ${(err as Error).message}`, type: 'invalid_request_error' } });
      }
      void respond(state, body, res);
    },
    (err: Error & { status?: number }) => {
      sendJson(res, err.status ?? 400, { error: { message: err.message, type: 'invalid_request_error' } });
      req.resume();
    },
  );
}

function nextFault(state: ServerState, body: FakeChatRequest, index: number): FakeFault | null {
  const { options } = state;
  if (state.faultQueue.length > 0) return state.faultQueue.shift() ?? null;
  if (typeof options.fault === 'function') {
    const fault = options.fault(body, index) ?? null;
    if (fault !== null) assertFault('startFakeOpenAIServer: fault()', fault);
    return fault;
  }
  return options.fault ?? null;
}

/** One reply: what the request gets, and its record. */
interface Reply {
  readonly body: FakeChatRequest;
  readonly fault: FakeFault | null;
  readonly turn: FakeTurn | undefined;
  readonly text: string;
  readonly deltas: object[];
  readonly finishReason: string;
  readonly record: FakeRequestRecord;
  readonly id: string;
  readonly created: number;
  readonly model: string;
  readonly usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

/** The fault, turn and text of request `index`; a 500 (and undefined) when the caller's fault() or turn() throws. */
function planReply(state: ServerState, body: FakeChatRequest, index: number, res: ServerResponse): Reply | undefined {
  const { options } = state;
  let fault: FakeFault | null;
  let turn: FakeTurn | undefined;
  try {
    fault = nextFault(state, body, index);
    turn = options.turn?.(body, index) ?? undefined;
    if (turn !== undefined) assertTurn(turn);
  } catch (err) {
    sendJson(res, 500, { error: { message: `fake server: ${(err as Error).message}`, type: 'server_error' } });
    return undefined;
  }
  const text = turn
    ? turn.text ?? ''
    : typeof options.reply === 'string' ? options.reply : typeof options.reply === 'function' ? options.reply(body) : replyTo(lastUserText(body));
  const deltas: object[] = turn ? turnDeltas(turn, index) : tokenize(text).map((content) => ({ content }));
  const record: FakeRequestRecord = {
    index, body, stream: body.stream === true, openedAt: performance.now(), chunksWritten: 0, chunksTotal: deltas.length,
    completed: false, closedByClient: false, fault, status: fault?.type === 'status' ? fault.status : 200, cutByServer: false,
  };
  const prompt = body.messages.length * 8;
  return {
    body, fault, turn, text, deltas, record,
    finishReason: turn?.toolCalls && turn.toolCalls.length > 0 ? 'tool_calls' : 'stop',
    id: `chatcmpl-fake-${index}`,
    created: Math.floor(Date.now() / 1000),
    model: body.model ?? 'fake-model',
    usage: { prompt_tokens: prompt, completion_tokens: deltas.length, total_tokens: prompt + deltas.length },
  };
}

/** Records the response, and what its close means (a client's close, or a cut that kills the socket). */
function track(state: ServerState, record: FakeRequestRecord, res: ServerResponse): void {
  if (state.options.recordRequests !== false) state.requests.push(record);
  state.openResponses++;
  const socket = res.socket;
  if (socket) state.busy.add(socket);
  res.once('close', () => {
    state.openResponses--;
    record.closedAt = performance.now();
    record.closedByClient = !record.completed && !record.cutByServer;
    // A response cut short leaves a half-closed socket that node keeps for seconds; nothing can follow it.
    if (!record.completed && !socket?.destroyed) socket?.destroy();
    if (socket) state.busy.delete(socket);
    notify(state);
  });
  notify(state);
}

async function respond(state: ServerState, body: FakeChatRequest, res: ServerResponse): Promise<void> {
  const reply = planReply(state, body, state.requestCount++, res);
  if (reply === undefined) return;
  const { fault, record } = reply;
  track(state, record, res);
  if (fault?.type === 'status') {
    const headers: Record<string, string> = {};
    if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
    record.completed = true;
    sendJson(res, fault.status, { error: { message: fault.message ?? `Injected fault: HTTP ${fault.status}`, type: errorTypeOf(fault.status) } }, headers);
    return;
  }
  if (record.stream) return streamReply(state, reply, res);
  const { options } = state;
  await wait(state, (options.firstChunkDelayMs ?? 0) + (options.chunkDelayMs ?? 0) * reply.deltas.length, res);
  if (res.destroyed) return;
  record.chunksWritten = reply.deltas.length;
  record.completed = true;
  const message = reply.turn ? turnMessage(reply.turn, record.index) : { role: 'assistant', content: reply.text };
  sendJson(res, 200, {
    id: reply.id, object: 'chat.completion', created: reply.created, model: reply.model,
    choices: [{ index: 0, message, finish_reason: reply.finishReason }],
    usage: reply.usage,
  });
}

/** Writes to `res`, waiting for drain (in `writeBytes` pieces, each flushed, when set); false once it closed. */
function writerFor(state: ServerState, res: ServerResponse): (data: string) => Promise<boolean> {
  const writeOnce = async (data: string | Buffer): Promise<boolean> => {
    if (res.destroyed || state.closing) return false;
    if (!res.write(data)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.once('drain', done);
        res.once('close', done);
      });
    }
    return !res.destroyed;
  };
  return async (data) => {
    const size = state.options.writeBytes;
    if (size === undefined) return writeOnce(data);
    const bytes = Buffer.from(data);
    for (let at = 0; at < bytes.length; at += size) {
      if (!(await writeOnce(bytes.subarray(at, at + size)))) return false;
      await flushed(res);
    }
    return !res.destroyed;
  };
}

async function streamReply(state: ServerState, reply: Reply, res: ServerResponse): Promise<void> {
  const { options } = state;
  const { fault, record, deltas, id, created, model } = reply;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const frame = (delta: object, finish: string | null = null): string =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  const write = writerFor(state, res);
  if (fault?.type === 'headers-only') {
    res.flushHeaders();
    return; // hold the connection open, send nothing
  }
  if (options.roleChunk !== false && !(await write(frame({ role: 'assistant', content: '' })))) return;
  await wait(state, options.firstChunkDelayMs ?? 0, res);
  const chunkDelayMs = fault?.type === 'drip' ? fault.chunkDelayMs : options.chunkDelayMs ?? 0;
  const stopAt = fault && 'afterChunks' in fault ? fault.afterChunks : options.stallAfterChunks;
  for (let i = 0; i <= deltas.length; i++) {
    if (stopAt !== undefined && i >= stopAt) return injectFault(state, reply, res, i > 0 ? chunkDelayMs : 0, write);
    if (i === deltas.length) break;
    if (i > 0) await wait(state, chunkDelayMs, res);
    if (!(await write(frame(deltas[i])))) return;
    record.chunksWritten++;
  }
  if (!(await write(frame({}, reply.finishReason)))) return;
  if (reply.body.stream_options?.include_usage) {
    if (!(await write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: reply.usage })}\n\n`))) return;
  }
  record.completed = true;
  res.end('data: [DONE]\n\n');
}

/** The stream's fault after its chunks: drop the socket, end early, a malformed frame, or hold it open (stall). */
async function injectFault(state: ServerState, reply: Reply, res: ServerResponse, delayMs: number, write: (data: string) => Promise<boolean>): Promise<void> {
  await wait(state, delayMs, res);
  await flushed(res); // the chunks reach the client before the fault does
  if (res.destroyed) return;
  if (reply.fault?.type === 'drop') {
    reply.record.cutByServer = true;
    res.socket?.destroy();
  } else if (reply.fault?.type === 'end-early') {
    reply.record.cutByServer = true;
    res.end();
  } else if (reply.fault?.type === 'malformed') {
    await write('data: {"id":"chatcmpl-fake","choices":[{"delta":{"content":"br\n\n');
  }
  // stall / malformed: hold the connection open
}

/** Resolves with `check()`'s value once it has one (checked whenever a request opens or closes). */
function waitFor<T>(state: ServerState, check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
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
      state.closeWaiters.delete(waiter);
    };
    const waiter = (): void => void attempt();
    state.closeWaiters.add(waiter);
    attempt();
  });
}

function serverHandle(state: ServerState, server: Server, host: string, port: number): FakeOpenAIServer {
  const { requests } = state;
  return {
    baseURL: `http://${host.includes(':') ? `[${host}]` : host}:${port}/v1`,
    port,
    requests,
    waitForClose(index?: number, timeoutMs = 5000) {
      return waitFor(state, () => {
        const record = requests[index ?? requests.length - 1];
        return record?.closedAt !== undefined ? record : undefined;
      }, timeoutMs, `request ${index ?? 'latest'} to close`);
    },
    waitForRequests(count: number, timeoutMs = 5000) {
      return waitFor(state, () => (state.requestCount >= count ? true : undefined), timeoutMs, `${count} requests`).then(() => undefined);
    },
    queueFaults(...faults: Array<FakeFault | null>) {
      faults.forEach((f, i) => f !== null && assertFault(`queueFaults: faults[${i}]`, f));
      state.faultQueue.push(...faults);
    },
    closeIdleConnections() {
      // node's own closeIdleConnections() skips connections that never carried a request
      // (clients open spare ones), so close every socket without a response in progress.
      for (const socket of state.sockets) if (!state.busy.has(socket)) socket.destroy();
    },
    get requestCount() {
      return state.requestCount;
    },
    get openResponses() {
      return state.openResponses;
    },
    get openConnections() {
      return state.sockets.size;
    },
    get totalConnections() {
      return state.totalConnections;
    },
    close() {
      if (state.closed) return state.closed;
      state.closing = true;
      state.timers.forEach(clearTimeout);
      state.timers.clear();
      state.closed = new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        state.sockets.forEach((s) => s.destroy()); // upgraded or half-open sockets too
      });
      return state.closed;
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

/** Resolves once everything written so far has left the process (or the socket is gone). */
async function flushed(res: ServerResponse): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve)); // http uncorks on the next tick
  const socket = res.socket;
  if (!socket || socket.destroyed || socket.writableLength === 0) return;
  await new Promise<void>((resolve) => {
    const done = (): void => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.once('drain', done);
    socket.once('close', done);
  });
}

function errorTypeOf(status: number): string {
  if (status === 401) return 'invalid_api_key';
  if (status === 429) return 'rate_limit_exceeded';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

const FAULT_TYPES: ReadonlyArray<FakeFault['type']> = ['status', 'drop', 'end-early', 'malformed', 'stall', 'drip', 'headers-only'];

function assertFault(name: string, fault: unknown): asserts fault is FakeFault {
  if (typeof fault !== 'object' || fault === null || Array.isArray(fault)) {
    throw new TypeError(`${name} must be a fault object like { type: 'drop', afterChunks: 3 }, got ${describe(fault)}.`);
  }
  const f = fault as Record<string, unknown>;
  assertOneOf(`${name}.type`, f.type, FAULT_TYPES, false);
  if (f.type === 'status') {
    if (typeof f.status !== 'number' || !Number.isInteger(f.status) || f.status < 400 || f.status > 599) {
      throw new RangeError(`${name}.status must be an HTTP error status (integer 400–599), got ${describe(f.status)}.`);
    }
    if (f.retryAfter !== undefined && typeof f.retryAfter !== 'string') assertNonNegative(`${name}.retryAfter`, f.retryAfter, false);
    if (f.message !== undefined && typeof f.message !== 'string') throw new TypeError(`${name}.message must be a string, got ${describe(f.message)}.`);
  } else if (f.type === 'drip') {
    assertNonNegative(`${name}.chunkDelayMs`, f.chunkDelayMs, false);
  } else if (f.type !== 'headers-only') {
    assertInteger(`${name}.afterChunks`, f.afterChunks, 0, false);
  }
}

function argumentsText(call: FakeToolCall): string {
  return typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments);
}

/** The stream deltas of a turn: reasoning tokens, text tokens, then the tool calls. */
function turnDeltas(turn: FakeTurn, request: number): object[] {
  const deltas: object[] = [];
  if (turn.reasoning) for (const t of tokenize(turn.reasoning)) deltas.push({ reasoning_content: t });
  if (turn.text) for (const t of tokenize(turn.text)) deltas.push({ content: t });
  const calls = turn.toolCalls ?? [];
  const size = turn.argsChunkChars ?? 4;
  const pieces = calls.map((call) => {
    const args = argumentsText(call);
    if (call.fragments) return [...call.fragments];
    const out: string[] = [];
    for (let at = 0; at < args.length; at += size) out.push(args.slice(at, at + size));
    return out;
  });
  const start = (i: number): object => ({
    tool_calls: [{ index: i, id: calls[i].id ?? `call_${request}_${i}`, type: 'function', function: { name: calls[i].name, arguments: '' } }],
  });
  const piece = (i: number, args: string): object => ({ tool_calls: [{ index: i, function: { arguments: args } }] });
  if (turn.interleave) {
    calls.forEach((_, i) => deltas.push(start(i)));
    const longest = Math.max(0, ...pieces.map((p) => p.length));
    for (let k = 0; k < longest; k++) pieces.forEach((p, i) => k < p.length && deltas.push(piece(i, p[k])));
  } else {
    calls.forEach((_, i) => {
      deltas.push(start(i));
      for (const args of pieces[i]) deltas.push(piece(i, args));
    });
  }
  return deltas;
}

/** The whole message of a turn, for non-streaming requests. */
function turnMessage(turn: FakeTurn, request: number): object {
  const calls = turn.toolCalls ?? [];
  return {
    role: 'assistant',
    content: turn.text ?? (calls.length > 0 ? null : ''),
    ...(turn.reasoning && { reasoning_content: turn.reasoning }),
    ...(calls.length > 0 && {
      tool_calls: calls.map((call, i) => ({
        id: call.id ?? `call_${request}_${i}`,
        type: 'function',
        function: { name: call.name, arguments: argumentsText(call) },
      })),
    }),
  };
}

function assertTurn(turn: unknown): asserts turn is FakeTurn {
  if (typeof turn !== 'object' || turn === null || Array.isArray(turn)) {
    throw new TypeError(`turn() must return { reasoning?, text?, toolCalls? }, null or undefined, got ${describe(turn)}.`);
  }
  const t = turn as FakeTurn;
  if (t.toolCalls !== undefined && !Array.isArray(t.toolCalls)) throw new TypeError(`turn().toolCalls must be an array, got ${describe(t.toolCalls)}.`);
  assertPositiveInteger('turn().argsChunkChars', t.argsChunkChars);
  t.toolCalls?.forEach((call, i) => {
    if (typeof call?.name !== 'string' || call.name.length === 0) throw new TypeError(`turn().toolCalls[${i}].name must be a non-empty string, got ${describe(call?.name)}.`);
    if (call.fragments !== undefined && call.fragments.join('') !== argumentsText(call)) {
      throw new TypeError(`turn().toolCalls[${i}].fragments must join to its arguments.`);
    }
  });
}
