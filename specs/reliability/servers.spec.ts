/**
 * Every server the project ships: bodies over the cap get 413, unknown routes 404,
 * the WebSocket adapter refuses disallowed origins, and nothing binds beyond
 * 127.0.0.1 unless told to.
 */
import { createServer, request, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { of } from 'rxjs';
import { AIMessageChunk } from '@langchain/core/messages';
import { sendServerSentEvents, serveChatOverWebSocket, type ChatWebSocketServer } from '../../src/node';
import { ScriptedChatModel, startFakeOpenAIServer } from '../../src/testing';
import { startWebDemo } from '../../demos/web/server';
import { fromRunnable } from '../../src';
import { closeServer } from '../support/http';
import { rawExchange } from '../support/rawHttp';
import { useCleanup } from '../support/cleanup';

const cleanup = useCleanup();

const UPGRADE = 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n';
const upgradeTo = (path: string, port: number): string => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${UPGRADE}\r\n`;

/** One WebSocket exchange: sends `message`, resolves with the first error or done message. */
function askOnce(url: string, question: string): Promise<{ type: string; message?: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('open', () => ws.send(JSON.stringify({ type: 'ask', question })));
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as { type: string; message?: string };
      if (m.type === 'done' || m.type === 'error') (ws.close(), resolve(m));
    });
    ws.on('error', reject);
  });
}

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

/**
 * Opens a WebSocket with an Origin header; resolves with the refusal, the close (a standalone
 * WebSocketServer accepts first and then closes with 1008), or 'open' once a question got an
 * answer: proof that the connection was kept, with no timer guessing.
 */
function tryConnect(url: string, origin?: string): Promise<{ outcome: 'open' | 'refused' | 'closed'; status?: number; code?: number; ws?: WebSocket }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, origin === undefined ? {} : { origin });
    ws.once('unexpected-response', (_req, res) => {
      resolve({ outcome: 'refused', status: res.statusCode });
      res.resume();
      ws.terminate();
    });
    ws.once('open', () => {
      ws.send(JSON.stringify({ type: 'ask', question: 'hi' }));
      ws.once('message', () => resolve({ outcome: 'open', ws }));
      ws.once('close', (code) => resolve({ outcome: 'closed', code }));
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
      cleanup(() => server.close());
      expect(new URL(server.baseURL).hostname).toBe('127.0.0.1');
      expect((await httpRequest(server.port, 'POST', '/v1/chat/completions', Buffer.alloc(10_000, 'x'))).status).toBe(413);
      expect((await httpRequest(server.port, 'POST', '/v1/completions', '{}')).status).toBe(404);
      expect((await httpRequest(server.port, 'GET', '/v1/chat/completions')).status).toBe(404);
      expect(server.requests).toHaveLength(0);
    });
  });

  describe('web demo server (startWebDemo)', () => {
    it('binds 127.0.0.1 by default, refuses bodies over the cap (413) and unknown routes (404)', async () => {
      const demo = await startWebDemo({ port: 0, model: new ScriptedChatModel(), maxBodyBytes: 1024 });
      cleanup(() => demo.close());
      expect((demo.server.address() as AddressInfo).address).toBe('127.0.0.1');
      const port = (demo.server.address() as AddressInfo).port;
      const big = JSON.stringify({ question: 'x'.repeat(5000) });
      expect((await httpRequest(port, 'POST', '/api/chat/stream', big)).status).toBe(413);
      expect((await httpRequest(port, 'GET', '/no/such/route')).status).toBe(404);
      expect((await httpRequest(port, 'POST', '/api/nothing', '{}')).status).toBe(404);
    });

    it('refuses WebSocket upgrades and API requests from other origins (403); its own origin connects', async () => {
      const demo = await startWebDemo({ port: 0, model: new ScriptedChatModel() });
      cleanup(() => demo.close());
      const port = (demo.server.address() as AddressInfo).port;
      expect(await tryConnect(`ws://127.0.0.1:${port}/ws`, 'https://evil.example')).toEqual({ outcome: 'refused', status: 403 });
      const own = await tryConnect(`ws://127.0.0.1:${port}/ws`, `http://127.0.0.1:${port}`);
      expect(own.outcome).toBe('open');
      own.ws?.close();
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
      chat = serveChatOverWebSocket(server, { streamTurn, allowedOrigins: [allowed], heartbeatMs: 0 });
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
      chat = serveChatOverWebSocket(server, { streamTurn, allowedOrigins: (origin) => origin?.endsWith('.trusted.example') ?? false, heartbeatMs: 0 });
      const ok = await tryConnect(`ws://127.0.0.1:${port}/ws`, 'https://app.trusted.example');
      expect(ok.outcome).toBe('open');
      ok.ws?.close();
      expect(await tryConnect(`ws://127.0.0.1:${port}/ws`, 'https://trusted.example.evil.com')).toEqual({ outcome: 'refused', status: 403 });
    });

    it('on its own WebSocketServer (127.0.0.1): a disallowed origin is closed with 1008', async () => {
      const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
      cleanup(() => new Promise<void>((r) => wss.close(() => r())));
      await new Promise((r) => wss.once('listening', r));
      chat = serveChatOverWebSocket(wss, { streamTurn, allowedOrigins: ['http://127.0.0.1:1'], heartbeatMs: 0 });
      const port = (wss.address() as AddressInfo).port;
      expect(await tryConnect(`ws://127.0.0.1:${port}`, 'https://evil.example')).toEqual({ outcome: 'closed', code: 1008 });
    });

    it('closes a connection that sends a message over maxPayload with 1009', async () => {
      server = createServer();
      const port = await listen(server);
      chat = serveChatOverWebSocket(server, { streamTurn, maxPayload: 1024, heartbeatMs: 0 });
      const { ws } = await tryConnect(`ws://127.0.0.1:${port}/ws`);
      const code = await new Promise<number>((resolve) => {
        ws!.once('close', (c) => resolve(c));
        ws!.send(JSON.stringify({ type: 'ask', question: 'x'.repeat(4096) }));
      });
      expect(code).toBe(1009);
    });
  });

  describe('hardening: upgrades, idle connections, huge bodies, limits', () => {
    const model = () => new ScriptedChatModel({ reply: 'ok', firstChunkDelayMs: 0, chunkDelayMs: 0 });

    it('alone on its server, serveChatOverWebSocket answers 50 upgrades to other paths with 404 instead of leaving them open', async () => {
      const server = createServer((_req, res) => res.writeHead(404).end());
      const port = await listen(server);
      cleanup(() => closeServer(server));
      const chat = serveChatOverWebSocket(server, { streamTurn: ({ question }) => fromRunnable(model(), question), heartbeatMs: 0 });
      cleanup(() => chat.close());
      const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => rawExchange(port, upgradeTo(`/other/${i}`, port))));
      expect(answers.map((a) => a.status)).toEqual(Array(50).fill(404));
    });

    it('next to another upgrade listener that never answers, an unanswered upgrade is destroyed after upgradeTimeoutMs', async () => {
      const server = createServer();
      const port = await listen(server);
      const ignored: unknown[] = [];
      server.on('upgrade', (req) => ignored.push(req.url)); // someone else's handler that forgets to answer
      cleanup(() => closeServer(server));
      const chat = serveChatOverWebSocket(server, { streamTurn: ({ question }) => fromRunnable(model(), question), heartbeatMs: 0, upgradeTimeoutMs: 50 });
      cleanup(() => chat.close());
      const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => rawExchange(port, upgradeTo(`/theirs/${i}`, port), { waitForClose: true })));
      expect(answers.every((a) => a.closed && a.text === '')).toBe(true);
      expect(ignored).toHaveLength(50);
      // Its own path still works next to the other listener.
      expect(await askOnce(`ws://127.0.0.1:${port}/ws`, 'hi')).toMatchObject({ type: 'done' });
    });

    it('the web demo answers an upgrade to another path (404) and closes idle half-open connections (408)', async () => {
      const demo = await startWebDemo({ port: 0, model: model(), headersTimeoutMs: 200, requestTimeoutMs: 400 });
      const port = (demo.server.address() as AddressInfo).port;
      cleanup(() => demo.close());
      expect((await rawExchange(port, upgradeTo('/other', port))).status).toBe(404);
      const half = await rawExchange(port, 'GET / HTTP/1.1\r\nHost: 127.0.0.1', { waitForClose: true });
      expect(half).toMatchObject({ closed: true, status: 408 });
      const body = await rawExchange(
        port,
        `POST /api/chat/stream HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"quest`,
        { waitForClose: true },
      );
      expect(body).toMatchObject({ closed: true, status: 408 });
      expect((await fetch(demo.url + '/')).status).toBe(200);
    });

    it('a 20 MB chunked body without Content-Length gets 413 and a clean close: no EPIPE, no reset, the model never runs', async () => {
      const requests: unknown[] = [];
      const demo = await startWebDemo({ port: 0, model: new ScriptedChatModel({ onRequest: (m) => requests.push(m) }) });
      const port = (demo.server.address() as AddressInfo).port;
      cleanup(() => demo.close());
      // A raw socket, as curl sends it: Node's own client hides a reset that arrives after the response.
      const result = await new Promise<{ text: string; error?: string }>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        let text = '';
        let error: string | undefined;
        socket.on('data', (d: Buffer) => (text += d.toString('utf8')));
        socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
        socket.on('close', () => resolve({ text, ...(error && { error }) }));
        socket.write(`POST /api/chat/stream HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);
        const piece = Buffer.alloc(64 * 1024, 'x');
        const size = Buffer.from(`${piece.length.toString(16)}\r\n`);
        let left = (20 * 1024 * 1024) / piece.length;
        const pump = (): void => {
          while (left-- > 0) {
            socket.write(size);
            socket.write(piece);
            if (!socket.write('\r\n')) return void socket.once('drain', pump);
          }
          socket.write('0\r\n\r\n');
        };
        pump();
      });
      expect(result.error).toBeUndefined(); // before: EPIPE, the server closed while the body was still coming
      expect(result.text).toMatch(/^HTTP\/1\.1 413 Payload Too Large\r\n/);
      expect(result.text).toMatch(/\r\nConnection: close\r\n/i);
      expect(result.text.endsWith(JSON.stringify({ error: 'The request body is over 16384 bytes.' }))).toBe(true);
      expect(requests).toHaveLength(0);
      expect((await fetch(demo.url + '/')).status).toBe(200);
    });

    it('limits count code points, with one message on both transports: 3,000 emoji pass, 4,001 are refused alike', async () => {
      const demo = await startWebDemo({ port: 0, model: model() });
      const ws = demo.url.replace('http', 'ws') + '/ws';
      const sse = (question: string) =>
        fetch(demo.url + '/api/chat/stream', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ question }) });
      cleanup(() => demo.close());
      const ok = await sse('😀'.repeat(3000));
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('event: done');
      expect(await askOnce(ws, '😀'.repeat(3000))).toMatchObject({ type: 'done' });

      const over = '😀'.repeat(4001);
      const refused = await sse(over);
      expect(refused.status).toBe(413);
      const message = 'The question is 4001 characters long; the limit is 4000.';
      expect(await refused.json()).toEqual({ error: message });
      expect(await askOnce(ws, over)).toMatchObject({ type: 'error', code: 'WS_BAD_MESSAGE', message });
    });

    it('a foreign Host header gets 421 from every route and the WebSocket endpoint of the demo, and from sendServerSentEvents', async () => {
      const demo = await startWebDemo({ port: 0, model: model() });
      const port = (demo.server.address() as AddressInfo).port;
      cleanup(() => demo.close());
      for (const raw of [
        `GET / HTTP/1.1\r\nHost: evil.test:${port}\r\n\r\n`,
        `GET /api/info HTTP/1.1\r\nHost: evil.test:${port}\r\n\r\n`,
        `POST /api/chat/stream HTTP/1.1\r\nHost: evil.test:${port}\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`,
        `GET /ws HTTP/1.1\r\nHost: evil.test:${port}\r\n${UPGRADE}\r\n`,
      ]) {
        expect((await rawExchange(port, raw)).status).toBe(421);
      }
      const plain = createServer((_req, res) => void sendServerSentEvents(of('ok'), res));
      const plainPort = await listen(plain);
      cleanup(() => closeServer(plain));
      const ask = (host: string) => rawExchange(plainPort, `GET / HTTP/1.1\r\nHost: ${host}\r\nX-Requested-With: spec\r\n\r\n`);
      expect((await ask(`evil.test:${plainPort}`)).status).toBe(421);
      expect((await ask(`localhost:${plainPort}`)).status).toBe(200);
    });
  });
});
