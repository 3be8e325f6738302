import type { IncomingMessage } from 'node:http';
import { checkQuestion } from '../../src';
import { checkRequest, parseRequestTarget, sendServerSentEvents, serveChatOverWebSocket } from '../../src/node';
import { of } from 'rxjs';
import { createServer } from 'node:http';

/** A request as Node hands it over: headers (lower-case), method, and the socket's local address. */
function request(headers: Record<string, string>, method = 'GET', local = { localAddress: '127.0.0.1', localPort: 3000 }): IncomingMessage {
  return { headers, method, socket: local } as unknown as IncomingMessage;
}

describe('parseRequestTarget', () => {
  it.each([
    ['/api/chat/stream?question=%E4%BD%A0', '/api/chat/stream', '你'],
    ['//a:b', '//a:b', null],
    ['//%zz', '//%zz', null],
    ['/%zz?question=%zz', '/%zz', '%zz'],
    ['http://127.0.0.1:3000/ws?question=x', '/ws', 'x'],
  ])('%s is the path %s', (target, pathname, question) => {
    const url = parseRequestTarget({ url: target });
    expect(url?.pathname).toBe(pathname);
    expect(url?.searchParams.get('question')).toBe(question);
  });

  it.each(['http://[', '*', 'x', 'ftp://a/', 'http://a:b/', '', undefined])('%s is not a target (undefined, never a throw)', (target) => {
    expect(parseRequestTarget({ url: target as string })).toBeUndefined();
  });
});

