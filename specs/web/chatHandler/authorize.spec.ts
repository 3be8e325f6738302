/**
 * Who may touch a conversation (authorize) and how many runs at once (caps), in memory, through
 * `handler.fetch`. A second principal tries everything on the first's conversation: every answer
 * is a 404 and not one byte of the victim's reply comes back.
 */
import { createChatHandler, type ChatHandler } from '../../../src';
import { gatedStream, HALF, newChatId, NOT_CROSS_SITE, REPLY, startReply, transport, until, user, type FetchLike } from '../../support/chatHandler';

const BASE = 'http://localhost/api/chat';
let handler: ChatHandler;
afterEach(async () => handler?.close());

/** The principal is the `x-user` header (a stand-in for a session cookie); none → 401. */
const authorize = ({ request }: { request: Request }) => request.headers.get('x-user');
const as = (who: string | undefined): Record<string, string> => (who === undefined ? {} : { 'x-user': who });
const fetchAs = (h: ChatHandler, who: string): FetchLike => (input, init) => {
  const request = new Request(input, init);
  request.headers.set('x-user', who);
  return h.fetch(request);
};
const post = (h: ChatHandler, path: string, body: unknown, who?: string) =>
  h.fetch(new Request(BASE + path, { method: 'POST', headers: { 'content-type': 'application/json', ...as(who) }, body: JSON.stringify(body) }));
const get = (h: ChatHandler, path: string, who?: string, headers: Record<string, string> = {}) => h.fetch(new Request(BASE + path, { headers: { ...NOT_CROSS_SITE, ...as(who), ...headers } }));

describe('createChatHandler authorize', () => {
  it("a second principal's send, resume, stop, history and Last-Event-IDs on the first's conversation are all 404, with 0 bytes of the reply", async () => {
    const { runs, stream } = gatedStream();
    handler = createChatHandler({ stream, authorize });
    const chatId = 'c1'; // with authorize, ids need not be capabilities
    const alice = await startReply(transport(BASE, fetchAs(handler, 'alice')), chatId, '秘密', 3);
    const sse = await post(handler, '/stream', { question: '秘密', conversationId: 'sse-1' }, 'alice');
    const sseReader = sse.body!.getReader();
    let sseText = '';
    while ((sseText.match(/^id: /gm) ?? []).length < HALF + 1) sseText += new TextDecoder().decode((await sseReader.read()).value); // start + HALF chunks
    const aliceIds = [...sseText.matchAll(/^id: (.+)$/gm)].map((m) => m[1]);

    const attempts = [
      await post(handler, '', { id: chatId, messages: [user('我也要')] }, 'mallory'),
      await get(handler, `/${chatId}/stream`, 'mallory'),
      await get(handler, `/${chatId}/stream`, 'mallory', { 'last-event-id': '1' }),
      await post(handler, `/${chatId}/stop`, {}, 'mallory'),
      await get(handler, `/${chatId}/history`, 'mallory'),
      await post(handler, '/stream', { question: '我也要', conversationId: 'sse-1' }, 'mallory'),
      await get(handler, '/stream?conversationId=sse-1', 'mallory'),
      ...(await Promise.all(['1', '2', '3', ...aliceIds].map((id) => get(handler, '/stream?conversationId=sse-1', 'mallory', { 'last-event-id': id })))),
      // Mallory's own conversation with Alice's event ids: only her conversation's events count.
      ...(await Promise.all(['1', '2', '3', ...aliceIds].map((id) => get(handler, '/stream?conversationId=m-own', 'mallory', { 'last-event-id': id })))),
      ...(await Promise.all(['1', '2', ...aliceIds].map((id) => get(handler, `/m-own/stream`, 'mallory', { 'last-event-id': id })))),
    ];
    const bodies = await Promise.all(attempts.map((r) => r.text()));
    if (process.env.CHAT_HANDLER_FIGURES) process.stdout.write(`cross-principal attempts: ${attempts.length}, refused: ${attempts.filter((r) => r.status === 404).length}, bytes answered: ${bodies.join('').length}\n`);
    expect(attempts.map((r) => r.status)).toEqual(attempts.map(() => 404));
    const leaked = bodies.join('');
    for (const piece of ['第一行', '秘密', REPLY.slice(0, 5)]) expect(leaked).not.toContain(piece);
    expect(runs.started).toBe(2); // Alice's two turns, nothing of Mallory's

    // Alice still owns everything: her stop works, her resume reads her reply.
    expect(await (await post(handler, `/${chatId}/stop`, {}, 'alice')).json()).toMatchObject({ stopped: true });
    runs.open();
    await alice.rest();
    expect((await get(handler, `/${chatId}/history`, 'alice')).status).toBe(200);
    // No principal: 401; a conversation nobody started: resume 204, stop / history 404.
    expect((await get(handler, `/${chatId}/history`)).status).toBe(401);
    expect((await get(handler, '/nobody-yet/stream', 'mallory')).status).toBe(204);
    expect((await post(handler, '/nobody-yet/stop', {}, 'mallory')).status).toBe(404);
    expect((await get(handler, '/nobody-yet/history', 'mallory')).status).toBe(404);
    await sseReader.cancel();
  });

  it('the owner stops with nothing running: 200 { stopped: false }', async () => {
    const { runs, stream } = gatedStream();
    handler = createChatHandler({ stream, authorize });
    runs.open();
    await (await post(handler, '', { id: 'mine', messages: [user('hi')] }, 'alice')).text();
    const stop = await post(handler, '/mine/stop', {}, 'alice');
    expect([stop.status, await stop.json()]).toEqual([200, { stopped: false }]);
  });
});

