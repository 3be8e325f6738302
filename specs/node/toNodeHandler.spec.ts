/**
 * The same chat handler mounted in Hono (on @hono/node-server), Express 5 and node:http
 * (toNodeHandler), driven over real HTTP by the `ai` package's DefaultChatTransport: send,
 * reconnect mid-reply, stop; byte-exact text, 204 after the end. A client that goes away
 * releases its reader (the turn runs on) or, for a one-off reply, aborts the model.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import express from 'express';
import { Hono } from 'hono';
import { createChatHandler, type ChatHandler } from '../../src';
import { toNodeHandler } from '../../src/node';
import { deltasText, gatedStream, HALF, newChatId, NOT_CROSS_SITE, readAll, REPLY, startReply, textOf, transport, until, user, type Runs } from '../support/chatHandler';

interface Mounted {
  url: string;
  close(): Promise<void>;
}

const listen = (server: Server): Promise<Mounted> =>
  new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });

const MOUNTS: Record<string, (handler: ChatHandler) => Promise<Mounted>> = {
  'node:http': (handler) => listen(createServer(toNodeHandler(handler))),
  'Express 5': (handler) => {
    const app = express();
    app.get('/health', (_req, res) => void res.send('ok'));
    app.use('/api/chat', toNodeHandler(handler));
    return listen(createServer(app));
  },
  Hono: (handler) => {
    const app = new Hono();
    app.get('/health', (c) => c.text('ok'));
    app.all('/api/chat', (c) => handler.fetch(c.req.raw));
    app.all('/api/chat/*', (c) => handler.fetch(c.req.raw));
    return new Promise((resolve) => {
      const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
        resolve({
          url: `http://127.0.0.1:${info.port}`,
          close: () =>
            new Promise<void>((done) => {
              server.close(() => done());
              (server as Server).closeAllConnections();
            }),
        }),
      );
    });
  },
};

describe.each(Object.keys(MOUNTS))('the chat handler mounted in %s', (name) => {
  let handler: ChatHandler;
  let mounted: Mounted;
  let runs: Runs;
  beforeEach(async () => {
    const gated = gatedStream();
    runs = gated.runs;
    handler = createChatHandler({ stream: gated.stream });
    mounted = await MOUNTS[name](handler);
  });
  afterEach(async () => {
    runs.open();
    await mounted.close();
    await handler.close();
  });
  const api = () => `${mounted.url}/api/chat`;

  it('send: the whole reply byte-exact; then reconnect is a 204', async () => {
    runs.open();
    const t = transport(api());
    const chatId = newChatId();
    const { message } = await readAll(await t.sendMessages({ chatId, messages: [user('你好')], trigger: 'submit-message', messageId: undefined, abortSignal: undefined }));
    expect(textOf(message)).toBe(REPLY);
    expect(await t.reconnectToStream({ chatId })).toBeNull();
  });

  it('reconnect mid-reply: the dropped client resumes byte-exact, the model run once; the run outlived its client', async () => {
    const t = transport(api());
    const chatId = newChatId();
    const first = await startReply(t, chatId, '你好', 2);
    await first.drop();
    expect(handler.runs).toBe(1); // the client is gone, the turn is not
    const resumed = await t.reconnectToStream({ chatId });
    runs.open();
    expect(textOf((await readAll(resumed!)).message)).toBe(REPLY);
    expect([runs.started, runs.aborted]).toEqual([1, 0]);
    expect(await t.reconnectToStream({ chatId })).toBeNull();
  });

  it('stop: the reply ends with abort, the model is aborted', async () => {
    const t = transport(api());
    const chatId = newChatId();
    const reply = await startReply(t, chatId, '你好', HALF);
    const stop = await fetch(`${api()}/${chatId}/stop`, { method: 'POST', headers: NOT_CROSS_SITE });
    expect(await stop.json()).toMatchObject({ stopped: true });
    const rest = await reply.rest();
    expect(rest.map((c) => c.type)).toContain('abort');
    expect(REPLY.startsWith(deltasText([...reply.seen, ...rest]))).toBe(true);
    expect(runs.aborted).toBe(1);
  });

  it('a one-off reply (no id) whose client goes away aborts the model and frees its place', async () => {
    const abort = new AbortController();
    const res = await fetch(api(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ messages: [user('你好')] }), signal: abort.signal });
    const reader = res.body!.getReader();
    await reader.read();
    abort.abort();
    await until(() => runs.aborted === 1 && handler.runs === 0);
    expect(runs.completed).toBe(0);
  });
});
