/**
 * A stop that comes before the turn's reply exists (decision 0325), in memory, by event order:
 * while the turn waits for the lock an earlier turn holds, while its owner claim is in flight,
 * while its first frame is being stored. The turn is stopped (its model never called, nothing saved
 * as complete, the usual stop ending); a stop with nothing accepted changes nothing; a stop never
 * reaches a turn accepted after it. The same on every wire: the AI SDK's, the SSE routes',
 * `handler.stop` (what `serveChatOverWebSocket` calls).
 */
import { InMemoryChatMessageHistory } from '@langchain/core/chat_history';
import { lastValueFrom, Observable, toArray } from 'rxjs';
import { createChatHandler, InMemoryConversationLock, InMemoryConversationOwners, InMemoryReplyLog, type ChatHandler, type ConversationOwners, type ReplyLog } from '../../../src';
import { gatedStream, HALF, newChatId, NOT_CROSS_SITE, readAll, REPLY, startReply, textOf, transport, until, user, type FetchLike } from '../../support/chatHandler';

const BASE = 'http://localhost/api/chat';
let handler: ChatHandler;
afterEach(async () => handler?.close());

const as = (who: string | undefined): Record<string, string> => (who === undefined ? {} : { 'x-user': who });
const authorize = ({ request }: { request: Request }) => request.headers.get('x-user');
const fetchOf = (h: ChatHandler, who?: string): FetchLike => (input, init) => {
  const request = new Request(input, init);
  if (who !== undefined) request.headers.set('x-user', who);
  return h.fetch(request);
};
const stop = async (h: ChatHandler, chatId: string, who?: string): Promise<[number, unknown]> => {
  const response = await h.fetch(new Request(`${BASE}/${chatId}/stop`, { method: 'POST', headers: { 'content-type': 'application/json', ...as(who) }, body: '{}' }));
  return [response.status, await response.json()];
};
/** Conversations' histories, as stored: `[type, text, partial]` per message. */
function histories() {
  const store = new Map<string, InMemoryChatMessageHistory>();
  const history = (id: string) => store.get(id) ?? (store.set(id, new InMemoryChatMessageHistory()), store.get(id)!);
  const saved = async (id: string) => (await history(id).getMessages()).map((m) => [m.getType(), m.content, (m.response_metadata as { partial?: unknown } | undefined)?.partial === true]);
  return { history, saved };
}
const send = (h: ChatHandler, chatId: string, text: string, who?: string) =>
  transport(BASE, fetchOf(h, who)).sendMessages({ chatId, messages: [user(text)], trigger: 'submit-message', messageId: undefined, abortSignal: undefined });

