/**
 * Who may touch a thread of `createAgentProtocolHandler`, as in the chat handler: `authorize`
 * names the principal (null → 401); a thread belongs to the first principal who sends to it or
 * opens its stream; every other principal gets 404 on every route, and reads none of it. Without
 * `authorize`, thread ids are capabilities (at least 16 characters). Runs are capped per instance
 * and per principal (429 with Retry-After), and a cancelled run gives its place back.
 */
import { Client } from '@langchain/langgraph-sdk';
import type { Event } from '@langchain/protocol';
import { protocolGraphs, startProtocolInstance, ToolGate, type ProtocolInstance } from '../../support/agentProtocol';
import type { AgentProtocolHandlerOptions } from '../../../src/web/agentProtocol/createAgentProtocolHandler';

const QUESTION = 'Python 3.12 是哪天发布的？';
const ANSWER = 'Python 3.12 于 2023 年 10 月 2 日发布。 🐍';
const human = { messages: [{ role: 'user', content: QUESTION }] };

let instance: ProtocolInstance;
let gate: ToolGate;
const opened: Array<{ close(): Promise<void> }> = [];

async function start(options: Partial<AgentProtocolHandlerOptions> = {}): Promise<void> {
  gate = new ToolGate();
  instance = await startProtocolInstance({ graphs: protocolGraphs(gate), authorize: ({ request }) => request.headers.get('x-user'), ...options });
}
afterEach(async () => {
  gate.release();
  await Promise.all(opened.splice(0).map((t) => t.close().catch(() => undefined)));
  await instance.handler.close();
  instance.drop();
  await new Promise<void>((resolve) => instance.server.close(() => resolve()));
});

/** A fetch that signs every request as `user` (no header for `undefined`). */
const as = (user: string | undefined): typeof fetch =>
  ((input: RequestInfo | URL, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    if (user !== undefined) headers.set('x-user', user);
    return fetch(input, { ...init, headers });
  }) as typeof fetch;

