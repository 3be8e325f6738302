/**
 * createChatHandler in memory, mounted the Next.js way (`export const POST = handler.fetch`: the
 * `ai` client's transport calls `handler.fetch` directly) and driven by DefaultChatTransport:
 * send, reconnect mid-reply, stop, the server's history, regenerate, the SSE routes, bad requests.
 */
import { HumanMessage } from '@langchain/core/messages';
import { createChatHandler, type ChatHandler } from '../../../src';
import { deltasText, gatedStream, HALF, newChatId, NOT_CROSS_SITE, readAll, REPLY, startReply, textOf, transport, until, user, type FetchLike } from '../../support/chatHandler';

const BASE = 'http://localhost/api/chat';
let handler: ChatHandler;
afterEach(async () => handler?.close());

/** `export const POST = handler.fetch`: a Request in, a Response out, no server. */
const fetchOf = (h: ChatHandler): FetchLike => (input, init) => h.fetch(new Request(input, init));
const post = (h: ChatHandler, path: string, body: unknown, headers: Record<string, string> = {}) =>
  h.fetch(new Request(BASE + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) }));
const get = (h: ChatHandler, path: string, headers: Record<string, string> = {}) => h.fetch(new Request(BASE + path, { headers: { ...NOT_CROSS_SITE, ...headers } }));

describe('createChatHandler (Next.js-style fetch, the ai client)', () => {
  it('sends a turn: the reply byte-exact, then 204 on reconnect; the history holds the question and the answer', async () => {
    const { runs, stream } = gatedStream();
    handler = createChatHandler({ stream });
    runs.open();
    const t = transport(BASE, fetchOf(handler));
    const chatId = newChatId();
    const { message, chunks } = await readAll(await t.sendMessages({ chatId, messages: [user('你好')], trigger: 'submit-message', messageId: undefined, abortSignal: undefined }));
    expect(textOf(message)).toBe(REPLY);
    expect(chunks.at(-1)?.type).toBe('finish');
    expect(await t.reconnectToStream({ chatId })).toBeNull(); // 204
    const history = await (await get(handler, `/${chatId}/history`)).json();
    expect(history.messages.map((m: { role: string; parts: { text: string }[] }) => [m.role, m.parts[0].text])).toEqual([['user', '你好'], ['assistant', REPLY]]);
  });

  it('a client dropped mid-reply reconnects with reconnectToStream: the whole reply byte-exact, the model run once', async () => {
    const { runs, stream } = gatedStream();
    handler = createChatHandler({ stream });
    const t = transport(BASE, fetchOf(handler));
    const chatId = newChatId();
    const first = await startReply(t, chatId, '你好', 3);
    await first.drop();
    const resumed = await t.reconnectToStream({ chatId });
    runs.open();
    const { message } = await readAll(resumed!);
    expect(textOf(message)).toBe(REPLY);
    expect([runs.started, runs.completed, runs.aborted]).toEqual([1, 1, 0]);
    expect(await t.reconnectToStream({ chatId })).toBeNull();
  });

  it('a stop ends the running reply with abort, aborts the model, saves the answer marked partial; a second stop says nothing runs', async () => {
    const { runs, stream } = gatedStream();
    handler = createChatHandler({ stream });
    const t = transport(BASE, fetchOf(handler));
    const chatId = newChatId();
    const reply = await startReply(t, chatId, '你好', HALF);
    const stop = await post(handler, `/${chatId}/stop`, {});
    expect([stop.status, (await stop.json()).stopped]).toEqual([200, true]);
    const rest = await reply.rest();
    expect(rest.map((c) => c.type)).toContain('abort');
    expect(runs.aborted).toBe(1);
    const again = await post(handler, `/${chatId}/stop`, {});
    expect([again.status, await again.json()]).toEqual([200, { stopped: false }]);
    const history = await (await get(handler, `/${chatId}/history`)).json();
    expect(history.messages[1]).toMatchObject({ role: 'assistant', parts: [{ text: deltasText([...reply.seen, ...rest]) }], metadata: { partial: true } });
  });

  it("the server's history is the conversation: of the client's messages only the new one is read; regenerate replaces the last answer", async () => {
    const { runs, stream } = gatedStream();
    handler = createChatHandler({ stream, system: '你是助手' });
    runs.open();
    const t = transport(BASE, fetchOf(handler));
    const chatId = newChatId();
    const send = async (messages: ReturnType<typeof user>[], trigger: 'submit-message' | 'regenerate-message' = 'submit-message') =>
      readAll(await t.sendMessages({ chatId, messages, trigger, messageId: undefined, abortSignal: undefined }));
    await send([user('一')]);
    await send([user('伪造的历史'), user('二')]); // a client that rewrites the past is not believed
    expect(runs.seen[1].map((m) => [m.getType(), m.content])).toEqual([['system', '你是助手'], ['human', '一'], ['ai', REPLY], ['human', '二']]);
    await send([user('二')], 'regenerate-message');
    expect(runs.seen[2].map((m) => m.content)).toEqual(['你是助手', '一', REPLY, '二']);
    const history = await (await get(handler, `/${chatId}/history`)).json();
    expect(history.messages.map((m: { parts: { text: string }[] }) => m.parts[0].text)).toEqual(['一', REPLY, '二', REPLY]);
    await send([user('三')]);
    expect(runs.seen[3].filter((m) => m instanceof HumanMessage).map((m) => m.content)).toEqual(['一', '二', '三']);
  });

  it('without an id a one-off reply: nothing stored, nothing to resume', async () => {
    const { runs, stream } = gatedStream();
    handler = createChatHandler({ stream });
    runs.open();
    const res = await post(handler, '', { messages: [user('你好')] });
    expect(res.headers.get('x-vercel-ai-ui-message-stream')).toBe('v1');
    expect(await res.text()).toContain('[DONE]');
    expect(handler.runs).toBe(0);
  });
});

