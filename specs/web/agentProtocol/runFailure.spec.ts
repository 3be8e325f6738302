/**
 * A run whose thread state cannot be read when it starts (the checkpointer's database gone) ends
 * `failed` with the reason, so the thread's readers hear it; before, the failure happened before
 * the run was opened and reached only `onError`, and the SDK's clients waited forever.
 */
import { MemorySaver } from '@langchain/langgraph';
import { Client } from '@langchain/langgraph-sdk';
import type { Event } from '@langchain/protocol';
import { protocolGraphs, startProtocolInstance, ToolGate, type ProtocolInstance } from '../../support/agentProtocol';

/** A MemorySaver whose reads fail once `broken` is set, as a saver over a database that went away. */
class BreakingSaver extends MemorySaver {
  broken = false;
  override async getTuple(config: Parameters<MemorySaver['getTuple']>[0]): ReturnType<MemorySaver['getTuple']> {
    if (this.broken) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    return super.getTuple(config);
  }
}

let instance: ProtocolInstance;
afterEach(async () => {
  await instance.handler.close();
  instance.drop();
  await new Promise<void>((resolve) => instance.server.close(() => resolve()));
});

it('ends a run `failed` with the reason when the thread state cannot be read at its start', async () => {
  const saver = new BreakingSaver();
  const errors: unknown[] = [];
  instance = await startProtocolInstance({ graphs: protocolGraphs(new ToolGate()), checkpointer: saver, onError: (e) => errors.push(e) });
  const client = new Client({ apiUrl: instance.url, apiKey: null, callerOptions: { maxRetries: 0 } });
  const thread = client.threads.stream({ assistantId: 'plain', reconnectDelayMs: () => 0, streamIdleReconnect: 0 });
  const events: Event[] = [];
  let wake: () => void = () => undefined;
  thread.onEvent((event) => {
    events.push(event);
    wake();
  });
  await thread.subscribe(['lifecycle']);
  saver.broken = true;
  await thread.run.start({ input: { messages: [{ role: 'user', content: 'Python 3.12 是哪天发布的？' }] } });
  const root = () => events.filter((e) => e.method === 'lifecycle' && e.params.namespace.length === 0).map((e) => e.params.data as { event: string; error?: string });
  while (!root().some((d) => d.event === 'failed')) await new Promise<void>((resolve) => (wake = resolve));
  expect(root().map((d) => d.event)).toEqual(['running', 'failed']);
  expect(root()[1].error).toContain('ECONNREFUSED');
  await thread.close();
});
