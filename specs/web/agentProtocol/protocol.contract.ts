/**
 * What `@langchain/langgraph-sdk`'s own protocol client (ThreadStream) sees from two instances of
 * `createAgentProtocolHandler` sharing a log, a lock and a checkpointer. Run in memory and over Redis.
 */
import { Client } from '@langchain/langgraph-sdk';
import type { Event } from '@langchain/protocol';
import type { ProtocolCluster } from '../../support/agentProtocol';

type ThreadStreamLike = ReturnType<Client['threads']['stream']>;

const QUESTION = 'Python 3.12 是哪天发布的？';
const ANSWER = 'Python 3.12 于 2023 年 10 月 2 日发布。 🐍';

/** Every event the thread's listener hears (once per event id, as the SDK promises) and a way to wait for one. */
function recorder(thread: ThreadStreamLike) {
  const events: Event[] = [];
  const waiters: Array<{ test: (e: Event) => boolean; resolve: (e: Event) => void }> = [];
  thread.onEvent((event) => {
    events.push(event);
    for (const w of [...waiters]) if (w.test(event)) waiters.splice(waiters.indexOf(w), 1) && w.resolve(event);
  });
  const next = (test: (e: Event) => boolean): Promise<Event> => new Promise((resolve) => waiters.push({ test, resolve }));
  return { events, next, after: (from: number, test: (e: Event) => boolean) => events.slice(from).find(test) ?? next(test) };
}

const rootLifecycle = (name: string) => (e: Event) => e.method === 'lifecycle' && e.params.namespace.length === 0 && (e.params.data as { event: string }).event === name;
const lifecycles = (events: Event[]) => events.filter((e) => e.method === 'lifecycle' && e.params.namespace.length === 0).map((e) => (e.params.data as { event: string }).event);
const human = { messages: [{ role: 'user', content: QUESTION }] };

