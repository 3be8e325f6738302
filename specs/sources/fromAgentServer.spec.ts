// fromAgentServer against our createAgentProtocolHandler and against @langchain/langgraph-api's
// own server (a child process): the same parts for the same offline agent; an interrupt is a part;
// unsubscribing closes the requests and cancels the run.
import { firstValueFrom, lastValueFrom, filter, toArray } from 'rxjs';
import { fromAgentServer, type ApprovalRequestPart, type StreamPart } from '../../src';
import { InMemoryConversationLock } from '../../src/replyLog/InMemoryConversationLock';
import { InMemoryReplyLog } from '../../src/replyLog/InMemoryReplyLog';
import { startCluster, type ProtocolCluster } from '../support/agentProtocol';
import { comparable, startLangGraphApi } from '../support/langgraphApi/start';
import { useCleanup } from '../support/cleanup';

const QUESTION = { messages: [{ role: 'user', content: 'Python 3.12 是哪天发布的？' }] };

describe('fromAgentServer', () => {
  let cluster: ProtocolCluster;
  beforeEach(async () => {
    const shared = { replyLog: new InMemoryReplyLog(), lock: new InMemoryConversationLock() };
    cluster = await startCluster(() => shared);
  });
  const cleanup = useCleanup(); // before the afterEach below: closers run first, where a finally ran
  afterEach(() => cluster.close());

  it('is lazy: nothing is requested before subscribe', async () => {
    let requests = 0;
    const parts$ = fromAgentServer({ apiUrl: cluster.a.url, assistantId: 'plain', input: QUESTION, fetch: (input, init) => (requests++, fetch(input, init)) });
    await new Promise((resolve) => setImmediate(resolve));
    expect(requests).toBe(0);
    await lastValueFrom(parts$);
    expect(requests).toBeGreaterThan(0);
  });

  it('gives the same parts from our server and from @langchain/langgraph-api’s', async () => {
    const ours = await lastValueFrom(fromAgentServer({ apiUrl: cluster.a.url, assistantId: 'plain', input: QUESTION }).pipe(toArray()));
    const reference = await startLangGraphApi();
    cleanup(() => reference.stop());
    const theirs = await lastValueFrom(fromAgentServer({ apiUrl: reference.url, assistantId: 'plain', input: QUESTION }).pipe(toArray()));
    expect(comparable(ours)).toEqual(comparable(theirs));
    const text = ours.filter((p) => p.type === 'text').map((p) => (p as { text: string }).text).join('');
    expect(text).toBe('Python 3.12 于 2023 年 10 月 2 日发布。 🐍');
    expect(ours.map((p) => p.type)).toEqual(expect.arrayContaining(['step-start', 'tool-call', 'tool-result', 'step-finish', 'finish']));
    expect(ours.find((p) => p.type === 'tool-result')).toMatchObject({ name: 'python_release', isError: false, content: '{"version":"3.12","released":"2023-10-02"}' });
  });

  it('an approval is an approval-request part, the run finishes "awaiting-decision", and respond resumes it on the same thread', async () => {
    const threadId = crypto.randomUUID();
    const first = await lastValueFrom(fromAgentServer({ apiUrl: cluster.a.url, assistantId: 'agent', threadId, input: QUESTION }).pipe(toArray()));
    const request = first.find((p): p is ApprovalRequestPart => p.type === 'approval-request')!;
    expect(request).toMatchObject({ toolName: 'python_release', input: { version: '3.12' }, allowedDecisions: ['approve', 'edit', 'reject'] });
    expect(first.at(-1)).toMatchObject({ type: 'finish', finishReason: 'awaiting-decision' });
    const resumed = await lastValueFrom(
      fromAgentServer({ apiUrl: cluster.b.url, assistantId: 'agent', threadId, respond: { interruptId: request.interruptId, response: { decisions: [{ type: 'approve' }] } } }).pipe(toArray()),
    );
    // Only the resumed run's parts: the first run's events, replayed first, are left out.
    expect(resumed.filter((p) => p.type === 'approval-request')).toEqual([]);
    expect(resumed.find((p) => p.type === 'tool-result')).toMatchObject({ name: 'python_release', isError: false });
    expect(resumed.filter((p) => p.type === 'text').map((p) => (p as { text: string }).text).join('')).toBe('Python 3.12 于 2023 年 10 月 2 日发布。 🐍');
    expect(cluster.gate.calls).toBe(1);
  });

  it('unsubscribing closes its requests and cancels the run on the server (its tool is aborted)', async () => {
    cluster.gate.held = true;
    const signals: AbortSignal[] = [];
    const cancels: Promise<Response>[] = [];
    const tracking: typeof fetch = (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.endsWith('/stream/events') && init?.signal) signals.push(init.signal);
      const response = fetch(input, init);
      if (/\/runs\/[^/]+\/cancel\b/.test(new URL(url).pathname)) cancels.push(response);
      return response;
    };
    const started = cluster.gate.started();
    const toolCall = firstValueFrom(fromAgentServer({ apiUrl: cluster.a.url, assistantId: 'plain', input: QUESTION, fetch: tracking }).pipe(filter((p) => p.type === 'tool-call')));
    await toolCall; // firstValueFrom unsubscribes after the first tool-call
    await started.catch(() => undefined);
    await new Promise<void>((resolve) => {
      const check = (): void => (cluster.gate.aborted === 1 ? resolve() : void setImmediate(check));
      check();
    });
    expect(signals.length).toBeGreaterThan(0);
    expect(signals.every((s) => s.aborted)).toBe(true);
    // The cancel is a request of its own, sent by the teardown (not aborted by it: it must reach the
    // server). The server aborts the tool before its answer is back, so wait for that answer: until
    // then its keep-alive socket is in use, and closing the servers under it left that socket open
    // after the file (what made Jest force-exit a worker).
    expect(cancels).toHaveLength(1);
    expect((await cancels[0]).ok).toBe(true);
  });
});
