import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener, RequestError } from '@hono/node-server';
import { describe } from '../internal/validate';
import { iterationAdmission } from './iterationAdmission';

/**
 * Requests started per event-loop iteration; more wait for the next (decision 0420). With 16 a
 * burst still made iterations long enough to hold the accept queue (new connections' p99 1.68 s in
 * the bench's burst); 2 and 4 measured alike (0.43 / 0.44 s), and 4 leaves room for the requests
 * a proxy's pool sends together.
 */
const REQUESTS_PER_ITERATION = 4;

/** Anything with a Web-standard `fetch(request)`: `createChatHandler(…)`, a Hono app. */
export interface FetchHandler {
  /** `env` is `@hono/node-server`'s `{ incoming, outgoing }` (a Hono app reads it as `c.env`). */
  fetch(request: Request, env?: { incoming: IncomingMessage; outgoing: ServerResponse }): Response | Promise<Response>;
}

/**
 * Mounts a Web-standard handler (`createChatHandler(…)`) in `node:http` or Express 5: a
 * `(req, res) => void` listener built on `@hono/node-server`'s `getRequestListener` (a
 * well-kept bridge, not a hand-written one). Responses stream as they are produced, with
 * backpressure (the body is pulled only as fast as the socket drains), and a client that
 * goes away cancels the body: a conversation turn's reader is released (the turn goes on,
 * resumable and stoppable) and a one-off reply's model request is aborted. At most four requests
 * start per event-loop iteration, the rest in arrival order in the next ones: a burst of requests
 * cannot stall the server's streams and other routes (decision 0420); a request whose client left
 * while it waited is not started.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import express from 'express';
 * import { createChatHandler } from 'rxjs-langchain';
 * import { toNodeHandler } from 'rxjs-langchain/node';
 * import { ScriptedChatModel } from 'rxjs-langchain/offline';
 *
 * const chat = toNodeHandler(createChatHandler({ model: new ScriptedChatModel() }));
 * createServer(chat).listen(3000, '127.0.0.1'); // node:http
 * express().use('/api/chat', (req, res) => chat(req, res)); // Express 5: keep the full URL
 * ```
 *
 * @param handler The Web handler.
 * @returns A Node request listener.
 * @see createChatHandler
 */
export function toNodeHandler(handler: FetchHandler): (req: IncomingMessage, res: ServerResponse) => void {
  if (typeof handler !== 'object' || handler === null || typeof handler.fetch !== 'function') {
    throw new TypeError(`toNodeHandler: handler must have a fetch(request) method (createChatHandler(…)), got ${describe(handler)}.`);
  }
  // It takes no options: a plain-JavaScript caller's `toNodeHandler(handler, { maxBodyBytes })` would be ignored (decision 0401).
  // eslint-disable-next-line prefer-rest-params
  if (arguments.length > 1) throw new TypeError(`toNodeHandler takes only the handler, got a second argument (${describe(arguments[1])}); options such as maxBodyBytes go to createChatHandler(…).`);
  const listener = getRequestListener(async (request, env) => {
    const bindings = env as { incoming: IncomingMessage; outgoing: ServerResponse };
    const response = await handler.fetch(request, bindings);
    // A refused body: read the rest first, so the client finishes sending and reads the 413 (no EPIPE).
    if (response.status === 413) await drain(bindings.incoming);
    return response;
  }, { errorHandler });
  const admit = iterationAdmission(REQUESTS_PER_ITERATION);
  return (req, res) => {
    // Express mounts rewrite req.url to the part after the mount path; the handler routes on the full path.
    const original = (req as { originalUrl?: unknown }).originalUrl;
    if (typeof original === 'string') req.url = original;
    admit(() => {
      if (!req.socket?.destroyed) void listener(req, res);
    });
  };
}

/**
 * A request the bridge could not turn into a Web `Request` (a Host that is not a host, none, a bad
 * target: its `RequestError`) is the client's: 400 with why, as every other malformed request.
 * Anything else a handler throws is a bug of the application: 500 instead of leaving the client waiting.
 */
function errorHandler(error: unknown): Response {
  const headers = { 'content-type': 'application/json', 'cache-control': 'no-store' };
  if (!(error instanceof RequestError)) return new Response(JSON.stringify({ error: 'Internal error.' }), { status: 500, headers });
  const why = error.message.charAt(0).toLowerCase() + error.message.slice(1);
  return new Response(JSON.stringify({ error: `Bad request: ${why}.` }), { status: 400, headers: { ...headers, connection: 'close' } });
}

/** Past this, a refused body is not read to its end: the connection is cut. */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;

/** Reads and drops what is left of a request body the handler refused (up to 64 MiB). */
function drain(incoming: IncomingMessage): Promise<void> {
  if (incoming.readableEnded || incoming.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let size = 0;
    incoming.removeAllListeners('data'); // the Web body's reader gave up on it
    incoming.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > DRAIN_LIMIT_BYTES) incoming.destroy();
    });
    incoming.once('end', () => resolve());
    incoming.once('close', () => resolve());
    incoming.resume();
  });
}
