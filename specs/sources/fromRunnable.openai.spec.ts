import { lastValueFrom, map, Subject, take, takeUntil, toArray } from 'rxjs';
import { ChatOpenAI } from '@langchain/openai';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { fromRunnable } from '../../src/sources/fromRunnable';
import { collectMessage } from '../../src/operators/collectMessage';
import { textContent } from '../../src/operators/textContent';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../../src/testing/fakeOpenAIServer';
import { tick } from '../support/probeRunnable';
import { expectTeardownClosesStalledRequest } from '../support/stalledRequest';

/** The real ChatOpenAI, pointed at the loopback fake server. */
function openai(server: FakeOpenAIServer): ChatOpenAI {
  return new ChatOpenAI({ apiKey: 'test-key', model: 'gpt-4o-mini', maxRetries: 0, configuration: { baseURL: server.baseURL } });
}

describe('fromRunnable with the real ChatOpenAI against the fake OpenAI server', () => {
  let server: FakeOpenAIServer;
  afterEach(() => server?.close());

  it('streams a whole reply with usage on the merged message', async () => {
    server = await startFakeOpenAIServer({ reply: '你好，世界！👋 Hello.' });
    const message = await lastValueFrom(fromRunnable(openai(server), '你好').pipe(collectMessage()));
    expect(message.content).toBe('你好，世界！👋 Hello.');
    expect(message.usage_metadata?.output_tokens).toBe(server.requests[0].chunksTotal);
    expect(server.requests[0].completed).toBe(true);
    expect(server.requests[0].body.stream).toBe(true);
  });

  it('streams a prompt → ChatOpenAI chain', async () => {
    server = await startFakeOpenAIServer();
    const chain = ChatPromptTemplate.fromMessages([['system', '你是{role}'], ['human', '{question}']]).pipe(openai(server));
    const text = await lastValueFrom(
      fromRunnable(chain, { role: '故事讲述者', question: '讲一个关于程序员的故事' }).pipe(textContent(), toArray(), map((t) => t.join(''))),
    );
    expect(text).toContain('程序员');
    expect(server.requests[0].body.messages[0]).toEqual({ role: 'system', content: '你是故事讲述者' });
  });

  it('take(3) closes the HTTP connection before the reply is done', async () => {
    server = await startFakeOpenAIServer({ chunkDelayMs: 20 });
    const chunks = await lastValueFrom(fromRunnable(openai(server), '详细介绍Python的历史和发展').pipe(take(3), toArray()));
    expect(chunks).toHaveLength(3);
    const record = await server.waitForClose();
    expect(record.closedByClient).toBe(true);
    expect(record.chunksWritten).toBeLessThan(record.chunksTotal);
  });

  it('unsubscribing from a stalled stream closes the connection, though no chunk ever comes', async () => {
    server = await startFakeOpenAIServer({ stallAfterChunks: 2 });
    await expectTeardownClosesStalledRequest(server, fromRunnable(openai(server), '你好').pipe(textContent()));
  });

  it('takeUntil on a stalled stream closes the connection', async () => {
    server = await startFakeOpenAIServer({ stallAfterChunks: 1 });
    const stop = new Subject<void>();
    const done = lastValueFrom(fromRunnable(openai(server), '你好').pipe(textContent(), takeUntil(stop), toArray()));
    await server.waitForRequests(1);
    await tick(50);
    stop.next();
    expect((await done).join('')).toBe('你');
    expect((await server.waitForClose(0, 60_000)).closedByClient).toBe(true);
  });

  it('an operator error closes the connection', async () => {
    server = await startFakeOpenAIServer({ chunkDelayMs: 20 });
    const failed = lastValueFrom(
      fromRunnable(openai(server), '什么是Rust？').pipe(
        textContent(),
        map((t) => {
          if (t.includes('一')) throw new Error('render failed');
          return t;
        }),
      ),
    );
    await expect(failed).rejects.toThrow('render failed');
    const record = await server.waitForClose(0, 60_000);
    expect(record.closedByClient).toBe(true);
    expect(record.chunksWritten).toBeLessThan(record.chunksTotal);
  });
});
