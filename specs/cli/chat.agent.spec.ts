/**
 * `rxjs-langchain chat --agent`, in process (specs/support/chatHarness): the offline agent by
 * default, a real endpoint (the fake OpenAI server) via OPENAI_*. Each tool call shows while its
 * arguments stream, then its result, then the answer; the whole run is saved in the history file;
 * a cut run is an error line and saves nothing; model text reaches the terminal through safeText.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AIMessage, ToolMessage } from '@langchain/core/messages';
import { FileChatMessageHistory } from '../../src/node';
import { ScriptedChatModel } from '../../src/offline';
import { createCliAgent } from '../../src/cli/agent';
import { parseChatArgs, AGENT_SYSTEM, DEFAULT_SYSTEM } from '../../src/cli/args';
import { MissingPackageError } from '../../src/cli/model';
import { startFakeOpenAIServer, type FakeChatRequest, type FakeFault, type FakeOpenAIServer } from '../../src/testing/fakeOpenAIServer';
import { Session } from '../support/chatHarness';

const PROMPT = '你: ';
const Q = 'Python 3.0 是哪一年发布的？再过 16 年是哪一年？';
const OFFLINE_ANSWER = 'Python 3.0 于 2008 年 12 月 3 日发布。2008 + 16 = 2024，所以再过 16 年是 2024 年。 🐍';
/** C0 (but \n \t), DEL and C1 controls: none may reach the terminal from the model. */
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;
jest.setTimeout(180_000); // a loaded machine; no test measures time

