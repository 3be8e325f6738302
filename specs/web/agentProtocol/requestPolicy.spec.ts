// The agent protocol handler applies the chat handler's request policy: a foreign Host is refused
// (DNS rebinding), a page of another site is refused, an allowed origin's preflight is answered,
// and the SDK in Node (no Origin) passes.
import { createAgentProtocolHandler, type AgentProtocolHandler } from '../../../src/web/agentProtocol/createAgentProtocolHandler';
import { protocolGraphs, ToolGate } from '../../support/agentProtocol';

const APP = 'https://app.example.com';
const command = (headers: Record<string, string>): Request =>
  new Request('http://127.0.0.1:2024/threads/t-1aaaaaaaaaaaaaaaaaa/commands', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ id: 1, method: 'state.get', params: { namespace: [] } }),
  });

let handler: AgentProtocolHandler;
beforeEach(() => {
  handler = createAgentProtocolHandler({ graphs: protocolGraphs(new ToolGate()), allowedOrigins: [APP] });
});
afterEach(() => handler.close());

it('refuses a Host it does not answer to with 421, before any route runs', async () => {
  const response = await handler.fetch(command({ host: 'evil.example' }));
  expect(response.status).toBe(421);
  expect(await response.json()).toMatchObject({ error: 'bad_host', message: expect.stringContaining('"evil.example"') });
});

it("refuses another site's page with 403, and sends it no CORS header", async () => {
  const response = await handler.fetch(command({ origin: 'https://evil.example' }));
  expect(response.status).toBe(403);
  expect(response.headers.get('access-control-allow-origin')).toBeNull();
  expect(await response.json()).toMatchObject({ error: 'forbidden', message: expect.stringContaining('https://evil.example') });
});

it("answers an allowed origin's preflight, and its requests get CORS headers", async () => {
  const preflight = await handler.fetch(
    new Request('http://127.0.0.1:2024/threads/t-1aaaaaaaaaaaaaaaaaa/stream/events', {
      method: 'OPTIONS',
      headers: { origin: APP, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-api-key' },
    }),
  );
  expect(preflight.status).toBe(204);
  expect(preflight.headers.get('access-control-allow-origin')).toBe(APP);
  expect(preflight.headers.get('access-control-allow-headers')).toContain('x-api-key');
  expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
  const response = await handler.fetch(command({ origin: APP }));
  expect(response.status).not.toBe(403);
  expect(response.headers.get('access-control-allow-origin')).toBe(APP);
});

it('lets the same origin and a client without Origin (the SDK in Node) through', async () => {
  const sent: Array<Record<string, string>> = [{ origin: 'http://127.0.0.1:2024' }, {}];
  for (const headers of sent) {
    const response = await handler.fetch(command(headers));
    expect([403, 421]).not.toContain(response.status);
    expect(await response.json()).not.toMatchObject({ error: 'forbidden' });
  }
  const state = await handler.fetch(new Request('http://127.0.0.1:2024/threads/unknown-aaaaaaaaaaaa/state'));
  expect(state.status).toBe(404); // the route ran: an unknown thread, not a refusal
});
