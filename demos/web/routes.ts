/**
 * The web demo's routes as a Hono app: every request's Host checked by `checkRequest` (421),
 * the page and its bundled scripts, `/api/info`, and the chat handler under `/api/chat`
 * (which checks Origin, bodies, ids and caps itself). Hono routes; nothing here reads a body.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { Hono } from 'hono';
import type { ChatHandler } from '../../src';
import { checkRequest, type RequestCheckOptions } from '../../src/node';
import { BROWSER_SCRIPTS, browserScript } from './bundle';

/** The Host / Origin policy of every route and of the WebSocket endpoint. */
export type RequestPolicy = Omit<RequestCheckOptions, 'runsModel'>;

const PAGE = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' };
const SCRIPT = { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' };

/** The demo's app: `fetch(request, { incoming })` (mounted with `toNodeHandler`). */
export function demoRoutes(chat: ChatHandler, modelDescription: string, policy: RequestPolicy): Hono<{ Bindings: { incoming: IncomingMessage } }> {
  const app = new Hono<{ Bindings: { incoming: IncomingMessage } }>();
  const json = (status: number, error: string, headers: Record<string, string> = {}) => Response.json({ error }, { status, headers });
  app.use('*', async (c, next) => {
    const refusal = checkRequest(c.env.incoming, { ...policy, runsModel: false }); // the Host, for every request
    if (refusal) return json(refusal.status, refusal.message);
    await next();
  });
  const page = readFileSync(join(__dirname, 'public', 'index.html'));
  for (const path of ['/', '/index.html']) app.get(path, (c) => c.body(new Uint8Array(page), 200, PAGE));
  for (const path of BROWSER_SCRIPTS) {
    // Bundled from the package on their first request (./bundle.ts).
    app.get(path, async (c) => c.body(new Uint8Array(await browserScript(path)), 200, SCRIPT));
  }
  // The page declares no icon; browsers that ask anyway get no 404.
  app.get('/favicon.ico', (c) => c.body(null, 204, { 'cache-control': 'max-age=86400' }));
  app.get('/api/info', (c) => c.json({ model: modelDescription }));
  app.all('/api/chat', (c) => chat.fetch(c.req.raw));
  app.all('/api/chat/*', (c) => chat.fetch(c.req.raw));
  for (const path of ['/', '/index.html', '/favicon.ico', '/api/info', ...BROWSER_SCRIPTS]) app.all(path, () => json(405, 'Use GET.', { allow: 'GET, HEAD' }));
  app.notFound((c) => json(404, `Not found: ${c.req.method} ${new URL(c.req.url).pathname}`));
  app.onError((error) => json(500, error.message));
  return app;
}