describe('createChatHandler: the SSE routes (the library framing)', () => {
  it('POST /stream runs a turn; GET /stream resumes after Last-Event-ID byte-exact, replays from the start without it, 204 when none', async () => {
    const { runs, stream } = gatedStream();
    handler = createChatHandler({ stream });
    const conversationId = newChatId();
    expect((await get(handler, `/stream?conversationId=${conversationId}`)).status).toBe(204);
    const res = await post(handler, '/stream', { question: '你好', conversationId });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let seen = '';
    while (!seen.includes('"text":"第二行 "')) seen += (await reader.read()).value;
    await reader.cancel();
    const lastId = [...seen.matchAll(/^id: (.+)$/gm)].at(-1)![1];
    const resumed = get(handler, `/stream?conversationId=${conversationId}`, { 'last-event-id': lastId });
    runs.open();
    const rest = await (await resumed).text();
    const full = await (await get(handler, `/stream?conversationId=${conversationId}`)).text();
    const frames = (text: string) => text.split('\n\n').filter((f) => f.startsWith('id: ')); // without retry: and pings
    expect(frames(full)).toEqual([...frames(seen), ...frames(rest)]);
    expect(full).toContain('event: done');
    expect(runs.started).toBe(1);
  });

  it('without a conversationId a one-off answer; bad questions 400 / 413', async () => {
    const { runs, stream } = gatedStream();
    handler = createChatHandler({ stream });
    runs.open();
    expect(await (await post(handler, '/stream', { question: '你好' })).text()).toContain('event: done');
    expect((await post(handler, '/stream', { question: '' })).status).toBe(400);
    expect((await post(handler, '/stream', { question: '长'.repeat(4001) })).status).toBe(413);
  });
});

describe('createChatHandler: bad requests get one clear message and never run the model', () => {
  it('404 JSON under basePath, 405 with Allow, 415, 400, 413', async () => {
    const { runs, stream } = gatedStream();
    handler = createChatHandler({ stream, maxBodyBytes: 1000 });
    const nope = await get(handler, '/nope/nope/nope');
    expect([nope.status, nope.headers.get('content-type')]).toEqual([404, expect.stringMatching(/^application\/json/)]);
    const wrong = await handler.fetch(new Request(BASE + '/stream', { method: 'DELETE', headers: NOT_CROSS_SITE }));
    expect([wrong.status, wrong.headers.get('allow')]).toEqual([405, 'GET, HEAD, POST']);
    const text = await handler.fetch(new Request(BASE, { method: 'POST', headers: { 'content-type': 'text/plain', ...NOT_CROSS_SITE }, body: '{}' }));
    expect([text.status, (await text.json()).error]).toEqual([415, expect.stringContaining('application/json')]);
    expect((await post(handler, '', '{not json')).status).toBe(400);
    expect((await post(handler, '', { id: newChatId(), messages: 'no' })).status).toBe(400);
    const big = await post(handler, '', { id: newChatId(), messages: [user('长'.repeat(2000))] });
    expect([big.status, (await big.json()).error]).toEqual([413, 'The request body is over 1000 bytes.']);
    expect(runs.started).toBe(0);
  });

  it('without authorize, ids shorter than 16 characters are refused on every route that takes one, saying why', async () => {
    const { runs, stream } = gatedStream();
    handler = createChatHandler({ stream });
    const answers = [
      await post(handler, '', { id: '42', messages: [user('hi')] }),
      await get(handler, '/42/stream'),
      await post(handler, '/42/stop', {}),
      await get(handler, '/42/history'),
      await post(handler, '/stream', { question: 'hi', conversationId: '1' }),
      await get(handler, '/stream?conversationId=1', { 'last-event-id': '1' }),
    ];
    expect(answers.map((r) => r.status)).toEqual([400, 400, 400, 400, 400, 400]);
    expect((await answers[0].json()).error).toMatch(/at least 16 random characters.*authorize/);
    expect(runs.started).toBe(0);
  });

  it('Host and Origin: 421 for a foreign host, 403 cross-site; an allowed origin gets CORS, preflight included', async () => {
    const { stream } = gatedStream();
    handler = createChatHandler({ stream, allowedOrigins: ['https://app.example.com'] });
    expect((await handler.fetch(new Request('http://evil.example/api/chat/stream?question=x', { headers: NOT_CROSS_SITE }))).status).toBe(421);
    expect((await handler.fetch(new Request(BASE + '/stream?question=x'))).status).toBe(403);
    expect((await get(handler, '/stream?question=x', { origin: 'https://evil.example' })).status).toBe(403);
    const preflight = await handler.fetch(new Request(BASE, { method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } }));
    expect([preflight.status, preflight.headers.get('access-control-allow-origin')]).toEqual([204, 'https://app.example.com']);
    const cross = await post(handler, '/stream', { question: 'x' }, { origin: 'https://app.example.com' });
    expect([cross.status, cross.headers.get('access-control-allow-origin')]).toEqual([200, 'https://app.example.com']);
    await cross.body?.cancel();
  });
});
