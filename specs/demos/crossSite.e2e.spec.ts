/**
 * Another site open in the same browser tries to run the model of the web demo
 * (and of a plain server built on the library adapters): an `<img>`, a form POST,
 * no-cors fetches (GET and POST) and a WebSocket, first from a second origin, then
 * as DNS rebinding (the attacker's own host name, re-pointed at 127.0.0.1 with
 * `--host-resolver-rules`). None of them may reach the model; the page's own
 * origin still does. Chromium's Local Network Access checks are switched off, as
 * Firefox and Safari have none: the server must refuse these requests by itself,
 * and the spec checks that each attack did arrive at it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { fromRunnable, textContent } from '../../src';
import { parseRequestTarget, sendServerSentEvents, serveChatOverWebSocket, type ChatWebSocketServer } from '../../src/node';
import { ScriptedChatModel } from '../../src/testing';
import { startWebDemo, type WebDemo } from '../../demos/web/server';
import { launchChromium } from '../support/chromium';
import { useCleanup } from '../support/cleanup';

const cleanup = useCleanup();

/** Every way a page of another site can make the browser talk to `base` without CORS; reports when each settled. */
const attackPage = (base: string): string => `<!doctype html><meta charset="utf-8"><body>
<iframe name="sink"></iframe>
<form id="f" method="POST" action="${base}/api/chat/stream" enctype="text/plain" target="sink">
  <input name='{"question":"form","pad":"' value='"}'>
</form>
<script>
  window.settled = {};
  const note = (what, how) => { window.settled[what] = how; };
  const wsBase = ${JSON.stringify(base)}.replace(/^http/, 'ws') || location.origin.replace(/^http/, 'ws');
  const img = new Image();
  img.onload = () => note('img', 'load'); img.onerror = () => note('img', 'error');
  img.src = ${JSON.stringify(base)} + '/api/chat/stream?question=img';
  document.querySelector('iframe').onload = () => note('form', 'load');
  document.getElementById('f').submit();
  fetch(${JSON.stringify(base)} + '/api/chat/stream?question=get', { mode: 'no-cors' }).then((r) => r.text()).then(() => note('fetch-get', 'done'), (e) => note('fetch-get', String(e)));
  fetch(${JSON.stringify(base)} + '/api/chat/stream', { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: '{"question":"post"}' })
    .then((r) => r.text()).then(() => note('fetch-post', 'done'), (e) => note('fetch-post', String(e)));
  const ws = new WebSocket(wsBase + '/ws');
  ws.onopen = () => ws.send(JSON.stringify({ type: 'ask', question: 'ws' }));
  ws.onmessage = (e) => note('ws', 'message ' + e.data);
  ws.onclose = () => window.settled.ws || note('ws', 'closed');
</script>`;

const ATTACKS = ['img', 'form', 'fetch-get', 'fetch-post', 'ws'];
const BROWSER_ARGS = [
  '--host-resolver-rules=MAP evil.test 127.0.0.1, MAP rebind.test 127.0.0.1',
  '--disable-features=BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights,PrivateNetworkAccessRespectPreflightResults,LocalNetworkAccessChecks',
];

/**
 * Opens `url` (the attacker's page) and waits until every attack settled. With `body` the page is
 * served by Playwright under that URL: the attacker's server before the rebinding, which the
 * browser then never asks again; the page's own requests go to whatever the name resolves to now.
 */
async function runAttack(browser: Browser, url: string, body?: string): Promise<Record<string, string>> {
  const page: Page = await browser.newPage();
  cleanup(() => page.close());
  if (body !== undefined) await page.route(url, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body }));
  await page.goto(url);
  await page.waitForFunction((all) => all.every((a) => a in (window as unknown as { settled: object }).settled), ATTACKS);
  return await page.evaluate(() => (window as unknown as { settled: Record<string, string> }).settled);
}

