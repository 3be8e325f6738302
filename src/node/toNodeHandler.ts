import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { describe } from '../internal/validate';

/** Anything with a Web-standard `fetch(request)`: `createChatHandler(…)`, a Hono app. */
export interface FetchHandler {
  fetch(request: Request): Response | Promise<Response>;
}

/**
 * Mounts a Web-standard handler (`createChatHandler(…)`) in `node:http` or Express 5: a
 * `(req, res) => void` listener built on `@hono/node-server`'s `getRequestListener` (a
 * well-kept bridge, not a hand-written one). Responses stream as they are produced, with
 * backpressure (the body is pulled only as fast as the socket drains), and a client that
 * goes away cancels the body: a conversation turn's reader is released (the turn goes on,
 * resumable and stoppable) and a one-off reply's model request is aborted.
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
  const listener = getRequestListener((request) => handler.fetch(request), {
    // A handler that throws is a bug of the application: answer 500 instead of leaving the client waiting.
    errorHandler: () => new Response(JSON.stringify({ error: 'Internal error.' }), { status: 500, headers: { 'content-type': 'application/json' } }),
  });
  return (req, res) => {
    // Express mounts rewrite req.url to the part after the mount path; the handler routes on the full path.
    const original = (req as { originalUrl?: unknown }).originalUrl;
    if (typeof original === 'string') req.url = original;
    void listener(req, res);
  };
}