/** Resolves once `lock` lists `n` turns of the conversation (order, not time: polled each turn of the event loop). */
async function listed(lock: InMemoryConversationLock, chatId: string, n: number): Promise<string[]> {
  for (;;) {
    const turns = await lock.turns(chatId);
    if (turns.length === n) return turns.map((t) => t.id);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A gate: `wait()` resolves after `open()`; `waiting` tells whether someone waits. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const g = { waiting: false, open, wait: async () => ((g.waiting = true), await opened) };
  return g;
}

describe('createChatHandler: a stop before the turn stored its reply', () => {
  it('while the turn waits for the lock an earlier turn holds: both stopped, the second model never called, nothing saved as complete', async () => {
    const { runs, stream } = gatedStream();
    const lock = new InMemoryConversationLock();
    const { history, saved } = histories();
    handler = createChatHandler({ stream, lock, history });
    const chatId = newChatId();
    const first = await startReply(transport(BASE, fetchOf(handler)), chatId, '第一', HALF);
    const second = send(handler, chatId, '第二');
    const [, waiting] = await listed(lock, chatId, 2);
    expect(await stop(handler, chatId)).toEqual([200, { stopped: true, replyId: waiting }]);
    expect((await first.rest()).map((c) => c.type)).toContain('abort');
    const { chunks } = await readAll(await second);
    expect(chunks.map((c) => c.type)).toEqual(['start', 'abort']); // the usual stop ending, no text
    expect([runs.started, runs.aborted]).toEqual([1, 1]); // the second turn's model was never called
    const stored = await saved(chatId);
    expect(stored.slice(2)).toEqual([['human', '第二', false], ['ai', '', true]]); // marked partial, like any stop
    expect(stored[1][2]).toBe(true);
  });

  it('while its owner claim is in flight: the principal may stop it (nobody owns the conversation yet), anyone else gets 404', async () => {
    const { runs, stream } = gatedStream();
    const claim = gate();
    const inner = new InMemoryConversationOwners();
    const owners: ConversationOwners = { owner: (id) => inner.owner(id), claim: async (id, who) => (await claim.wait(), inner.claim(id, who)) };
    const { history, saved } = histories();
    handler = createChatHandler({ stream, owners, authorize, history });
    const chatId = 'claim-in-flight';
    const reply = send(handler, chatId, '你好', 'alice');
    await until(() => claim.waiting);
    expect(await stop(handler, chatId, 'mallory')).toEqual([404, expect.anything()]);
    expect(await stop(handler, chatId, 'alice')).toEqual([200, { stopped: true, replyId: expect.any(String) }]);
    claim.open();
    expect((await readAll(await reply)).chunks.map((c) => c.type)).toEqual(['start', 'abort']);
    expect(runs.started).toBe(0);
    expect(await saved(chatId)).toEqual([['human', '你好', false], ['ai', '', true]]);
  });

  it('while its first frame is being stored: stopped, the model never called', async () => {
    const { runs, stream } = gatedStream();
    const write = gate();
    const log = new InMemoryReplyLog();
    const replyLog: ReplyLog = {
      append: (...args) => new Observable((s) => void write.wait().then(() => log.append(...args).subscribe(s))),
      read: (...args) => log.read(...args),
      stop: (id) => log.stop(id),
      stops: (id) => log.stops(id),
      latestReply: (id) => log.latestReply(id),
      close: () => log.close(),
    };
    handler = createChatHandler({ stream, replyLog });
    const chatId = newChatId();
    const reply = send(handler, chatId, '你好');
    await until(() => write.waiting);
    expect(await stop(handler, chatId)).toMatchObject([200, { stopped: true }]);
    write.open();
    expect((await readAll(await reply)).chunks.map((c) => c.type)).toEqual(['start', 'abort']);
    expect(runs.started).toBe(0);
  });

  it('a stop with nothing accepted or running: { stopped: false } for the owner, 404 for anyone else; the next turn runs whole', async () => {
    const { runs, stream } = gatedStream();
    runs.open();
    handler = createChatHandler({ stream, authorize });
    const chatId = 'stale-stop';
    expect(await stop(handler, chatId, 'alice')).toEqual([404, expect.anything()]); // nobody owns it, nothing of alice's runs
    await readAll(await send(handler, chatId, '一', 'alice'));
    expect(await stop(handler, chatId, 'alice')).toEqual([200, { stopped: false }]);
    expect(await stop(handler, chatId, 'mallory')).toEqual([404, expect.anything()]);
    const { message } = await readAll(await send(handler, chatId, '二', 'alice'));
    expect(textOf(message)).toBe(REPLY);
    expect([runs.started, runs.completed, runs.aborted]).toEqual([2, 2, 0]);
  });

  it('a stop reaches the turns accepted before it, never one accepted after it', async () => {
    const { runs, stream } = gatedStream();
    const lock = new InMemoryConversationLock();
    handler = createChatHandler({ stream, lock });
    const chatId = newChatId();
    const first = await startReply(transport(BASE, fetchOf(handler)), chatId, '第一', HALF);
    const second = send(handler, chatId, '第二');
    await listed(lock, chatId, 2);
    expect(await stop(handler, chatId)).toMatchObject([200, { stopped: true }]);
    const third = send(handler, chatId, '第三'); // after the stop: queued behind the stopped ones
    await first.rest();
    await readAll(await second);
    runs.open();
    const { message, chunks } = await readAll(await third);
    expect(textOf(message)).toBe(REPLY);
    expect(chunks.at(-1)?.type).toBe('finish');
    expect([runs.started, runs.completed, runs.aborted]).toEqual([2, 1, 1]);
  });

  it('over the SSE routes and handler.stop (the WebSocket stop): a turn waiting for the lock ends with done stopped', async () => {
    const { runs, stream } = gatedStream();
    const lock = new InMemoryConversationLock();
    handler = createChatHandler({ stream, lock });
    const conversationId = newChatId();
    const sse = (question: string) => handler.fetch(new Request(`${BASE}/stream`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ question, conversationId }) }));
    const first = sse('第一');
    await listed(lock, conversationId, 1);
    const second = handler.ask({ request: new Request(BASE), conversationId, question: '第二' }); // the WebSocket's ask
    await listed(lock, conversationId, 2);
    const answer = await handler.stop({ request: new Request(BASE), conversationId });
    expect(answer).toMatchObject({ stopped: true });
    const firstText = await (await first).text();
    expect(firstText).toMatch(/event: done\ndata: \{[^\n]*"stopped":true/);
    const messages = await lastValueFrom((await second).pipe(toArray()));
    expect(messages.map((m) => m.type)).toEqual(['start', 'done']);
    expect(messages[1]).toMatchObject({ stopped: true });
    expect(runs.started).toBe(1);
  });
});
