/**
 * toNodeHandler answers a request it cannot turn into a Web `Request` (a Host header that is not a
 * host, none at all, a bad target) with 400 and one `{ "error" }` saying why, as the handler
 * answers every other malformed request. It was a 500 "Internal error." (probe22: 7 of 7 such
 * Hosts against `npm run web` and a bare handler); a handler that throws is still a 500.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createChatHandler } from '../../src';
import { toNodeHandler } from '../../src/node';
import { ScriptedChatModel } from '../../src/testing';
import { useCleanup } from '../support/cleanup';
import { rawExchange } from '../support/rawHttp';

const cleanup = useCleanup();

const listen = (server: Server): Promise<number> => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
const close = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
const get = (head: string): string => `GET /api/chat/abcdefghijklmnopqrst/stream HTTP/1.1\r\n${head}X-Requested-With: x\r\nConnection: close\r\n\r\n`;
const bodyOf = (text: string): unknown => JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));

describe('toNodeHandler: requests that are not URLs', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer(toNodeHandler(createChatHandler({ model: new ScriptedChatModel() })));
    port = await listen(server);
  });
  afterAll(() => close(server));

  it.each([
    ['a port past 65535', get('Host: 127.0.0.1:99999\r\n')],
    ['a space in the host', get('Host: a b\r\n')],
    ['a path in the host', get('Host: localhost/x\r\n')],
    ['user info in the host', get('Host: evil@localhost\r\n')],
    ['an empty host', get('Host: \r\n')],
    ['an unclosed IPv6 host', get('Host: [::1\r\n')],
    ['no Host (HTTP/1.0)', 'GET /api/chat/abcdefghijklmnopqrst/stream HTTP/1.0\r\nX-Requested-With: x\r\n\r\n'],
  ])('%s: 400 with a JSON error, not 500', async (_name, raw) => {
    const answer = await rawExchange(port, raw, { waitForClose: true });
    expect(answer.status).toBe(400);
    expect(bodyOf(answer.text)).toEqual({ error: expect.stringMatching(/^Bad request: .+\.$/) });
  });

  it('a handler that throws is still a 500 (a bug of the application, not of the request)', async () => {
    const failing = createServer(toNodeHandler({ fetch: () => Promise.reject(new Error('boom')) }));
    const failingPort = await listen(failing);
    cleanup(() => close(failing));
    const answer = await rawExchange(failingPort, get('Host: localhost\r\n'), { waitForClose: true });
    expect([answer.status, bodyOf(answer.text)]).toEqual([500, { error: 'Internal error.' }]);
  });
});
