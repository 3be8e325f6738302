/**
 * Fuzz: 200 malformed request lines and WebSocket upgrades against the web demo
 * and against a plain http.Server that only has `serveChatOverWebSocket` on it.
 * None may end the process (a throw in a request or upgrade listener would);
 * each one is answered with an error status or closed, and afterwards the
 * server still serves a page and a chat turn.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { startWebDemo, type WebDemo } from '../../demos/web/server';
import { fromRunnable } from '../../src';
import { serveChatOverWebSocket, type ChatWebSocketServer } from '../../src/node';
import { ScriptedChatModel } from '../../src/testing';
import { closeServer } from '../support/http';
import { rawExchange, seededRandom, type RawAnswer } from '../support/rawHttp';
import { useCleanup } from '../support/cleanup';

const cleanup = useCleanup();

/** Request targets that are not a path `new URL(target, base)` can parse, or that are odd paths. */
const TARGETS = [
  '//a:b', 'http://[', '//%zz', '/%zz', '//@', '//a:99999', 'http://a:b/', '*', 'http:', 'x', '/\\\\a', '//[::1',
  '//[', '/..%2f..', '/?%', '//%00', 'ftp://a/', 'http://', '%', '//a:b/ws', '//ws', '/ws?%zz%', 'http://[::1/ws',
  '//:', '//a b', '/%E4%B8%AD%', '/\u00e9', '//' + 'a'.repeat(300) + ':1', '/' + '%'.repeat(50), 'javascript:alert(1)',
];
const METHODS = ['GET', 'POST', 'OPTIONS', 'HEAD', 'PUT', 'BREW', 'get'];
const UPGRADE = 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n';
/** Whole requests broken below the target: request lines, versions, headers, Host values. */
const BROKEN = (port: number): string[] => [
  'GET\r\n\r\n', 'GET / HTTP/9.9\r\nHost: x\r\n\r\n', '\u0000\u0001\u0002\r\n\r\n', 'GET / HTTP/1.1\r\nHost\r\n\r\n',
  'GET / HTTP/1.1\r\nHost: [\r\n\r\n', `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}:1\r\n\r\n`, 'GET / HTTP/1.1\r\n\r\n',
  `GET /ws HTTP/1.1\r\nHost: [::1\r\n${UPGRADE}\r\n`, `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: http://[\r\n${UPGRADE}\r\n`,
  `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: null\r\n${UPGRADE}\r\n`, `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`,
  `POST /api/chat/stream HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello`,
  `POST /api/chat/stream HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n\r\n`,
  `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX: \u0001\r\n\r\n`, `GET /ws HTTP/1.1\r\nHost: evil.test:${port}\r\n${UPGRADE}\r\n`,
  `GET /api/chat/stream?question=%zz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`, 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
];

/** 200 cases: every broken request, then seeded combinations of method, target, Host and upgrade headers. */
function cases(port: number): string[] {
  const random = seededRandom(14);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const out = BROKEN(port);
  while (out.length < 200) {
    const host = pick([`127.0.0.1:${port}`, `localhost:${port}`, 'evil.test', '[', '']);
    const upgrade = random() < 0.5 ? UPGRADE : '';
    const origin = pick(['', `Origin: http://127.0.0.1:${port}\r\n`, 'Origin: https://evil.example\r\n', 'Origin: %\r\n']);
    out.push(`${pick(METHODS)} ${pick(TARGETS)} HTTP/1.1\r\nHost: ${host}\r\n${origin}${upgrade}Content-Length: 0\r\n\r\n`);
  }
  return out;
}

/** Sends every case, 20 at a time; each must be answered with a status >= 400 or be closed, never upgraded. */
async function fuzz(port: number): Promise<RawAnswer[]> {
  const all = cases(port);
  const answers: RawAnswer[] = [];
  for (let i = 0; i < all.length; i += 20) answers.push(...(await Promise.all(all.slice(i, i + 20).map((raw) => rawExchange(port, raw)))));
  return answers;
}

function expectAllRefused(answers: RawAnswer[]): void {
  expect(answers).toHaveLength(200);
  const bad = answers.filter((a) => !(a.closed || (a.status !== undefined && a.status >= 400)));
  expect(bad.map((a) => a.text.slice(0, 60))).toEqual([]);
  expect(answers.filter((a) => a.status === 101)).toEqual([]);
  // Most are answered with a status (400 bad target, 404, 405, 421, 403), not just dropped.
  expect(answers.filter((a) => a.status !== undefined).length).toBeGreaterThan(150);
}

/** One chat turn over a real WebSocket client. */
function askOverWebSocket(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    let text = '';
    ws.on('open', () => ws.send(JSON.stringify({ type: 'ask', question: 'hello' })));
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as { type: string; text?: string; message?: string };
      if (m.type === 'chunk') text += m.text;
      if (m.type === 'done') (ws.close(), resolve(text));
      if (m.type === 'error') (ws.close(), reject(new Error(m.message)));
    });
    ws.on('error', reject);
  });
}

describe('malformed requests never stop a server', () => {
  it('the web demo answers 200 malformed request lines and upgrades, then still serves the page, SSE and WebSocket', async () => {
    const demo: WebDemo = await startWebDemo({ port: 0, model: new ScriptedChatModel({ reply: 'still here', firstChunkDelayMs: 0, chunkDelayMs: 0 }) });
    cleanup(() => demo.close());
    const port = (demo.server.address() as AddressInfo).port;
    expectAllRefused(await fuzz(port));
    expect((await fetch(demo.url + '/')).status).toBe(200);
    const sse = await fetch(demo.url + '/api/chat/stream', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"question":"hi"}' });
    const texts = [...(await sse.text()).matchAll(/^event: chunk\nid: \d+\ndata: (.*)$/gm)].map((m) => (JSON.parse(m[1]) as { text: string }).text);
    expect(texts.join('')).toBe('still here');
    expect(await askOverWebSocket(demo.url.replace('http', 'ws') + '/ws')).toBe('still here');
  });

  it('an http.Server whose only upgrade listener is serveChatOverWebSocket survives the same 200 requests and still chats', async () => {
    const server: Server = createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup(() => closeServer(server));
    const port = (server.address() as AddressInfo).port;
    const model = new ScriptedChatModel({ reply: 'still here', firstChunkDelayMs: 0, chunkDelayMs: 0 });
    const chat: ChatWebSocketServer = serveChatOverWebSocket(server, { streamTurn: ({ question }) => fromRunnable(model, question), heartbeatMs: 0 });
    cleanup(() => chat.close());
    expectAllRefused(await fuzz(port));
    expect(await askOverWebSocket(`ws://127.0.0.1:${port}/ws`)).toBe('still here');
  });
});