describe('createChatHandler caps', () => {
  it('N+1 concurrent runs: one 429 with Retry-After in whole seconds, nothing started; abandoned turns count until they end', async () => {
    const { runs, stream } = gatedStream();
    handler = createChatHandler({ stream, maxConcurrentRuns: 3 });
    const t = transport(BASE, (input, init) => handler.fetch(new Request(input, init)));
    const replies = await Promise.all([0, 1, 2].map(() => startReply(t, newChatId(), '问', 1)));
    await Promise.all(replies.map((r) => r.drop())); // every client left: the turns run on
    expect(handler.runs).toBe(3);
    const refused = await post(handler, '', { id: newChatId(), messages: [user('再来')] });
    expect([refused.status, refused.headers.get('retry-after')]).toEqual([429, '5']);
    expect((await refused.json()).error).toMatch(/Too many replies/);
    expect((await post(handler, '/stream', { question: '再来' })).status).toBe(429); // one-off replies too
    expect(runs.started).toBe(3);
    runs.open();
    await until(() => handler.runs === 0);
    expect(runs.completed).toBe(3);
    const accepted = await post(handler, '', { id: newChatId(), messages: [user('再来')] });
    expect(accepted.status).toBe(200);
    await accepted.text();
  });

  it('at the instance cap, POST {base} is refused before its body is read (decision 0420)', async () => {
    const { runs, stream } = gatedStream();
    handler = createChatHandler({ stream, maxConcurrentRuns: 1 });
    const running = await post(handler, '', { id: newChatId(), messages: [user('一')] });
    let pulls = 0;
    const endless = new ReadableStream<Uint8Array>({ pull: (controller) => void (pulls++, controller.enqueue(new TextEncoder().encode(' '))) }, { highWaterMark: 0 });
    const init = { method: 'POST', body: endless, duplex: 'half', headers: { 'content-type': 'application/json', 'x-requested-with': 'x' } };
    const refused = await handler.fetch(new Request(`${BASE}`, init as RequestInit));
    expect([refused.status, refused.headers.get('retry-after'), pulls]).toEqual([429, '5', 0]);
    expect((await refused.json()).error).toMatch(/this server already runs 1/);
    runs.open();
    await running.text();
  });

  it('per principal: a principal past its cap gets 429 while another still runs; runs waiting for a lock count', async () => {
    const { runs, stream } = gatedStream();
    handler = createChatHandler({ stream, authorize, maxConcurrentRunsPerPrincipal: 2 });
    const first = post(handler, '', { id: 'a-1', messages: [user('一')] }, 'alice');
    await until(() => runs.started === 1);
    const waiting = post(handler, '', { id: 'a-1', messages: [user('二')] }, 'alice'); // waits for a-1's lock
    await until(() => handler.runs === 2);
    const third = await post(handler, '', { id: 'a-2', messages: [user('三')] }, 'alice');
    expect([third.status, Number(third.headers.get('retry-after'))]).toEqual([429, 5]);
    const bob = await post(handler, '', { id: 'b-1', messages: [user('四')] }, 'bob');
    expect(bob.status).toBe(200);
    runs.open();
    await Promise.all([(await first).text(), (await waiting).text(), bob.text()]);
    expect(runs.started).toBe(3);
  });
});