describe('cross-site requests never reach the model (Chromium)', () => {
  let browser: Browser;
  let calls: string[];
  /** Requests to the model endpoint that arrived at the server under test (refused or not). */
  let arrived: string[];
  const model = new ScriptedChatModel({ reply: 'secret', firstChunkDelayMs: 0, chunkDelayMs: 0, onRequest: (m) => calls.push(String(m[m.length - 1].content)) });
  const record = (server: Server): void => {
    server.on('request', (req) => req.url?.startsWith('/api/chat/stream') && arrived.push(`${req.method} ${req.headers.host}`));
  };
  // The attacker's own site, on another port: its page is the second origin.
  let attacker: Server;
  let attackerPort: number;
  let attackTarget = '';

  beforeAll(async () => {
    browser = await launchChromium({ args: BROWSER_ARGS });
    attacker = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(attackPage(attackTarget)));
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    attackerPort = (attacker.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => attacker.close(() => resolve()));
  });
  beforeEach(() => {
    calls = [];
    arrived = [];
  });

  /** The second-origin attack against the server on `port`. */
  const fromSecondOrigin = (port: number): Promise<Record<string, string>> => {
    attackTarget = `http://127.0.0.1:${port}`;
    return runAttack(browser, `http://evil.test:${attackerPort}/attack.html`);
  };

  describe('the web demo', () => {
    let demo: WebDemo;
    let port: number;
    beforeAll(async () => {
      demo = await startWebDemo({ port: 0, model });
      port = (demo.server.address() as AddressInfo).port;
      record(demo.server);
    });
    afterAll(async () => {
      await demo?.close();
    });

    it('a page of a second origin: <img>, form POST, no-cors fetch GET and POST, WebSocket all fail to run the model', async () => {
      const settled = await fromSecondOrigin(port);
      expect(Object.keys(settled).sort()).toEqual([...ATTACKS].sort());
      expect(settled.ws).toBe('closed');
      expect(arrived).toHaveLength(4); // img, form, both fetches: the browser did send them
      expect(calls).toEqual([]);
    });

    it('DNS rebinding: the same attacks from http://rebind.test:<port> (resolved to 127.0.0.1) get 421 and never run the model', async () => {
      const settled = await runAttack(browser, `http://rebind.test:${port}/attack.html`, attackPage(''));
      expect(settled.ws).toBe('closed');
      // Chromium retries a request answered 421 once on a new connection, so each may arrive twice.
      expect(new Set(arrived)).toEqual(new Set([`GET rebind.test:${port}`, `POST rebind.test:${port}`]));
      expect(arrived.length).toBeGreaterThanOrEqual(4);
      expect(calls).toEqual([]);
      // The demo itself is not reachable under that name either.
      const page = await browser.newPage();
      cleanup(() => page.close());
      expect((await page.goto(`http://rebind.test:${port}/`))?.status()).toBe(421);
    });

    it('control: the page of its own origin does run the model, over SSE and WebSocket', async () => {
      const page = await browser.newPage();
      cleanup(() => page.close());
      await page.goto(demo.url);
      for (const [turn, mode] of ['sse', 'ws'].entries()) {
        await page.check(`input[name="mode"][value="${mode}"]`);
        await page.fill('#question', mode);
        await page.click('#send');
        await page.waitForFunction((n) => (document.querySelectorAll('.msg.assistant')[n] as HTMLElement | undefined)?.dataset.state === 'done', turn);
      }
      expect(calls).toEqual(['sse', 'ws']);
    });
  });

  describe('a plain server on the library adapters, default options', () => {
    let server: Server;
    let chat: ChatWebSocketServer;
    let port: number;
    beforeAll(async () => {
      server = createServer((req, res) => {
        const question = parseRequestTarget(req)?.searchParams.get('question') ?? 'post';
        sendServerSentEvents(fromRunnable(model, question).pipe(textContent()), res);
      });
      chat = serveChatOverWebSocket(server, { streamTurn: ({ question }) => fromRunnable(model, question), heartbeatMs: 0 });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
      record(server);
    });
    afterAll(async () => {
      await chat?.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    });

    it('second origin and DNS rebinding: sendServerSentEvents and serveChatOverWebSocket refuse every attack', async () => {
      const second = await fromSecondOrigin(port);
      const rebound = await runAttack(browser, `http://rebind.test:${port}/attack.html`, attackPage(''));
      expect([second.ws, rebound.ws]).toEqual(['closed', 'closed']);
      expect(arrived.length).toBeGreaterThanOrEqual(8);
      expect(calls).toEqual([]);
    });
  });
});
