/**
 * Every server the project ships: bodies over the cap get 413, unknown routes 404,
 * the WebSocket adapter refuses disallowed origins, and nothing binds beyond
 * 127.0.0.1 unless told to.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { of } from 'rxjs';
import { AIMessageChunk } from '@langchain/core/messages';
import { serveChatOverWebSocket, type ChatWebSocketServer } from '../../src/node';
import { ScriptedChatModel, startFakeOpenAIServer } from '../../src/testing';
import { startWebDemo } from '../../demos/web/server';

function httpRequest(port: number, method: string, path: string, body?: string | Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { 'content-type': 'application/json' } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (p: Buffer) => parts.push(p));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString('utf8') }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err)));
    req.end(body);
  });
}

/** Opens a WebSocket with an Origin header; resolves with 'open' or the refusal. */
function tryConnect(url: string, origin?: string): Promise<{ outcome: 'open' | 'refused' | 'closed'; status?: number; code?: number; ws?: WebSocket }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, origin === undefined ? {} : { origin });
    ws.once('unexpected-response', (_req, res) => {
      resolve({ outcome: 'refused', status: res.statusCode });
      res.resume();
      ws.terminate();
    });
    ws.once('open', () => {
      // A standalone WebSocketServer accepts first and then closes with 1008.
      const timer = setTimeout(() => resolve({ outcome: 'open', ws }), 100);
      ws.once('close', (code) => {
        clearTimeout(timer);
        resolve({ outcome: 'closed', code });
      });
    });
    ws.once('error', () => undefined);
  });
}

const listen = (server: Server): Promise<number> =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

describe('servers: caps, routes, origins, loopback binding', () => {
  describe('fake OpenAI server', () => {
    it('binds 127.0.0.1, refuses bodies over the cap (413) and unknown routes (404)', async () => {
      const server = await startFakeOpenAIServer({ maxBodyBytes: 2048 });
      try {
        expect(new URL(server.baseURL).hostname).toBe('127.0.0.1');
        expect((await httpRequest(server.port, 'POST', '/v1/chat/completions', Buffer.alloc(10_000, 'x'))).status).toBe(413);
        expect((await httpRequest(server.port, 'POST', '/v1/completions', '{}')).status).toBe(404);
        expect((await httpRequest(server.port, 'GET', '/v1/chat/completions')).status).toBe(404);
        expect(server.requests).toHaveLength(0);
      } finally {
        await server.close();
      }
    });
  });

  describe('web demo server (startWebDemo)', () => {
    it('binds 127.0.0.1 by default, refuses bodies over the cap (413) and unknown routes (404)', async () => {
      const demo = await startWebDemo({ port: 0, model: new ScriptedChatModel(), maxBodyBytes: 1024 });
      try {
        expect((demo.server.address() as AddressInfo).address).toBe('127.0.0.1');
        const port = (demo.server.address() as AddressInfo).port;
        const big = JSON.stringify({ question: 'x'.repeat(5000) });
        expect((await httpRequest(port, 'POST', '/api/chat/stream', big)).status).toBe(413);
        expect((await httpRequest(port, 'GET', '/no/such/route')).status).toBe(404);
        expect((await httpRequest(port, 'POST', '/api/nothing', '{}')).status).toBe(404);
      } finally {
        await demo.close();
      }
    });

    it('refuses WebSocket upgrades and API requests from other origins (403); its own origin connects', async () => {
      const demo = await startWebDemo({ port: 0, model: new ScriptedChatModel() });
      try {
        const port = (demo.server.address() as AddressInfo).port;
        expect(await tryConnect(`ws://127.0.0.1:${port}/ws`, 'https://evil.example')).toEqual({ outcome: 'refused', status: 403 });
        const own = await tryConnect(`ws://127.0.0.1:${port}/ws`, `http://127.0.0.1:${port}`);
        expect(own.outcome).toBe('open');
        own.ws?.close();
      } finally {
        await demo.close();
      }
    });
  });

  describe('WebSocket adapter (serveChatOverWebSocket)', () => {
    const streamTurn = () => of(new AIMessageChunk({ content: 'ok', response_metadata: { finish_reason: 'stop' } }));
    let server: Server | undefined;
    let chat: ChatWebSocketServer | undefined;
    afterEach(async () => {
      await chat?.close();
      await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
      server?.closeAllConnections();
      server = undefined;
      chat = undefined;
    });

    it('attached to an http.Server: allowed origin connects, other origins get 403 at the handshake, a program without Origin connects', async () => {
      server = createServer((_req, res) => res.writeHead(404).end());
      const port = await listen(server);
      const allowed = `http://127.0.0.1:${port}`;
      chat = serveChatOverWebSocket(server, { streamTurn, allowedOrigins: [allowed], pingIntervalMs: 0 });
      const ok = await tryConnect(`ws://127.0.0.1:${port}/ws`, allowed);
      expect(ok.outcome).toBe('open');
      ok.ws?.close();
      expect(await tryConnect(`ws://127.0.0.1:${port}/ws`, 'https://evil.example')).toEqual({ outcome: 'refused', status: 403 });
      // Browsers always send Origin on a WebSocket upgrade; without one it is a program, which could send any Origin anyway.
      const program = await tryConnect(`ws://127.0.0.1:${port}/ws`);
      expect(program.outcome).toBe('open');
      program.ws?.close();
    });

    it('with a predicate: the predicate decides', async () => {
      server = createServer();
      const port = await listen(server);
      chat = serveChatOverWebSocket(server, { streamTurn, allowedOrigins: (origin) => origin?.endsWith('.trusted.example') ?? false, pingIntervalMs: 0 });
      const ok = await tryConnect(`ws://127.0.0.1:${port}/ws`, 'https://app.trusted.example');
      expect(ok.outcome).toBe('open');
      ok.ws?.close();
      expect(await tryConnect(`ws://127.0.0.1:${port}/ws`, 'https://trusted.example.evil.com')).toEqual({ outcome: 'refused', status: 403 });
    });

    it('on its own WebSocketServer (127.0.0.1): a disallowed origin is closed with 1008', async () => {
      const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
      await new Promise((r) => wss.once('listening', r));
      chat = serveChatOverWebSocket(wss, { streamTurn, allowedOrigins: ['http://127.0.0.1:1'], pingIntervalMs: 0 });
      const port = (wss.address() as AddressInfo).port;
      expect(await tryConnect(`ws://127.0.0.1:${port}`, 'https://evil.example')).toEqual({ outcome: 'closed', code: 1008 });
      await new Promise<void>((r) => wss.close(() => r()));
    });

    it('closes a connection that sends a message over maxPayload with 1009', async () => {
      server = createServer();
      const port = await listen(server);
      chat = serveChatOverWebSocket(server, { streamTurn, maxPayload: 1024, pingIntervalMs: 0 });
      const { ws } = await tryConnect(`ws://127.0.0.1:${port}/ws`);
      const code = await new Promise<number>((resolve) => {
        ws!.once('close', (c) => resolve(c));
        ws!.send(JSON.stringify({ type: 'ask', question: 'x'.repeat(4096) }));
      });
      expect(code).toBe(1009);
    });
  });
});