describe('checkRequest', () => {
  const same = 'http://127.0.0.1:3000';

  it.each([
    ['the bound address with the port', { host: '127.0.0.1:3000' }],
    ['localhost with the port', { host: 'localhost:3000' }],
    ['[::1] with the port', { host: '[::1]:3000' }],
    ['upper case', { host: 'LOCALHOST:3000' }],
  ])('accepts the Host %s (a non-browser request that runs nothing)', (_what, headers) => {
    expect(checkRequest(request(headers), { runsModel: false })).toBeUndefined();
  });

  it.each([
    ['another name (DNS rebinding)', { host: 'evil.test:3000' }, 421],
    ['localhost on another port', { host: 'localhost:4000' }, 421],
    ['no port (means 80)', { host: 'localhost' }, 421],
    ['a broken Host', { host: '[' }, 400],
    ['no Host', {}, 400],
  ])('refuses the Host %s', (_what, headers, status) => {
    expect(checkRequest(request(headers), { runsModel: false })?.status).toBe(status);
  });

  it('allowedHosts: names on any port, a leading dot for subdomains, "any", or a function', () => {
    const req = (host: string) => request({ host });
    expect(checkRequest(req('chat.example.com'), { allowedHosts: ['chat.example.com'], runsModel: false })).toBeUndefined();
    expect(checkRequest(req('a.example.com:8443'), { allowedHosts: ['.example.com'], runsModel: false })).toBeUndefined();
    expect(checkRequest(req('example.com.evil.test'), { allowedHosts: ['.example.com'], runsModel: false })?.status).toBe(421);
    expect(checkRequest(req('anything'), { allowedHosts: 'any', runsModel: false })).toBeUndefined();
    expect(checkRequest(req('x'), { allowedHosts: (h) => h === 'x', runsModel: false })).toBeUndefined();
  });

  it('the bound address counts, whatever it is (IPv4-mapped IPv6 unwrapped)', () => {
    const lan = request({ host: '192.168.1.5:3000' }, 'GET', { localAddress: '::ffff:192.168.1.5', localPort: 3000 });
    expect(checkRequest(lan, { runsModel: false })).toBeUndefined();
  });

  it.each([
    ['same-origin Origin', { origin: same }, 'GET', undefined],
    ['another origin', { origin: 'https://evil.example' }, 'POST', 403],
    ['another port of the same host', { origin: 'http://127.0.0.1:8080' }, 'POST', 403],
    ['Origin: null (sandboxed frame)', { origin: 'null' }, 'POST', 403],
    ['no Origin, GET (an <img> or a no-cors fetch)', {}, 'GET', 403],
    ['no Origin, form POST', { 'content-type': 'application/x-www-form-urlencoded' }, 'POST', 403],
    ['no Origin, text/plain POST', { 'content-type': 'text/plain' }, 'POST', 403],
    ['no Origin, cross-site per Sec-Fetch-Site', { 'sec-fetch-site': 'cross-site' }, 'GET', 403],
    ['no Origin, JSON POST (a program)', { 'content-type': 'application/json; charset=utf-8' }, 'POST', undefined],
    ['no Origin, X-Requested-With (a program)', { 'x-requested-with': 'curl' }, 'GET', undefined],
    ['no Origin, Sec-Fetch-Site: same-origin (the page\'s own EventSource)', { 'sec-fetch-site': 'same-origin' }, 'GET', undefined],
    ['no Origin, WebSocket upgrade (browsers always send Origin)', { upgrade: 'websocket' }, 'GET', undefined],
    ['another origin, WebSocket upgrade', { upgrade: 'websocket', origin: 'https://evil.example' }, 'GET', 403],
  ])('a request that runs the model with %s', (_what, headers, method, status) => {
    const refusal = checkRequest(request({ host: '127.0.0.1:3000', ...headers }, method));
    expect(refusal?.status).toBe(status);
  });

  it('allowedOrigins: listed origins pass besides the same origin; a function decides alone', () => {
    const from = (origin?: string) => request({ host: '127.0.0.1:3000', ...(origin && { origin }) }, 'POST');
    expect(checkRequest(from('https://app.example.com'), { allowedOrigins: ['https://app.example.com'] })).toBeUndefined();
    expect(checkRequest(from(same), { allowedOrigins: ['https://app.example.com'] })).toBeUndefined();
    expect(checkRequest(from('https://evil.example'), { allowedOrigins: ['https://app.example.com'] })?.status).toBe(403);
    expect(checkRequest(from(), { allowedOrigins: () => true })).toBeUndefined();
    expect(checkRequest(from(same), { allowedOrigins: () => false })?.status).toBe(403);
    // Behind a proxy that ends TLS: Host has no port, the page is https.
    const proxied = request({ host: 'chat.example.com', origin: 'https://chat.example.com' }, 'POST');
    expect(checkRequest(proxied, { allowedHosts: ['chat.example.com'] })).toBeUndefined();
  });

  it('refusals say what to do', () => {
    expect(checkRequest(request({ host: 'evil.test:3000' }))?.message).toBe(
      'This server does not answer to the host "evil.test:3000"; add it to allowedHosts if it is yours.',
    );
    expect(checkRequest(request({ host: '127.0.0.1:3000' }))?.message).toMatch(/same origin|own origin/);
  });

  it('the adapters check their options at call time', () => {
    const server = createServer();
    expect(() => sendServerSentEvents(of('x'), { write() {}, req: { headers: {} } } as never, { allowedHosts: ['http://x'] })).toThrow(/allowedHosts must be/);
    expect(() => serveChatOverWebSocket(server, { streamTurn: () => of(), allowedOrigins: ['127.0.0.1:3000'] })).toThrow(/allowedOrigins entries must be origins/);
    expect(() => serveChatOverWebSocket(server, { streamTurn: () => of(), allowedOrigins: 'x' as never })).toThrow(TypeError);
  });
});

describe('checkQuestion', () => {
  it('counts code points: 3,000 emoji are 3,000 characters, 4,001 are over 4,000', () => {
    expect(checkQuestion('😀'.repeat(3000), 4000)).toBeUndefined();
    expect(checkQuestion('😀'.repeat(4001), 4000)).toEqual({ reason: 'too-long', message: 'The question is 4001 characters long; the limit is 4000.' });
    expect(checkQuestion('中'.repeat(4000))).toBeUndefined();
    expect(checkQuestion('a😀b', 2)).toEqual({ reason: 'too-long', message: 'The question is 3 characters long; the limit is 2.' });
  });

  it.each([undefined, null, 42, '', '  \n'])('refuses %p as missing', (question) => {
    expect(checkQuestion(question)).toEqual({ reason: 'missing', message: 'The question must be a non-empty string.' });
  });

  it('rejects a bad limit at call time', () => {
    expect(() => checkQuestion('x', 0)).toThrow(RangeError);
  });
});