export function agentProtocolContract(name: string, startCluster: () => Promise<ProtocolCluster>): void {
  describe(name, () => {
    let cluster: ProtocolCluster;
    let threads: ThreadStreamLike[] = [];
    const open = (assistantId: string, threadId?: string): ThreadStreamLike => {
      const client = new Client({ apiUrl: 'http://cluster.invalid', apiKey: null, callerOptions: { fetch: cluster.sdkFetch, maxRetries: 0 } });
      const options = { assistantId, fetch: cluster.sdkFetch, reconnectDelayMs: () => 0, streamIdleReconnect: 0 as const };
      const thread = threadId ? client.threads.stream(threadId, options) : client.threads.stream(options);
      threads.push(thread);
      return thread;
    };
    const client = () => new Client({ apiUrl: 'http://cluster.invalid', apiKey: null, callerOptions: { fetch: cluster.sdkFetch, maxRetries: 0 } });

    beforeEach(async () => {
      cluster = await startCluster();
    });
    afterEach(async () => {
      await Promise.all(threads.map((t) => t.close().catch(() => undefined)));
      threads = [];
      await cluster.close();
    });

    it('streams message deltas, stops at the approval (running → interrupted), and one of two concurrent answers resumes it: the tool runs once', async () => {
      const thread = open('agent');
      const seen = recorder(thread);
      await thread.subscribe(['lifecycle', 'input', 'messages', 'values', 'tools']);
      const { run_id } = await thread.run.start({ input: human });
      expect(typeof run_id).toBe('string');
      const asked = await seen.after(0, (e) => e.method === 'input.requested');
      await seen.after(0, rootLifecycle('interrupted'));
      expect(lifecycles(seen.events)).toEqual(['running', 'interrupted']);
      const { interrupt_id, payload } = asked.params.data as { interrupt_id: string; payload: { actionRequests: Array<{ name: string; args: unknown }> } };
      expect(payload.actionRequests).toEqual([expect.objectContaining({ name: 'python_release', args: { version: '3.12' } })]);
      expect(thread.interrupts.map((i) => i.interruptId)).toEqual([interrupt_id]);

      // Hydration on either instance shows the same pending interrupt.
      for (const route of ['a', 'b'] as const) {
        cluster.route = route;
        const state = await client().threads.getState(thread.threadId);
        expect(state.tasks.flatMap((t) => t.interrupts.map((i) => i.id))).toEqual([interrupt_id]);
      }

      // Two answers at once, one per instance: exactly one resumes, the other is refused with 409.
      cluster.route = 'alternate';
      const from = seen.events.length;
      const answers = await Promise.allSettled([0, 1].map(() => open('agent', thread.threadId).input.respond({ namespace: [], interrupt_id, response: { decisions: [{ type: 'approve' }] } })));
      expect(answers.map((a) => a.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect(String((answers.find((a) => a.status === 'rejected') as PromiseRejectedResult).reason)).toMatch(/409/);
      await seen.after(from, rootLifecycle('completed'));
      expect(cluster.gate.calls).toBe(1);
      expect(lifecycles(seen.events)).toEqual(['running', 'interrupted', 'running', 'completed']);

      // The answer streamed in several deltas whose text is the final state's.
      const deltas = seen.events.filter((e) => e.method === 'messages' && (e.params.data as { event: string; delta?: { type: string } }).delta?.type === 'text-delta');
      expect(deltas.length).toBeGreaterThan(3);
      const streamed = deltas.map((e) => (e.params.data as { delta: { text: string } }).delta.text).join('');
      expect(streamed).toBe(ANSWER);
      const finish = seen.events.findIndex((e) => e.method === 'messages' && (e.params.data as { event: string }).event === 'message-finish' && e.seq! > deltas[0].seq!);
      expect(seen.events.indexOf(deltas[deltas.length - 1])).toBeLessThan(finish);
      const state = await client().threads.getState<{ messages: Array<{ type: string; id: string; content: unknown }> }>(thread.threadId);
      const last = state.values.messages.at(-1)!;
      expect(last.type).toBe('ai');
      expect(JSON.stringify(last.content)).toContain(ANSWER);
      const start = seen.events.find((e) => e.method === 'messages' && (e.params.data as { event: string }).event === 'message-start' && e.seq! < deltas[0].seq!  && e.seq! > asked.seq!);
      expect((start!.params.data as { id: string }).id).toBe(last.id);
    });

    it('a client that drops mid-run and reconnects to the other instance gets every event of the thread exactly once, with the same ids', async () => {
      cluster.route = 'a';
      cluster.gate.held = true;
      const thread = open('plain');
      const seen = recorder(thread);
      await thread.subscribe(['lifecycle', 'input', 'messages', 'values', 'tools', 'updates', 'checkpoints', 'tasks']);
      const toolStarted = cluster.gate.started();
      await thread.run.start({ input: human });
      await toolStarted;
      await seen.after(0, (e) => e.method === 'tools' && (e.params.data as { event: string }).event === 'tool-started');
      const beforeDrop = seen.events.length;
      cluster.route = 'b';
      cluster.a.drop(); // instance a keeps running the run; the SDK reconnects, now to b
      cluster.gate.release();
      await seen.after(beforeDrop, rootLifecycle('completed'));
      expect(cluster.gate.calls).toBe(1);

      // What a fresh client reads from b: the whole thread. The dropped one heard exactly that.
      const fresh = open('plain', thread.threadId);
      const all = recorder(fresh);
      await fresh.subscribe(['lifecycle', 'input', 'messages', 'values', 'tools', 'updates', 'checkpoints', 'tasks']);
      await all.after(0, rootLifecycle('completed'));
      const ids = (events: Event[]) => events.map((e) => e.event_id);
      expect(new Set(ids(seen.events)).size).toBe(seen.events.length);
      expect(ids(seen.events)).toEqual(ids(all.events));
      expect(seen.events.map((e) => e.seq)).toEqual([...seen.events.map((e) => e.seq!)].sort((x, y) => x - y));
    });

    it('cancel from the other instance ends the run (its tool aborted, lifecycle interrupted) and the next run works', async () => {
      cluster.route = 'a';
      cluster.gate.held = true;
      const thread = open('plain');
      const seen = recorder(thread);
      await thread.subscribe(['lifecycle', 'input', 'tools']);
      const toolStarted = cluster.gate.started();
      const { run_id } = await thread.run.start({ input: human });
      await toolStarted;
      cluster.route = 'b';
      await client().runs.cancel(thread.threadId, run_id!);
      await seen.after(0, rootLifecycle('interrupted'));
      expect(cluster.gate.aborted).toBe(1);
      const from = seen.events.length;
      await thread.run.start({ input: { messages: [{ role: 'user', content: 'Python 3.0 是哪天发布的？' }] } });
      cluster.gate.release();
      await seen.after(from, rootLifecycle('completed'));
      expect(lifecycles(seen.events)).toEqual(['running', 'interrupted', 'running', 'completed']);
    });

    it('answers an unknown thread and a malformed command with 4xx, and keeps answering', async () => {
      const t = crypto.randomUUID();
      for (const url of [cluster.a.url, cluster.b.url]) {
        expect((await fetch(`${url}/threads/${crypto.randomUUID()}/state`)).status).toBe(404);
        const post = (path: string, body: string) => fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        expect((await post(`/threads/${t}/commands`, '{"id":')).status).toBe(400);
        expect((await post(`/threads/${t}/commands`, '{"id":-1,"method":"run.start"}')).status).toBe(400);
        expect((await post(`/threads/${t}/commands`, '[]')).status).toBe(400);
        expect((await post(`/threads/${t}/commands`, JSON.stringify({ id: 1, method: 'run.start', params: { assistant_id: 'nobody', input: null } }))).status).toBe(404);
        expect((await post(`/threads/${t}/stream/events`, '{"channels":"values"}')).status).toBe(400);
        expect((await post(`/threads/${t}/stream/events`, '{"channels":[],"extra":1}')).status).toBe(400);
        const respond = await post(`/threads/${crypto.randomUUID()}/commands`, JSON.stringify({ id: 2, method: 'input.respond', params: { namespace: [], interrupt_id: 'x', response: 1 } }));
        expect(respond.status).toBe(404);
        expect(await respond.json()).toEqual({ type: 'error', id: 2, error: 'no_such_run', message: expect.any(String) });
        const unknown = await post(`/threads/${t}/commands`, JSON.stringify({ id: 3, method: 'agent.fly' }));
        expect(await unknown.json()).toEqual({ type: 'error', id: 3, error: 'unknown_command', message: expect.any(String) });
      }
      cluster.route = 'b';
      const thread = open('plain');
      const seen = recorder(thread);
      await thread.subscribe(['lifecycle']);
      await thread.run.start({ input: human });
      await seen.after(0, rootLifecycle('completed'));
    });
  });
}