let dir: string;
const servers: FakeOpenAIServer[] = [];
const sessions: Session[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rxlc-agent-'));
});
afterAll(async () => {
  sessions.forEach((s) => s.input.end());
  await Promise.all(sessions.map((s) => s.exited));
  await Promise.all(servers.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});
function chat(args: string[], env: NodeJS.ProcessEnv): Session {
  const s = new Session(['--agent', '--no-approval', ...args], { NO_COLOR: '1', ...env }); // approvals: chat.approval.spec.ts
  sessions.push(s);
  return s;
}
async function server(turn: (body: FakeChatRequest) => object, faults?: Array<FakeFault | null>): Promise<FakeOpenAIServer> {
  const s = await startFakeOpenAIServer({ turn: turn as never, faults });
  servers.push(s);
  return s;
}
const openai = (s: FakeOpenAIServer): NodeJS.ProcessEnv => ({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: s.baseURL });
const stored = async (name: string) =>
  (await new FileChatMessageHistory(join(dir, name)).getMessages()).map((m) => [
    m.getType(), m.text, (m as AIMessage).tool_calls?.map((c) => `${c.name} ${JSON.stringify(c.args)}`) ?? [], (m as ToolMessage).tool_call_id ?? '',
  ]);
/** The lines of the answer to one question: from the echoed question to the next prompt. */
const turnLines = (output: string, question: string) => output.slice(output.indexOf(`${PROMPT}${question}`)).split('\n').slice(1);

describe('rxjs-langchain chat --agent', () => {
  test('offline: each tool call with its arguments, its result, then the answer; the run is saved whole and sent as context next turn', async () => {
    const c = chat(['--history-file', join(dir, 'offline.jsonl')], { DEMO_LATENCY: '0' });
    await c.waitFor(PROMPT);
    expect(c.output.data).toContain('=== 流式聊天机器人 (Agent 工具: add, python_release) ===');
    expect(c.output.data).toContain('Model: offline ScriptedChatModel');
    c.send(Q);
    await c.waitFor(PROMPT, { times: 2 });
    expect(turnLines(c.output.data, Q).slice(0, 8)).toEqual([
      '思考: 要回答这个问题，先查 Python 3.0 的发布日期，再用 add 计算。',
      '🔧 调用 python_release {"version":"3.0"}',
      '   ↳ 结果: {"version":"3.0","released":"2008-12-03"}',
      '🔧 调用 add {"a":2008,"b":16}',
      '   ↳ 结果: 2024',
      `AI: ${OFFLINE_ANSWER}`,
      '',
      PROMPT,
    ]);
    expect(await stored('offline.jsonl')).toEqual([
      ['human', Q, [], ''],
      ['ai', '', ['python_release {"version":"3.0"}'], ''],
      ['tool', '{"version":"3.0","released":"2008-12-03"}', [], expect.stringMatching(/^call_/)],
      ['ai', '', ['add {"a":2008,"b":16}'], ''],
      ['tool', '2024', [], expect.stringMatching(/^call_/)],
      ['ai', OFFLINE_ANSWER, [], ''],
    ]);
    // Each result answers the call before it, as the next request needs.
    const saved = await new FileChatMessageHistory(join(dir, 'offline.jsonl')).getMessages();
    expect((saved[2] as ToolMessage).tool_call_id).toBe((saved[1] as AIMessage).tool_calls![0].id);
    expect((saved[4] as ToolMessage).tool_call_id).toBe((saved[3] as AIMessage).tool_calls![0].id);
    c.send('/history');
    await c.waitFor('[6 messages');
    expect(c.output.data).toContain('AI: 🔧 add {"a":2008,"b":16}');
    expect(c.output.data).toContain('   ↳ 2024');
    c.send('Python 2.0 和 3.0 相隔几年？');
    await c.waitFor('两个版本相隔 8 年');
    expect(await c.end()).toBe(0);
    expect((await stored('offline.jsonl')).map(([type]) => type)).toEqual([
      'human', 'ai', 'tool', 'ai', 'tool', 'ai', 'human', 'ai', 'tool', 'tool', 'ai', 'tool', 'ai',
    ]);
    expect(c.errorOutput.data).toBe('');
  });

  test('a real endpoint via OPENAI_*: the tools go to the model, arguments stream in fragments, the next request carries the run', async () => {
    const s = await server((body) =>
      body.messages.some((m) => m.role === 'tool')
        ? { text: 'Python 3.0 发布于 2008 年；再过 16 年是 2024 年。' }
        : { toolCalls: [{ id: 'call_r', name: 'python_release', arguments: { version: '3.0' } }, { id: 'call_a', name: 'add', arguments: { a: 2008, b: 16 } }] },
    );
    const c = chat(['--history-file', join(dir, 'openai.jsonl')], openai(s));
    c.send('Python 3.0 哪年发布？再过 16 年呢？');
    await c.waitFor(PROMPT, { times: 2 });
    expect(turnLines(c.output.data, 'Python 3.0 哪年发布？再过 16 年呢？').slice(0, 5)).toEqual([
      '🔧 调用 python_release {"version":"3.0"}',
      '🔧 调用 add {"a":2008,"b":16}',
      '   ↳ 结果: {"version":"3.0","released":"2008-12-03"}',
      '   ↳ 结果: 2024',
      'AI: Python 3.0 发布于 2008 年；再过 16 年是 2024 年。',
    ]);
    const first = s.requests[0].body as FakeChatRequest & { tools?: Array<{ function: { name: string } }> };
    expect(first.tools?.map((t) => t.function.name).sort()).toEqual(['add', 'python_release']);
    expect(first.messages[0].role).toBe('system');
    expect(JSON.stringify(first.messages[0].content)).toContain(AGENT_SYSTEM);
    c.send('谢谢');
    await c.waitFor(PROMPT, { times: 3 });
    expect(await c.end()).toBe(0);
    expect(s.requests[2].body.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'tool', 'assistant', 'user']);
  });

  test('a response cut inside the tool call arguments: an error line, the turn is not saved, the chat goes on', async () => {
    const s = await server(
      (body) => (body.messages.some((m) => m.role === 'tool') ? { text: '答案是 2024 年。' } : { toolCalls: [{ id: 'call_a', name: 'add', arguments: { a: 2008, b: 16 } }] }),
      [{ type: 'end-early', afterChunks: 2 }],
    );
    const c = chat(['--history-file', join(dir, 'cut.jsonl')], openai(s));
    c.send('2008 加 16？');
    await c.waitFor('✖ Error:');
    await c.waitFor(PROMPT, { times: 2 });
    const lines = turnLines(c.output.data, '2008 加 16？');
    expect(lines[0]).toMatch(/^🔧 调用 add \{"a"/); // the arguments the user saw before the cut
    expect(lines.find((l) => l.startsWith('✖ Error:'))).toMatch(/ended before it finished|cut|interrupted/i);
    expect(await stored('cut.jsonl')).toEqual([]);
    c.send('再问一次');
    await c.waitFor('答案是 2024 年。');
    expect(await c.end()).toBe(0);
    expect((await stored('cut.jsonl')).map(([type, text]) => [type, text])[0]).toEqual(['human', '再问一次']);
  });

  test('model text with control sequences (answer, reasoning, tool arguments) reaches the terminal through safeText', async () => {
    const s = await server((body) =>
      body.messages.some((m) => m.role === 'tool')
        ? { reasoning: 'think \x1b]0;pwned\x07 hard', text: 'red \x1b[31mtext\x1b[0m \x9b2J done' }
        : {
            reasoning: 'plan \x1b[2J first',
            toolCalls: [{ name: 'add', arguments: { a: 1, b: 2 } }, { name: 'add\x1b[1m', arguments: '{"a":1}\x1b[2J', fragments: ['{"a":1', '}\x1b[2J'] }],
          },
    );
    const c = chat(['--history-file', join(dir, 'controls.jsonl')], openai(s));
    c.send('q');
    await c.waitFor(PROMPT, { times: 2 });
    expect(await c.end()).toBe(0);
    expect(c.output.data).toContain('done');
    expect(c.output.data).toContain('↳ 结果: 3');
    expect(c.output.data).not.toMatch(CONTROLS);
    expect(c.output.data).toContain('␛'); // shown, not obeyed
  });

  test('Ctrl-C while a tool runs stops the turn (the tool is aborted) and saves nothing', async () => {
    // Offline, the tools take as long as the first chunk: 1 s, time enough to press Ctrl-C.
    const c = chat(['--history-file', join(dir, 'stop.jsonl')], { DEMO_LATENCY: '1000,0' });
    c.send(Q);
    await c.waitFor('🔧 调用 python_release {"version":"3.0"}\n');
    c.signals.emit('SIGINT');
    await c.waitFor('[已停止]');
    expect(c.output.data).not.toContain('↳ 结果');
    expect(await stored('stop.jsonl')).toEqual([]);
    expect(await c.end()).toBe(0);
  });
});

describe('--agent options', () => {
  it('--agent uses the agent system prompt unless --system is given', () => {
    expect(parseChatArgs(['--agent'], {})).toMatchObject({ agent: true, system: AGENT_SYSTEM });
    expect(parseChatArgs(['--agent', '--system', 'x'], {})).toMatchObject({ agent: true, system: 'x' });
    expect(parseChatArgs([], {})).toMatchObject({ agent: false, system: DEFAULT_SYSTEM });
  });

  it('without langchain installed, --agent says what to install', () => {
    const load = (name: string): never => {
      throw Object.assign(new Error(`Cannot find module '${name}'`), { code: 'MODULE_NOT_FOUND' });
    };
    expect(() => createCliAgent(new ScriptedChatModel(), AGENT_SYSTEM, load)).toThrow(MissingPackageError);
    expect(() => createCliAgent(new ScriptedChatModel(), AGENT_SYSTEM, load)).toThrow(
      '--agent needs createAgent, but langchain is not installed; install it with `npm install langchain`.',
    );
  });
});
