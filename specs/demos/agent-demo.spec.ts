import { startFakeOpenAIServer, type FakeOpenAIServer } from '../../src/testing/fakeOpenAIServer';
import { ScriptedChatModel } from '../../src/offline/ScriptedChatModel';
import { demo, QUESTION } from '../../demos/13-agent';
import { DEMOS, main } from '../../demos';
import { createDemoModel, type DemoModel } from '../../demos/model';

/** A writable that keeps what the demo wrote (not a TTY, so no escapes). */
function capture(): { out: NodeJS.WritableStream; text: () => string } {
  let written = '';
  const out = Object.assign(Object.create(null) as NodeJS.WritableStream, { write: (s: string) => ((written += s), true), isTTY: false });
  return { out, text: () => written };
}

/** Runs the demo in this process, as `npm run demo -- agent` does, on the given model (default: offline, zero latency). */
async function runInProcess(args: string[], model: DemoModel = { model: new ScriptedChatModel(), description: 'offline', offline: true }): Promise<string> {
  const { out, text } = capture();
  await demo.run({ ...model, out, color: false, env: {} }, args);
  return text();
}

describe('demo 13: agent', () => {
  let server: FakeOpenAIServer;
  beforeAll(async () => {
    // A hosted model as the fake server plays it: two tool calls whose arguments arrive in pieces, then the answer.
    server = await startFakeOpenAIServer({
      turn: (body) =>
        body.messages.some((m) => m.role === 'tool')
          ? { text: 'Python 3.0 发布于 2008 年；再过 16 年是 2024 年。' }
          : { toolCalls: [{ name: 'python_release', arguments: { version: '3.0' } }, { name: 'add', arguments: { a: 2008, b: 16 } }] },
    });
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
    const model = new ScriptedChatModel({ reply: '\x1b]0;pwned\x07\x1b[2J红\x1b[31m色\x07' });
    const written = await runInProcess(['hi'], { model, description: 'offline', offline: true });
    // Every control character is shown as its visible picture (safeText), none reaches the terminal.
    expect(written).toContain('AI: ␛]0;pwned␇␛[2J红␛[31m色␇\n');
    expect(written).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
  });

  it('is demo 13 of npm run demo, part of the tour, listed by --help', async () => {
    expect(DEMOS.find((d) => d.seed === '13')).toBe(demo);
    expect(demo.interactive).toBeUndefined(); // part of the tour (demo-runner.spec runs it)
    const { out, text } = capture();
    expect(await main(['--help'], { out })).toBe(0);
    expect(text()).toMatch(/^ {2}13\s+agent\s+an agent with two tools/m);
  });

  it('runs the same code on an OpenAI-compatible endpoint (OPENAI_*): the real tools answer the real model', async () => {
    const model = createDemoModel({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: server.baseURL });
    expect(model.description).toBe(`ChatOpenAI gpt-4o-mini at ${server.baseURL}`);
    const written = await runInProcess([], model);
    // Parallel calls: both calls, then both results.
    expect(written).toContain(
      '🔧 调用 python_release {"version":"3.0"}\n🔧 调用 add {"a":2008,"b":16}\n   ↳ 结果: {"version":"3.0","released":"2008-12-03"}\n   ↳ 结果: 2024\n',
    );
    expect(written).toContain('AI: Python 3.0 发布于 2008 年；再过 16 年是 2024 年。');
    expect(server.requests).toHaveLength(2);
    expect((server.requests[0].body.tools as Array<{ function: { name: string } }>).map((t) => t.function.name)).toEqual(['add', 'python_release']);
    expect(server.requests[1].body.messages.filter((m) => m.role === 'tool').map((m) => m.content)).toEqual(['{"version":"3.0","released":"2008-12-03"}', '2024']);
  });
});
