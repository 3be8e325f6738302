import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { replyTo } from '../../src/offline/cannedReplies';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../../src/testing/fakeOpenAIServer';

const run = promisify(execFile);
const root = join(__dirname, '../..');

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Runs `npm run demo -- <args>` the way a user does, offline and with zero latency. */
export async function runDemo(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, DEMO_LATENCY: '0', NO_COLOR: '1', ...env };
  delete childEnv.OPENAI_API_KEY;
  if (env.OPENAI_API_KEY) childEnv.OPENAI_API_KEY = env.OPENAI_API_KEY;
  try {
    const { stdout, stderr } = await run(process.execPath, ['-r', 'ts-node/register/transpile-only', 'demos/index.ts', ...args], {
      cwd: root,
      env: childEnv,
      timeout: 60_000,
    });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

const chars = (s: string): number => [...s].length;

/** The output of one demo of the tour, between its `── <seed> …` header and the next. */
function section(tour: string, seed: string): string {
  const start = tour.indexOf(`── ${seed} `);
  if (start < 0) throw new Error(`the tour has no section ${seed}:\n${tour}`);
  const next = tour.indexOf('\n── ', start + 1);
  return tour.slice(start, next < 0 ? undefined : next);
}

// The child processes start in parallel (each one loads LangChain, ~3 s); the tests read their results.
let tour: Promise<RunResult>;
let help: Promise<RunResult>;
let unknown: Promise<RunResult>;
let filterOther: Promise<RunResult>;
let sse: Promise<RunResult>;
let ws: Promise<RunResult>;
let realisticLatency: Promise<RunResult>;
let sessionOnServer: Promise<RunResult>;
let server: FakeOpenAIServer;
beforeAll(async () => {
  server = await startFakeOpenAIServer();
  tour = runDemo([]);
  help = runDemo(['--help']);
  unknown = runDemo(['nope']);
  filterOther = runDemo(['filter', '大括号']);
  sse = runDemo(['sse', '--once']);
  ws = runDemo(['websocket', '--once']);
  realisticLatency = runDemo(['latency'], { DEMO_LATENCY: '' }); // the demos' default latency
  sessionOnServer = runDemo(['session'], { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: server.baseURL });
});
afterAll(() => server.close());

describe('demo runner', () => {
  it('--help lists every demo with its tutorial example number', async () => {
    const { stdout, code } = await help;
    expect(code).toBe(0);
    expect(stdout).toMatch(/1\.1\s+stream\s/);
    expect(stdout).toMatch(/1\.2\s+chain\s/);
    expect(stdout).toMatch(/2\.1\s+collect\s/);
    expect(stdout).toMatch(/2\.2\s+filter\s/);
    expect(stdout).toMatch(/3\.2\s+progress\s/);
    expect(stdout).toMatch(/4\.1\s+async\s/);
    expect(stdout).toMatch(/3\.1\s+chat\s.*\(interactive\)/);
    expect(stdout).toMatch(/4\.2\s+concurrent\s/);
    expect(stdout).toMatch(/5\.1\s+sse\s.*\(interactive\)/);
    expect(stdout).toMatch(/5\.2\s+websocket\s.*\(interactive\)/);
    expect(stdout).toMatch(/6\.1\s+latency\s/);
    expect(stdout).toMatch(/8\.1\s+session\s/);
    expect(stdout.match(/^ {2}\d\.\d/gm)).toHaveLength(12); // all twelve tutorial examples
  });

  it('the tour runs every non-interactive demo and none of the interactive ones', async () => {
    const { stdout } = await tour;
    const seeds = [...stdout.matchAll(/^── (\d\.\d) /gm)].map((m) => m[1]);
    expect(seeds).toEqual(['1.1', '1.2', '2.1', '2.2', '3.2', '4.1', '4.2', '6.1', '8.1']);
  });

  it('exits 2 with the list for an unknown demo', async () => {
    const { stderr, code } = await unknown;
    expect(code).toBe(2);
    expect(stderr).toContain('Unknown demo "nope"');
    expect(stderr).toContain('Usage: npm run demo');
  });

  it('the tour runs offline, says which model it uses, and writes no escape codes when piped', async () => {
    const { stdout, stderr, code } = await tour;
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('Model: offline ScriptedChatModel');
    expect(stdout).not.toContain('\x1b');
  });

  it('1.1 streams the whole canned reply', async () => {
    expect(section((await tour).stdout, '1.1')).toContain(replyTo('讲一个关于Python的笑话'));
  });

  it('1.2 streams a prompt → model chain', async () => {
    expect(section((await tour).stdout, '1.2')).toContain(replyTo('讲一个关于程序员的故事'));
  });

  it('2.1 prints the reply and its length in code points', async () => {
    const out = section((await tour).stdout, '2.1');
    const reply = replyTo('Python的特点是什么？');
    expect(out).toContain(reply);
    expect(out).toContain(`完整响应长度: ${chars(reply)} 字符`);
  });

  it('2.2 stops before the forbidden word: no "J", "Ja" or "Jav" after the safe text', async () => {
    const out = section((await tour).stdout, '2.2');
    const reply = replyTo('介绍一下Python');
    const cut = reply.indexOf('Java');
    expect(cut).toBeGreaterThan(0); // the canned reply does mention Java
    const body = out.slice(out.indexOf('AI: ') + 4, out.indexOf('[检测到敏感内容'));
    expect(body.trimEnd()).toBe(reply.slice(0, cut).trimEnd());
    expect(body).not.toMatch(/J/);
    expect(out).toContain('[检测到敏感内容: Java，停止输出]');
    expect(out).toMatch(/模型请求已中止/);
    expect(out).not.toContain(reply.slice(cut + 4, cut + 20)); // nothing after the word either
  });

  it('2.2 takes other forbidden words from the command line', async () => {
    const { stdout, code } = await filterOther;
    expect(code).toBe(0);
    const reply = replyTo('介绍一下Python');
    const cut = reply.indexOf('大括号');
    const body = stdout.slice(stdout.indexOf('AI: ') + 4, stdout.indexOf('[检测到敏感内容'));
    expect(body.trimEnd()).toBe(reply.slice(0, cut).trimEnd());
    expect(body).not.toContain('大');
  });

  it('3.2 reports progress each time 50 characters are crossed, then a done event', async () => {
    const out = section((await tour).stdout, '3.2');
    const reply = replyTo('详细介绍Python的历史和发展');
    const marks = [...out.matchAll(/ \[(\d+)字\]/g)].map((m) => Number(m[1]));
    // one report per multiple of 50 crossed, each at or just past it
    expect(marks.map((n) => Math.floor(n / 50))).toEqual(Array.from({ length: Math.floor(chars(reply) / 50) }, (_, i) => i + 1));
    expect(out.replace(/ \[\d+字\]/g, '')).toContain(reply);
    expect(out).toMatch(new RegExp(`\\[完成: ${chars(reply)}字符, \\d+词`));
  });

  it('4.1 consumes the same stream with await and with for await', async () => {
    const out = section((await tour).stdout, '4.1');
    const reply = replyTo('Python有什么特点？');
    expect(out).toContain('(await lastValueFrom)');
    expect(out).toContain('(for await)');
    expect(out.split(reply)).toHaveLength(3);
    expect(out.split(`完成，共 ${chars(reply)} 字符`)).toHaveLength(3);
  });

  it('4.2 streams three questions concurrently as labelled lines, then statistics in question order', async () => {
    const out = section((await tour).stdout, '4.2');
    const questions = ['什么是Python？', '什么是JavaScript？', '什么是Rust？'];
    questions.forEach((q, i) => {
      expect(out).toContain(`[问题${i + 1}] ${q}`);
      // piped: whole lines, each prefixed with its lane's label, never mixed with another lane
      const lane = out.split('\n').filter((l) => l.startsWith(`[回答${i + 1}] `) && !l.endsWith('✓')).map((l) => l.slice(`[回答${i + 1}] `.length));
      expect(lane.join('\n')).toBe(replyTo(q));
    });
    const stats = out.slice(out.indexOf('=== 完成统计 ==='));
    expect([...stats.matchAll(/问题(\d): (\d+) 字符/g)].map((m) => [m[1], Number(m[2])])).toEqual(
      questions.map((q, i) => [String(i + 1), chars(replyTo(q))]),
    );
  });

  it('6.1 compares invoke and stream (same reply length)', async () => {
    const out = section((await tour).stdout, '6.1');
    const n = chars(replyTo('详细介绍Python的历史和发展'));
    expect(out.match(new RegExp(`响应长度: ${n} 字符`, 'g'))).toHaveLength(2);
    expect(out).toMatch(/感知延迟降低: [\d.]+%/);
  });

  it('6.1 with the default (realistic) latency shows the first streamed text far sooner than invoke', async () => {
    const { stdout, code } = await realisticLatency;
    expect(code).toBe(0);
    const [invokeFirst, streamFirst] = [...stdout.matchAll(/首字时间: ([\d.]+)秒/g)].map((m) => Number(m[1]));
    expect(streamFirst).toBeLessThan(invokeFirst / 2);
    expect(Number(/感知延迟降低: ([\d.]+)%/.exec(stdout)![1])).toBeGreaterThan(50);
  }, 60_000);

  it('8.1 runs three turns with callbacks and a result per turn', async () => {
    const out = section((await tour).stdout, '8.1');
    const turns = ['介绍Python', '它有什么特点？', '适合什么场景？'];
    for (const q of turns) expect(out).toContain(`用户: ${q}\nAI: ${replyTo(q)}`);
    expect(out.match(/\[完成: \d+块, [\d.]+秒\]/g)).toHaveLength(3); // onComplete, once per turn
    turns.forEach((q, i) => expect(out).toMatch(new RegExp(`第${i + 1}轮: ${chars(replyTo(q))} 字符, \\d+ 块`)));
    expect(out).toContain('历史: 6 条消息 (human, ai, human, ai, human, ai)');
  });

  it('8.1 sends each turn with the whole previous answers in its history (checked on the wire)', async () => {
    const { code, stdout } = await sessionOnServer;
    expect(code).toBe(0);
    expect(stdout).toContain(`Model: ChatOpenAI gpt-4o-mini at ${server.baseURL}`);
    const third = server.requests[2].body.messages;
    expect(third.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user', 'assistant', 'user']);
    expect(third[2].content).toBe(replyTo('介绍Python'));
    expect(third[4].content).toBe(replyTo('它有什么特点？'));
  });

  it('5.1 --once: SSE framing survives newlines in the reply', async () => {
    const { stdout, code } = await sse;
    expect(code).toBe(0);
    expect(stdout).toContain('HTTP 200 text/event-stream');
    expect(stdout).toContain('data: {"text":"\\n"}'); // a newline travels inside JSON, not as a frame break
    const reply = replyTo('介绍Python');
    expect(stdout).toContain(`(${chars(reply)} 字符, 含 ${reply.split('\n').length - 1} 个换行) ===\n${reply}\n`);
    expect(stdout).toMatch(/event: done\nid: \d+\ndata: \{"chunks":\d+\}/);
  });

  it('5.2 --once: two questions over one WebSocket session', async () => {
    const { stdout, code } = await ws;
    expect(code).toBe(0);
    expect(stdout).toContain(`你: 介绍Python\nAI: ${replyTo('介绍Python')}\n[done turn 0]`);
    expect(stdout).toContain(`你: 它有什么特点？\nAI: ${replyTo('它有什么特点？')}\n[done turn 1]`);
  });
});
