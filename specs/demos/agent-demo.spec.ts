import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../../src/testing/fakeOpenAIServer';
import { ScriptedChatModel } from '../../src/offline/ScriptedChatModel';
import { demo, QUESTION } from '../../demos/13-agent';
import { DEMOS } from '../../demos';

/** Runs the demo in this process on the offline model (zero latency), returning what it wrote. */
async function runInProcess(args: string[]): Promise<string> {
  let written = '';
  const out = Object.assign(Object.create(null) as NodeJS.WritableStream, { write: (s: string) => ((written += s), true), isTTY: false });
  await demo.run({ model: new ScriptedChatModel(), description: 'offline', offline: true, out, color: false }, args);
  return written;
}

const run = promisify(execFile);
const root = join(__dirname, '../..');

/** `npm run demo -- <args>` as a user runs it, offline with zero latency unless env says otherwise. */
async function runDemo(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string; stderr: string; code: number }> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, DEMO_LATENCY: '0', NO_COLOR: '1', ...env };
  if (!env.OPENAI_API_KEY) delete childEnv.OPENAI_API_KEY;
  try {
    const { stdout, stderr } = await run(process.execPath, ['-r', 'ts-node/register/transpile-only', 'demos/index.ts', ...args], { cwd: root, env: childEnv, timeout: 60_000 });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

describe('demo 13: agent', () => {
  let server: FakeOpenAIServer;
  let offline: ReturnType<typeof runDemo>;
  let online: ReturnType<typeof runDemo>;
  beforeAll(async () => {
    // A hosted model as the fake server plays it: two tool calls whose arguments arrive in pieces, then the answer.
    server = await startFakeOpenAIServer({
      turn: (body) =>
        body.messages.some((m) => m.role === 'tool')
          ? { text: 'Python 3.0 发布于 2008 年；再过 16 年是 2024 年。' }
          : { toolCalls: [{ name: 'python_release', arguments: { version: '3.0' } }, { name: 'add', arguments: { a: 2008, b: 16 } }] },
    });
    // Two child processes, started together (each loads ts-node, LangChain and langchain).
    offline = runDemo(['agent']);
    online = runDemo(['agent'], { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: server.baseURL });
  });
  afterAll(() => server.close());

  it('offline: each tool call with its arguments, the result, then the answer, in that order', async () => {
    const written = await runInProcess([]);
    expect(written.split('\n')).toEqual([
      '=== Agent 流式输出 (工具: add, python_release) ===',
      `用户: ${QUESTION}`,
      '思考: 要回答这个问题，先查 Python 3.0 的发布日期，再用 add 计算。',
      '🔧 调用 python_release {"version":"3.0"}',
      '   ↳ 结果: {"version":"3.0","released":"2008-12-03"}',
      '🔧 调用 add {"a":2008,"b":16}',
      '   ↳ 结果: 2024',
      'AI: Python 3.0 于 2008 年 12 月 3 日发布。2008 + 16 = 2024，所以再过 16 年是 2024 年。 🐍',
      expect.stringMatching(/^\[完成: 3 次模型调用, 2 次工具调用, \d+ tokens, stop\]$/),
      '',
      '',
    ]);
  });

  it('takes the question from the command line', async () => {
    const written = await runInProcess(['Python', '2.0', '和', '3.0', '相隔几年？']);
    expect(written).toContain('🔧 调用 python_release {"version":"2.0"}\n🔧 调用 python_release {"version":"3.0"}\n   ↳ 结果:');
    expect(written).toContain('🔧 调用 add {"a":2008,"b":-2000}\n   ↳ 结果: 8');
    expect(written).toContain('两个版本相隔 8 年');
  });

  it('model text cannot drive the terminal: no escape or control character reaches it', async () => {
    let written = '';
    const out = Object.assign(Object.create(null) as NodeJS.WritableStream, { write: (s: string) => ((written += s), true) });
    const model = new ScriptedChatModel({ reply: '\x1b]0;pwned\x07\x1b[2J红\x1b[31m色\x07' });
    await demo.run({ model, description: 'offline', offline: true, out, color: false }, ['hi']);
    // The tokens split the sequences, so their printable remains show as text, but nothing is an escape any more.
    expect(written).toMatch(/AI: .*红.*色\n/);
    expect(written).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
  });

  it('npm run demo -- agent runs it offline and --help lists it as 13', async () => {
    const { stdout, stderr, code } = await offline;
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('Model: offline ScriptedChatModel');
    expect(stdout).toContain('   ↳ 结果: 2024\nAI: Python 3.0 于 2008 年 12 月 3 日发布。');
    expect(DEMOS.find((d) => d.seed === '13')).toBe(demo);
    expect(demo.interactive).toBeUndefined(); // part of the tour
  }, 60_000);

  it('runs the same code on an OpenAI-compatible endpoint (OPENAI_*): the real tools answer the real model', async () => {
    const { stdout, stderr, code } = await online;
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('Model: ChatOpenAI gpt-4o-mini at');
    // Parallel calls: both calls, then both results.
    expect(stdout).toContain(
      '🔧 调用 python_release {"version":"3.0"}\n🔧 调用 add {"a":2008,"b":16}\n   ↳ 结果: {"version":"3.0","released":"2008-12-03"}\n   ↳ 结果: 2024\n',
    );
    expect(stdout).toContain('AI: Python 3.0 发布于 2008 年；再过 16 年是 2024 年。');
    expect(server.requests).toHaveLength(2);
    expect((server.requests[0].body.tools as Array<{ function: { name: string } }>).map((t) => t.function.name)).toEqual(['add', 'python_release']);
    expect(server.requests[1].body.messages.filter((m) => m.role === 'tool').map((m) => m.content)).toEqual(['{"version":"3.0","released":"2008-12-03"}', '2024']);
  }, 60_000);
});
