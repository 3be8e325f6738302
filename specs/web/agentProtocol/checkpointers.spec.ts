/**
 * The handler never changes the user's graph object: a graph without a checkpointer runs on a copy
 * with the handler's (decision 0300), so two handlers given the same graph with different
 * checkpointers each keep their threads in their own; a graph with its own checkpointer keeps it,
 * and the handler finds its threads there.
 */
import { MemorySaver } from '@langchain/langgraph';
import { createAgent } from 'langchain';
import { lastValueFrom, toArray } from 'rxjs';
import { fromAgentServer } from '../../../src';
import { ScriptedChatModel, createOfflineTools } from '../../../src/offline';
import { startProtocolInstance, type ProtocolInstance } from '../../support/agentProtocol';

const QUESTION = { messages: [{ role: 'user', content: 'Python 3.12 是哪天发布的？' }] };
const has = async (saver: MemorySaver, threadId: string) => (await saver.getTuple({ configurable: { thread_id: threadId, checkpoint_ns: '' } })) !== undefined;

describe('createAgentProtocolHandler and the graphs’ checkpointers', () => {
  const instances: ProtocolInstance[] = [];
  afterEach(async () => {
    for (const instance of instances.splice(0)) {
      await instance.handler.close();
      instance.drop();
      await new Promise<void>((resolve) => instance.server.close(() => resolve()));
    }
  });
  const serve = async (...args: Parameters<typeof startProtocolInstance>) => {
    const instance = await startProtocolInstance(...args);
    instances.push(instance);
    return instance;
  };
  const ask = (instance: ProtocolInstance, threadId: string) =>
    lastValueFrom(fromAgentServer({ apiUrl: instance.url, assistantId: 'agent', threadId, input: QUESTION }).pipe(toArray()));

  it('two handlers given the same graph and different checkpointers each use their own; the graph is not changed', async () => {
    const agent = createAgent({ model: new ScriptedChatModel(), tools: createOfflineTools() });
    const [first, second] = [new MemorySaver(), new MemorySaver()];
    const a = await serve({ graphs: { agent }, checkpointer: first });
    const b = await serve({ graphs: { agent }, checkpointer: second });
    expect(agent.graph.checkpointer).toBeUndefined();
    const [onA, onB] = [crypto.randomUUID(), crypto.randomUUID()];
    await ask(a, onA);
    await ask(b, onB);
    expect([await has(first, onA), await has(second, onA)]).toEqual([true, false]);
    expect([await has(first, onB), await has(second, onB)]).toEqual([false, true]);
    // Each handler's state reads its own checkpointer: the other's thread is unknown there.
    expect((await fetch(`${a.url}/threads/${onA}/state`)).status).toBe(200);
    expect((await fetch(`${b.url}/threads/${onA}/state`)).status).toBe(404);
    expect(agent.graph.checkpointer).toBeUndefined();
  });

  it('a graph with its own checkpointer keeps it: the handler reads and resumes its threads there', async () => {
    const own = new MemorySaver();
    const handlers = new MemorySaver();
    const agent = createAgent({ model: new ScriptedChatModel(), tools: createOfflineTools(), checkpointer: own });
    const a = await serve({ graphs: { agent }, checkpointer: handlers });
    const threadId = crypto.randomUUID();
    await ask(a, threadId);
    expect([await has(own, threadId), await has(handlers, threadId)]).toEqual([true, false]);
    expect(agent.graph.checkpointer).toBe(own);
    const state = (await (await fetch(`${a.url}/threads/${threadId}/state`)).json()) as { values: { messages: unknown[] } };
    expect(state.values.messages.length).toBeGreaterThan(1);
  });

  it('POST /threads creates the thread in the checkpointer of the graph it names', async () => {
    const own = new MemorySaver();
    const mail = createAgent({ model: new ScriptedChatModel(), tools: createOfflineTools(), checkpointer: own });
    const agent = createAgent({ model: new ScriptedChatModel(), tools: createOfflineTools() });
    const handlers = new MemorySaver();
    const a = await serve({ graphs: { agent, mail }, checkpointer: handlers });
    const threadId = crypto.randomUUID();
    const created = await fetch(`${a.url}/threads`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ thread_id: threadId, metadata: { graph_id: 'mail' } }) });
    expect(created.status).toBe(200);
    expect([await has(own, threadId), await has(handlers, threadId)]).toEqual([true, false]);
    expect((await fetch(`${a.url}/threads/${threadId}/state`)).status).toBe(200);
  });
});