/** The SDK's own protocol client for `user`, and a way to wait for the root lifecycle `event`. */
function thread(user: string, assistantId: string, threadId?: string) {
  const options = { assistantId, fetch: as(user), reconnectDelayMs: () => 0, streamIdleReconnect: 0 as const };
  const client = new Client({ apiUrl: instance.url, apiKey: null, callerOptions: { fetch: as(user), maxRetries: 0 } });
  const stream = threadId ? client.threads.stream(threadId, options) : client.threads.stream(options);
  opened.push(stream);
  const events: Event[] = [];
  const waiters: Array<() => void> = [];
  stream.onEvent((event) => {
    events.push(event);
    for (const wake of waiters.splice(0)) wake();
  });
  const lifecycle = async (name: string): Promise<void> => {
    const seen = () => events.some((e) => e.method === 'lifecycle' && e.params.namespace.length === 0 && (e.params.data as { event: string }).event === name);
    while (!seen()) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return { stream, events, lifecycle };
}

const post = (user: string | undefined, path: string, body: unknown): Promise<Response> =>
  as(user)(`${instance.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

it("refuses every route of another principal's thread with 404 and leaks none of it", async () => {
  await start();
  const alice = thread('alice', 'plain');
  await alice.stream.subscribe(['lifecycle', 'messages', 'values']);
  await alice.stream.run.start({ input: human });
  await alice.lifecycle('completed');
  const id = alice.stream.threadId;

  const attempts: Array<Promise<Response>> = [
    as('mallory')(`${instance.url}/threads/${id}/state`),
    post('mallory', `/threads/${id}/history`, { limit: 10 }),
    post('mallory', `/threads/${id}/commands`, { id: 1, method: 'state.get', params: { namespace: [] } }),
    post('mallory', `/threads/${id}/commands`, { id: 2, method: 'run.start', params: { assistant_id: 'plain', input: human } }),
    post('mallory', `/threads/${id}/commands`, { id: 3, method: 'input.respond', params: { namespace: [], interrupt_id: 'x', response: {} } }),
    post('mallory', `/threads/${id}/stream/events`, { channels: ['messages', 'values', 'lifecycle'] }),
    post('mallory', `/threads/${id}/stream`, { channels: ['messages'] }),
    post('mallory', `/threads/${id}/runs/any/cancel`, {}),
    post('mallory', '/threads', { thread_id: id, if_exists: 'do_nothing' }),
  ];
  const answers = await Promise.all(attempts);
  const bodies = await Promise.all(answers.map((r) => r.text()));
  expect(answers.map((r) => r.status)).toEqual(attempts.map(() => 404));
  for (const body of bodies) expect(body).not.toContain('Python 3.12 于');
  // Mallory's run.start never ran: the thread still has one answer, and alice still reads it.
  const state = await as('alice')(`${instance.url}/threads/${id}/state`);
  expect(state.status).toBe(200);
  const messages = ((await state.json()) as { values: { messages: Array<{ type: string; content: unknown }> } }).values.messages;
  expect(messages.filter((m) => m.type === 'human')).toHaveLength(1);
  expect(JSON.stringify(messages.at(-1)!.content)).toContain(ANSWER);
  expect(gate.calls).toBe(1);
});

it('answers 401 when authorize returns null, before anything runs', async () => {
  await start();
  const id = crypto.randomUUID();
  const response = await post(undefined, `/threads/${id}/commands`, { id: 1, method: 'run.start', params: { assistant_id: 'plain', input: human } });
  expect(response.status).toBe(401);
  expect(await response.json()).toMatchObject({ error: 'permission_denied', message: expect.stringContaining('not authorized') });
  expect(gate.calls).toBe(0);
});

it('gives a thread to the first principal who opens its stream, so a later starter is never overheard', async () => {
  await start();
  const id = crypto.randomUUID();
  const listening = await post('mallory', `/threads/${id}/stream/events`, { channels: ['messages'] });
  expect(listening.status).toBe(200);
  await listening.body!.cancel();
  const response = await post('alice', `/threads/${id}/commands`, { id: 1, method: 'run.start', params: { assistant_id: 'plain', input: human } });
  expect(response.status).toBe(404);
  expect(gate.calls).toBe(0);
});

it('without authorize, refuses a guessable thread id with 400 and a reason, and takes a UUID', async () => {
  await start({ authorize: undefined });
  for (const id of ['1', 't-1', 'abcdefghijklmno']) {
    const response = await post(undefined, `/threads/${id}/commands`, { id: 1, method: 'state.get', params: { namespace: [] } });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(/at least 16 random characters.*pass authorize to createAgentProtocolHandler/);
  }
  expect((await post(undefined, '/threads', { thread_id: 'short' })).status).toBe(400);
  const created = await post(undefined, '/threads', {});
  expect(created.status).toBe(200);
  const { thread_id } = (await created.json()) as { thread_id: string };
  expect((await fetch(`${instance.url}/threads/${thread_id}/state`)).status).toBe(200);
});

it('caps runs per principal (429 with Retry-After, nothing started); a cancel on the same instance ends the run as interrupted and gives the place back', async () => {
  await start({ maxConcurrentRunsPerPrincipal: 1, retryAfterSeconds: 7 });
  gate.held = true;
  const first = thread('alice', 'plain');
  await first.stream.subscribe(['lifecycle']);
  const toolStarted = gate.started();
  const { run_id } = await first.stream.run.start({ input: human });
  await toolStarted;

  const second = await post('alice', `/threads/${crypto.randomUUID()}/commands`, { id: 1, method: 'run.start', params: { assistant_id: 'plain', input: human } });
  expect(second.status).toBe(429);
  expect(second.headers.get('retry-after')).toBe('7');
  expect(((await second.json()) as { message: string }).message).toContain('you already run 1');
  expect(gate.calls).toBe(1);

  const bob = await post('bob', `/threads/${crypto.randomUUID()}/commands`, { id: 1, method: 'run.start', params: { assistant_id: 'plain', input: human } });
  expect(bob.status).toBe(200);

  expect((await post('alice', `/threads/${first.stream.threadId}/runs/${run_id}/cancel`, {})).status).toBe(204);
  await first.lifecycle('interrupted'); // a cancel on the instance that runs it ends with its lifecycle
  expect(gate.aborted).toBe(1);
  const third = await post('alice', `/threads/${crypto.randomUUID()}/commands`, { id: 1, method: 'run.start', params: { assistant_id: 'plain', input: human } });
  expect(third.status).toBe(200);
});
