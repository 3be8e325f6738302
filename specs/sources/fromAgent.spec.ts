import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { filter, firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { createAgent, FakeToolCallingModel, tool } from 'langchain';
import { END, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import { ChatOpenAI } from '@langchain/openai';
import { CallbackManager } from '@langchain/core/callbacks/manager';
import { fromAgent } from '../../src/sources/fromAgent';
import { textContent } from '../../src/operators/textContent';
import { abortOn } from '../../src/operators/abortOn';
import { collectRun } from '../../src/parts/collectRun';
import { StreamAbortedError } from '../../src/errors';
import { ScriptedChatModel } from '../../src/offline/ScriptedChatModel';
import { createOfflineTools } from '../../src/offline/agentTools';
import { startFakeOpenAIServer } from '../../src/testing/fakeOpenAIServer';
import type { StreamPart } from '../../src/parts/types';
import { tick } from '../support/probeRunnable';
import { useCleanup } from '../support/cleanup';
import { expectTeardownClosesStalledRequest } from '../support/stalledRequest';

const cleanup = useCleanup();

const ask = (content: string) => ({ messages: [{ role: 'user', content }] });
const types = (parts: StreamPart[]): string[] => parts.filter((p) => p.type !== 'tool-call-delta' && p.type !== 'text' && p.type !== 'reasoning').map((p) => p.type);

/** A tool that reports (custom stream) that it runs, then waits until its run is aborted. */
function waitingTool() {
  const seen: { signal?: AbortSignal } = {};
  const waiting = tool(
    async (_input: Record<string, never>, config) => {
      seen.signal = config.signal;
      (config as { writer?: (chunk: unknown) => void }).writer?.({ tool: 'started' });
      await new Promise<void>((resolve) => config.signal?.addEventListener('abort', () => resolve(), { once: true }));
      return 'never used';
    },
    { name: 'wait_forever', description: 'waits', schema: { type: 'object', properties: {} } },
  );
  return { seen, waiting };
}

describe('fromAgent', () => {
  it("runs LangChain's FakeToolCallingModel agent: steps, parallel tool calls, results, the answer", async () => {
    const add = createOfflineTools()[0];
    const model = new FakeToolCallingModel({
      toolCalls: [[{ name: 'add', args: { a: 2008, b: 16 }, id: 'c1' }, { name: 'add', args: { a: 1, b: -1 }, id: 'c2' }], []],
    });
    const parts = await lastValueFrom(fromAgent(createAgent({ model, tools: [add] }), ask('2008+16?')).pipe(toArray()));
    expect(types(parts)).toEqual([
      'step-start', 'tool-call-start', 'tool-call', 'tool-call-start', 'tool-call', 'step-finish',
      'tool-result', 'tool-result',
      'step-start', 'step-finish', 'finish',
    ]);
    expect(parts.filter((p) => p.type === 'tool-result')).toEqual([
      { type: 'tool-result', id: 'c1', name: 'add', content: '2024', isError: false, node: 'tools' },
      { type: 'tool-result', id: 'c2', name: 'add', content: '0', isError: false, node: 'tools' },
    ]);
    expect(parts.filter((p) => p.type === 'step-start').map((p) => p.node)).toEqual(['model_request', 'model_request']);
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
  });

  it('runs the offline agent (ScriptedChatModel + createOfflineTools): two tool steps, then the answer', async () => {
    const agent = createAgent({ model: new ScriptedChatModel(), tools: createOfflineTools() });
    const run = await lastValueFrom(fromAgent(agent, ask('Python 3.0 是哪一年发布的？再过 16 年是哪一年？')).pipe(collectRun()));
    expect(run.toolCalls.map((c) => [c.name, c.args])).toEqual([
      ['python_release', { version: '3.0' }],
      ['add', { a: 2008, b: 16 }],
    ]);
    expect(run.toolResults.map((r) => r.content)).toEqual(['{"version":"3.0","released":"2008-12-03"}', '2024']);
    expect(run.text).toBe('Python 3.0 于 2008 年 12 月 3 日发布。2008 + 16 = 2024，所以再过 16 年是 2024 年。 🐍');
    expect(run.steps).toBe(3);
    expect(run.messages.map((m) => m.getType())).toEqual(['ai', 'tool', 'ai', 'tool', 'ai']);
    expect(run.usage?.total_tokens).toBeGreaterThan(0);
    expect(run.finishReason).toBe('stop');
  });

  it('fromAgent(agent).pipe(textContent(), abortOn([...])) stops the run at a forbidden word', async () => {
    const agent = createAgent({ model: new ScriptedChatModel(), tools: createOfflineTools() });
    const error = await lastValueFrom(fromAgent(agent, ask('Python 3.0 是哪一年发布的？再过 16 年是哪一年？')).pipe(textContent(), abortOn(['2024']))).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ pattern: '2024', emittedText: 'Python 3.0 于 2008 年 12 月 3 日发布。2008 + 16 =' }); // ' 2024' came as one token
  });

  it('a compiled StateGraph with a subgraph: parts carry node and namespace; custom writes are custom parts', async () => {
    const model = new ScriptedChatModel({ reply: '子图 回答 🌲' });
    const inner = new StateGraph(MessagesAnnotation)
      .addNode('answer', async (state, config) => {
        config.writer?.({ phase: 'answering' });
        return { messages: [await model.invoke(state.messages, config)] };
      })
      .addEdge(START, 'answer')
      .addEdge('answer', END)
      .compile();
    const graph = new StateGraph(MessagesAnnotation).addNode('research', inner).addEdge(START, 'research').addEdge('research', END).compile();
    const parts = await lastValueFrom(fromAgent(graph, ask('hi')).pipe(toArray()));
    const namespace = [expect.stringMatching(/^research:/)];
    expect(parts[0]).toEqual({ type: 'custom', data: { phase: 'answering' }, namespace });
    expect(parts.filter((p) => p.type === 'text').map((p) => (p as { text: string }).text).join('')).toBe('子图 回答 🌲');
    expect(parts.filter((p) => p.type === 'text').every((p) => p.node === 'answer')).toBe(true);
    expect(parts.filter((p) => p.type === 'step-start')).toEqual([{ type: 'step-start', step: 0, node: 'answer', namespace }]); // the outer update repeats the message: counted once
  });

  describe('finish reasons of a real ChatOpenAI agent (fake OpenAI server)', () => {
    const turn = (body: { messages: Array<{ role: string }> }) =>
      body.messages.some((m) => m.role === 'tool') ? { text: '答案是 2024 年。' } : { toolCalls: [{ name: 'add', arguments: { a: 2008, b: 16 } }] };
    const openai = (baseURL: string) => new ChatOpenAI({ apiKey: 'test-key', model: 'gpt-4o-mini', maxRetries: 0, streamUsage: true, configuration: { baseURL } });
    const finishes = (parts: StreamPart[]) => parts.filter((p) => p.type === 'step-finish' || p.type === 'finish').map((p) => [p.type, (p as { finishReason?: string }).finishReason]);

    it("each step carries the finish reason the server sent (LangGraph's messages mode drops it; fromAgent puts it back); the caller's callbacks still run", async () => {
      const server = await startFakeOpenAIServer({ turn });
      cleanup(() => server.close());
      const agent = createAgent({ model: openai(server.baseURL), tools: createOfflineTools() });
      const ends: string[] = [];
      const parts = await lastValueFrom(
        fromAgent(agent, ask('2008 年再过 16 年是哪年？'), { callbacks: [{ handleLLMEnd: () => void ends.push('llm-end') }] }).pipe(toArray()),
      );
      expect(finishes(parts)).toEqual([['step-finish', 'tool_calls'], ['step-finish', 'stop'], ['finish', 'stop']]);
      expect(ends).toEqual(['llm-end', 'llm-end']);
    });

    it('a CallbackManager of the caller is kept too', async () => {
      const server = await startFakeOpenAIServer({ turn });
      cleanup(() => server.close());
      const ends: string[] = [];
      const manager = CallbackManager.fromHandlers({ handleLLMEnd: () => void ends.push('llm-end') });
      const agent = createAgent({ model: openai(server.baseURL), tools: createOfflineTools() });
      const parts = await lastValueFrom(fromAgent(agent, ask('q'), { callbacks: manager }).pipe(toArray()));
      expect(finishes(parts).at(-1)).toEqual(['finish', 'stop']);
      expect(ends).toHaveLength(2);
      expect(manager.handlers).toHaveLength(1); // copied, not changed
    });

    it('a second step cut cleanly (the response ends without finish_reason): LangGraph ends the run normally, the step shows no finish reason, the run finishes unknown', async () => {
      const server = await startFakeOpenAIServer({ turn, faults: [null, { type: 'end-early', afterChunks: 2 }] });
      cleanup(() => server.close());
      const agent = createAgent({ model: openai(server.baseURL), tools: createOfflineTools() });
      const parts = await lastValueFrom(fromAgent(agent, ask('q')).pipe(toArray()));
      expect(finishes(parts)).toEqual([['step-finish', 'tool_calls'], ['step-finish', undefined], ['finish', 'unknown']]);
      expect(parts.filter((p) => p.type === 'text').map((p) => (p as { text: string }).text).join('')).toBe('答案是');
    });
  });

  describe('the four laws', () => {
    const probe = () => {
      const calls: Array<Record<string, unknown> | undefined> = [];
      return {
        calls,
        async stream(_input: unknown, options?: Record<string, unknown>) {
          calls.push(options);
          return (async function* () {
            yield ['messages', [{ content: 'hi', type: 'ai', id: 'm' }, { langgraph_node: 'model' }]];
          })();
        },
      };
    };

    it('cold and lazy: one run per subscription, none before; streams messages, updates and custom with subgraphs', async () => {
      const agent = probe();
      const source = fromAgent(agent, ask('q'), { recursionLimit: 5, streamMode: 'values' });
      await tick(5);
      expect(agent.calls).toHaveLength(0);
      await lastValueFrom(source);
      await lastValueFrom(source);
      expect(agent.calls).toHaveLength(2);
      expect(agent.calls[0]).toMatchObject({ recursionLimit: 5, streamMode: ['messages', 'updates', 'custom'], subgraphs: true });
      expect(agent.calls[0]?.signal).toBeInstanceOf(AbortSignal);
      expect(agent.calls[0]?.signal).not.toBe(agent.calls[1]?.signal);
    });

    it('unicast: two concurrent subscribers get a whole run each', async () => {
      const agent = createAgent({ model: new ScriptedChatModel({ chunkDelayMs: 1 }), tools: createOfflineTools() });
      const source = fromAgent(agent, ask('Python 2.0 和 3.0 相隔几年？')).pipe(collectRun());
      const [a, b] = await Promise.all([lastValueFrom(source), lastValueFrom(source)]);
      expect(a.text).toBe(b.text);
      expect(a.text).toContain('相隔 8 年');
      expect(a.toolCalls).toHaveLength(3);
    });

    it('teardown aborts the model request: the HTTP connection of the real ChatOpenAI closes while the server stalls', async () => {
      const server = await startFakeOpenAIServer({ stallAfterChunks: 2 });
      cleanup(() => server.close());
      const model = new ChatOpenAI({ apiKey: 'test-key', model: 'gpt-4o-mini', maxRetries: 0, configuration: { baseURL: server.baseURL } });
      const agent = createAgent({ model, tools: createOfflineTools() });
      await expectTeardownClosesStalledRequest(server, fromAgent(agent, ask('讲一个关于Python的笑话')).pipe(textContent()));
    });

    it('teardown aborts a running tool: it sees config.signal abort', async () => {
      const { seen, waiting } = waitingTool();
      const model = new FakeToolCallingModel({ toolCalls: [[{ name: 'wait_forever', args: {}, id: 'w1' }], []] });
      const started = await firstValueFrom(fromAgent(createAgent({ model, tools: [waiting] }), ask('go')).pipe(filter((p) => p.type === 'custom')));
      expect(started).toEqual({ type: 'custom', data: { tool: 'started' } });
      while (!seen.signal?.aborted) await tick(2); // jest's timeout guards a hang; no clock bounds the wait
      expect(seen.signal?.aborted).toBe(true);
    });

    it('an abort of config.signal errors with StreamAbortedError and aborts the tool', async () => {
      const { seen, waiting } = waitingTool();
      const model = new FakeToolCallingModel({ toolCalls: [[{ name: 'wait_forever', args: {}, id: 'w1' }], []] });
      const controller = new AbortController();
      const parts: StreamPart[] = [];
      const done = new Promise<unknown>((resolve) =>
        fromAgent(createAgent({ model, tools: [waiting] }), ask('go'), { signal: controller.signal }).subscribe({
          next: (p) => {
            parts.push(p);
            if (p.type === 'custom') controller.abort('user left');
          },
          error: resolve,
          complete: () => resolve('completed'),
        }),
      );
      expect(await done).toBeInstanceOf(StreamAbortedError);
      expect(seen.signal?.aborted).toBe(true);
      expect(parts.some((p) => p.type === 'tool-result')).toBe(false); // the tool never answered
    });

    it('take(n) stops the run', async () => {
      const { seen, waiting } = waitingTool();
      const model = new FakeToolCallingModel({ toolCalls: [[{ name: 'wait_forever', args: {}, id: 'w1' }], []] });
      const first = await lastValueFrom(fromAgent(createAgent({ model, tools: [waiting] }), ask('go')).pipe(take(2), toArray()));
      expect(first.map((p) => p.type)).toEqual(['step-start', 'text']);
      await tick(20);
      expect(seen.signal).toBeUndefined(); // stopped before the tool ran
    });
  });

  it('refuses what has no stream(), at call time', () => {
    expect(() => fromAgent({} as never, {})).toThrow(
      new TypeError('fromAgent: agent must be a compiled LangGraph graph or a createAgent agent (something with stream()), got an object (Object).'),
    );
    expect(() => fromAgent({ stream: () => [] } as never, {}, 'x' as never)).toThrow(TypeError);
  });

  it('the root and offline entries import neither langchain nor @langchain/langgraph (fromAgent only calls stream())', () => {
    // Every module the entries reach through runtime imports (type-only imports load nothing).
    const root = join(__dirname, '../..');
    const seen = new Set<string>();
    const packages = new Set<string>();
    // createAgentProtocolHandler serves graphs, so it loads LangGraph (lazily, when it is called:
    // specs/package/platform-neutral.spec.ts proves importing the root entry does not).
    const lazyLoaders = new Set([join(root, 'src/web/agentProtocol/langgraph.ts')]);
    const visit = (file: string): void => {
      if (seen.has(file) || lazyLoaders.has(file)) return;
      seen.add(file);
      const source = readFileSync(file, 'utf8');
      for (const m of source.matchAll(/^\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?'([^']+)'|require\('([^']+)'\)/gm)) {
        if (m[1]) continue;
        const spec = m[2] ?? m[3];
        if (!spec.startsWith('.')) {
          packages.add(spec);
          continue;
        }
        const base = resolve(dirname(file), spec);
        visit([`${base}.ts`, join(base, 'index.ts')].find((f) => existsSync(f))!);
      }
    };
    visit(join(root, 'src/index.ts'));
    visit(join(root, 'src/offline/index.ts'));
    expect(seen.has(join(root, 'src/sources/fromAgent.ts'))).toBe(true);
    expect(seen.has(join(root, 'src/parts/toParts.ts'))).toBe(true);
    expect([...packages].filter((p) => /^(langchain|@langchain\/langgraph)(\/|$)/.test(p))).toEqual([]);
    expect([...packages]).toContain('@langchain/core/tools'); // the scan sees package imports
  });
});
