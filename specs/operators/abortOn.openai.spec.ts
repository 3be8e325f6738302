import { lastValueFrom, toArray } from 'rxjs';
import { ChatOpenAI } from '@langchain/openai';
import { fromRunnable } from '../../src/sources/fromRunnable';
import { abortOn } from '../../src/operators/abortOn';
import { textContent } from '../../src/operators/textContent';
import { ForbiddenContentError } from '../../src/errors';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../../src/testing/fakeOpenAIServer';

const REPLY =
  'Python 是一种解释型语言，由 Guido van Rossum 创建。和 Java 不同，Python 强调可读性；' +
  '它的生态系统非常丰富，适合数据分析、网络开发和自动化脚本，社区也十分活跃。'.repeat(4);

describe('abortOn with the real ChatOpenAI against the fake OpenAI server', () => {
  let server: FakeOpenAIServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const model = (s: FakeOpenAIServer): ChatOpenAI =>
    new ChatOpenAI({ apiKey: 'test', model: 'gpt-4o-mini', maxRetries: 0, configuration: { baseURL: s.baseURL } });

  describe('on a match', () => {
    it('errors with ForbiddenContentError and closes the HTTP connection before the reply is done', async () => {
      server = await startFakeOpenAIServer({ reply: REPLY, chunkDelayMs: 15 });
      const run = lastValueFrom(
        fromRunnable(model(server), '介绍一下Python').pipe(textContent(), abortOn(['Java'])),
      ).catch((e: unknown) => e);
      const error = (await run) as ForbiddenContentError;
      expect(error).toBeInstanceOf(ForbiddenContentError);
      expect(error.pattern).toBe('Java');
      expect(error.index).toBe(REPLY.indexOf('Java'));
      expect(REPLY.startsWith(error.emittedText)).toBe(true);
      expect(error.emittedText).not.toContain('J');
      const record = await server.waitForClose();
      expect(record.closedByClient).toBe(true);
      expect(record.completed).toBe(false);
      expect(record.chunksWritten).toBeLessThan(record.chunksTotal);
    });

    it("in mode 'complete' emits the safe text and also closes the connection", async () => {
      server = await startFakeOpenAIServer({ reply: REPLY, chunkDelayMs: 15 });
      const pieces = await lastValueFrom(
        fromRunnable(model(server), '介绍一下Python').pipe(textContent(), abortOn(['java'], { caseInsensitive: true, mode: 'complete' }), toArray()),
      );
      expect(pieces.join('')).toBe(REPLY.slice(0, REPLY.indexOf('Java')));
      const record = await server.waitForClose();
      expect(record.closedByClient).toBe(true);
      expect(record.chunksWritten).toBeLessThan(record.chunksTotal);
    });
  });

  describe('without a match', () => {
    it('passes the whole reply and lets the response finish', async () => {
      server = await startFakeOpenAIServer({ reply: '你好，世界！👋' });
      const pieces = await lastValueFrom(fromRunnable(model(server), 'hi').pipe(textContent(), abortOn(['敏感内容']), toArray()));
      expect(pieces.join('')).toBe('你好，世界！👋');
      const record = await server.waitForClose();
      expect(record.completed).toBe(true);
      expect(record.closedByClient).toBe(false);
    });
  });
});
