/**
 * The demo runner (`npm run demo`). The demos run in this process, offline with zero latency
 * (or against the fake OpenAI server), one after another: no child per demo, no wall-clock
 * figure. One child process runs the tour the way a user does. Demos at their real latency are
 * in `npm run test:demos` (specs/demos/*.demos.ts).
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { main } from '../../demos/index';
import { createCliModel } from '../../src/cli/model';
import { replyTo } from '../../src/offline/cannedReplies';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../../src/testing/fakeOpenAIServer';
import { Capture } from '../support/chatHarness';
import { useCleanup } from '../support/cleanup';
import { closeServer } from '../support/http';
import { TS_NODE } from '../support/tsNode';

const cleanup = useCleanup();

const root = join(__dirname, '../..');

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Runs the demo runner in this process on captured streams, offline and with zero latency unless `env` says otherwise. */
export async function runDemo(args: string[], env: NodeJS.ProcessEnv = {}, tty = false): Promise<RunResult & { out: Capture }> {
  const out = new Capture(tty);
  const err = new Capture();
  const code = await main(args, { out: out as never, err, env: { DEMO_LATENCY: '0', NO_COLOR: tty ? '' : '1', ...env } });
  return { stdout: out.data, stderr: err.data, code, out };
}

const chars = (s: string): number => [...s].length;

/** The output of one demo of the tour, between its `── <seed> …` header and the next. */
function section(tour: string, seed: string): string {
  const start = tour.indexOf(`── ${seed} `);
  if (start < 0) throw new Error(`the tour has no section ${seed}:\n${tour}`);
  const next = tour.indexOf('\n── ', start + 1);
  return tour.slice(start, next < 0 ? undefined : next);
}

let server: FakeOpenAIServer;
let tour: RunResult;
beforeAll(async () => {
  server = await startFakeOpenAIServer();
  tour = await runDemo([]);
});
afterAll(() => server.close());

describe('demo runner', () => {
  it('--help lists every demo with its example number', async () => {
    const { stdout, code } = await runDemo(['--help']);
    expect(code).toBe(0);
    for (const [seed, name] of [['1.1', 'stream'], ['1.2', 'chain'], ['2.1', 'collect'], ['2.2', 'filter'], ['3.2', 'progress'], ['4.1', 'async'], ['4.2', 'concurrent'], ['6.1', 'latency'], ['8.1', 'session']]) {
      expect(stdout).toMatch(new RegExp(`${seed.replace('.', '\\.')}\\s+${name}\\s`));
    }
    expect(stdout).toMatch(/3\.1\s+chat\s.*\(interactive\)/);
    expect(stdout).toMatch(/5\.1\s+sse\s.*\(interactive\)/);
    expect(stdout).toMatch(/5\.2\s+websocket\s.*\(interactive\)/);
    expect(stdout.match(/^ {2}\d\.\d/gm)).toHaveLength(12);
  });

  it('the tour runs every non-interactive demo and none of the interactive ones', () => {
    const seeds = [...tour.stdout.matchAll(/^── (\d\.\d) /gm)].map((m) => m[1]);
    expect(seeds).toEqual(['1.1', '1.2', '2.1', '2.2', '3.2', '4.1', '4.2', '6.1', '8.1']);
  });

  it('exits 2 with the list for an unknown demo', async () => {
    const { stderr, code } = await runDemo(['nope']);
    expect(code).toBe(2);
    expect(stderr).toContain('Unknown demo "nope"');
    expect(stderr).toContain('Usage: npm run demo');
  });

  it('the tour runs offline, says which model it uses, and writes no escape codes when piped', () => {
    expect(tour.stderr).toBe('');
    expect(tour.code).toBe(0);
    expect(tour.stdout).toContain('Model: offline ScriptedChatModel');
    expect(tour.stdout).not.toContain('\x1b');
  });

  it('1.1 streams the whole canned reply', () => {
    expect(section(tour.stdout, '1.1')).toContain(replyTo('讲一个关于Python的笑话'));
  });

  it('1.2 streams a prompt → model chain', () => {
    expect(section(tour.stdout, '1.2')).toContain(replyTo('讲一个关于程序员的故事'));
  });

  it('2.1 prints the reply and its length in code points', () => {
    const out = section(tour.stdout, '2.1');
    const reply = replyTo('Python的特点是什么？');
    expect(out).toContain(reply);
    expect(out).toContain(`完整响应长度: ${chars(reply)} 字符`);
  });

  it('2.2 stops before the forbidden word: no "J", "Ja" or "Jav" after the safe text', () => {
    const out = section(tour.stdout, '2.2');
    const reply = replyTo('介绍一下Python');
    const cut = reply.indexOf('Java');
    expect(cut).toBeGreaterThan(0); // the canned reply does mention Java
    const body = out.slice(out.indexOf('AI: ') + 4, out.indexOf('[检测到敏感内容'));
    expect(body.trimEnd()).toBe(reply.slice(0, cut).trimEnd());
    expect(body).not.toMatch(/J/);
    expect(out).toContain('[检测到敏感内容: Java，停止输出]');
    expect(out).toMatch(/模型请求已中止/);
    expect(out).not.toContain(reply.slice(cut + 4, cut + 20));
  });

  it('2.2 takes other forbidden words from the command line', async () => {
    const { stdout, code } = await runDemo(['filter', '大括号']);
    expect(code).toBe(0);
    const reply = replyTo('介绍一下Python');
    const cut = reply.indexOf('大括号');
    const body = stdout.slice(stdout.indexOf('AI: ') + 4, stdout.indexOf('[检测到敏感内容'));
    expect(body.trimEnd()).toBe(reply.slice(0, cut).trimEnd());
    expect(body).not.toContain('大');
  });

  it('3.2 reports progress each time 50 characters are crossed, then a done event', () => {
    const out = section(tour.stdout, '3.2');
    const reply = replyTo('详细介绍Python的历史和发展');
    const marks = [...out.matchAll(/ \[(\d+)字\]/g)].map((m) => Number(m[1]));
    expect(marks.map((n) => Math.floor(n / 50))).toEqual(Array.from({ length: Math.floor(chars(reply) / 50) }, (_, i) => i + 1));
    expect(out.replace(/ \[\d+字\]/g, '')).toContain(reply);
    expect(out).toMatch(new RegExp(`\\[完成: ${chars(reply)}字符, \\d+词`));
  });

  it('3.2 on a terminal keeps "AI: " in place: the status line makes room without a newline or carriage return', async () => {
    const { stdout, code } = await runDemo(['progress'], {}, true);
    expect(code).toBe(0);
    const afterPrefix = stdout.slice(stdout.indexOf('AI: ') + 4);
    const reply = replyTo('详细介绍Python的历史和发展');
    const beforeText = afterPrefix.slice(0, afterPrefix.indexOf(reply.slice(0, 6)));
    expect(beforeText.startsWith('\x1bD\x1bM\x1b7\x1b[1;23r\x1b8')).toBe(true); // IND, RI, save, scroll region, restore
    expect(beforeText).not.toMatch(/[\r\n]/);
    expect(stdout).toMatch(/\x1b7\x1b\[24;1H\x1b\[2K\[\d+字 · \d+词 · [\d.]+秒\]\x1b8/);
  });

  it('4.1 consumes the same stream with await and with for await', () => {
    const out = section(tour.stdout, '4.1');
    const reply = replyTo('Python有什么特点？');
    expect(out).toContain('(await lastValueFrom)');
    expect(out).toContain('(for await)');
    expect(out.split(reply)).toHaveLength(3);
    expect(out.split(`完成，共 ${chars(reply)} 字符`)).toHaveLength(3);
  });

  it('4.2 streams three questions concurrently as labelled lines, then statistics in question order', () => {
    const out = section(tour.stdout, '4.2');
    const questions = ['什么是Python？', '什么是JavaScript？', '什么是Rust？'];
    questions.forEach((q, i) => {
      expect(out).toContain(`[问题${i + 1}] ${q}`);
      const lane = out.split('\n').filter((l) => l.startsWith(`[回答${i + 1}] `) && !l.endsWith('✓')).map((l) => l.slice(`[回答${i + 1}] `.length));
      expect(lane.join('\n')).toBe(replyTo(q));
    });
    const stats = out.slice(out.indexOf('=== 完成统计 ==='));
    expect([...stats.matchAll(/问题(\d): (\d+) 字符/g)].map((m) => [m[1], Number(m[2])])).toEqual(
      questions.map((q, i) => [String(i + 1), chars(replyTo(q))]),
    );
  });

  it('6.1 compares invoke and stream (same reply length)', () => {
    const out = section(tour.stdout, '6.1');
    const n = chars(replyTo('详细介绍Python的历史和发展'));
    expect(out.match(new RegExp(`响应长度: ${n} 字符`, 'g'))).toHaveLength(2);
    expect(out).toMatch(/感知延迟降低: (-?[\d.]+%|-)/);
  });

  it('8.1 runs three turns with callbacks and a result per turn (chunks with content, 首字)', () => {
    const out = section(tour.stdout, '8.1');
    const turns = ['介绍Python', '它有什么特点？', '适合什么场景？'];
    for (const q of turns) expect(out).toContain(`用户: ${q}\nAI: ${replyTo(q)}`);
    expect(out.match(/\[完成: \d+块, [\d.]+秒\]/g)).toHaveLength(3);
    turns.forEach((q, i) => expect(out).toMatch(new RegExp(`第${i + 1}轮: ${chars(replyTo(q))} 字符, \\d+ 块, 首字 [\\d.]+秒`)));
    expect(out).toContain('历史: 6 条消息 (human, ai, human, ai, human, ai)');
  });

  it('8.1 over the wire: each turn carries the whole previous answers; 块 counts only text chunks (no role or finish chunk)', async () => {
    const before = server.requests.length;
    const { code, stdout } = await runDemo(['session'], { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: server.baseURL });
    expect(code).toBe(0);
    expect(stdout).toContain(`Model: ChatOpenAI gpt-4o-mini at ${server.baseURL}`);
    const third = server.requests[before + 2].body.messages;
    expect(third.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user', 'assistant', 'user']);
    expect(third[2].content).toBe(replyTo('介绍Python'));
    expect(third[4].content).toBe(replyTo('它有什么特点？'));
    const counts = [...stdout.matchAll(/第\d轮: \d+ 字符, (\d+) 块/g)].map((m) => Number(m[1]));
    expect(counts).toEqual(server.requests.slice(before, before + 3).map((r) => r.chunksTotal)); // the same as offline
  });

  it('OPENAI_API_KEY / OPENAI_BASE_URL / OPENAI_MODEL switch the demos to ChatOpenAI at that endpoint', async () => {
    const before = server.requests.length;
    const { stdout, code } = await runDemo(['stream'], { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: server.baseURL, OPENAI_MODEL: 'qwen2.5' });
    expect(code).toBe(0);
    expect(stdout).toContain(`Model: ChatOpenAI qwen2.5 at ${server.baseURL}`);
    expect(stdout).toContain(replyTo('讲一个关于Python的笑话'));
    expect(server.requests).toHaveLength(before + 1);
    expect(server.requests[before].body).toMatchObject({ model: 'qwen2.5', stream: true });
  });

  it('5.1 --once: SSE framing survives newlines in the reply', async () => {
    const { stdout, code } = await runDemo(['sse', '--once']);
    expect(code).toBe(0);
    expect(stdout).toContain('HTTP 200 text/event-stream');
    expect(stdout).toContain('data: {"text":"\\n"}');
    const reply = replyTo('介绍Python');
    expect(stdout).toContain(`(${chars(reply)} 字符, 含 ${reply.split('\n').length - 1} 个换行) ===\n${reply}\n`);
    expect(stdout).toMatch(/event: done\nid: \d+\ndata: \{"chunks":\d+\}/);
  });

  it('5.2 --once: two questions over one WebSocket session', async () => {
    const { stdout, code } = await runDemo(['websocket', '--once']);
    expect(code).toBe(0);
    expect(stdout).toContain(`你: 介绍Python\nAI: ${replyTo('介绍Python')}\n[done turn 0]`);
    expect(stdout).toContain(`你: 它有什么特点？\nAI: ${replyTo('它有什么特点？')}\n[done turn 1]`);
  });
});

describe('demo errors are the CLI description: cause, URL, hint; one line, one prefix', () => {
  it('an unreachable endpoint', async () => {
    const down = await startFakeOpenAIServer();
    const baseURL = down.baseURL;
    await down.close();
    const { stdout, stderr, code } = await runDemo(['stream'], { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: baseURL });
    expect(code).toBe(1);
    expect(stdout).toContain(`Model: ChatOpenAI gpt-4o-mini at ${baseURL}`);
    expect(stderr).toBe(`✖ Error: Cannot reach ${baseURL} (ECONNREFUSED); is the server running and OPENAI_BASE_URL right?\n`);
  });

  it('a busy port says how to pick another (--port / PORT)', async () => {
    const busy: Server = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    cleanup(() => closeServer(busy));
    const port = (busy.address() as AddressInfo).port;
    for (const args of [['sse', '--port', String(port)], ['websocket']]) {
      const { stderr, code } = await runDemo(args, { PORT: String(port) });
      expect(code).toBe(1);
      expect(stderr).toBe(`✖ Error: Port ${port} is already in use; pick another with --port <n> or PORT=<n> (0 picks a free one).\n`);
    }
  });

  it('OPENAI_API_KEY set without @langchain/openai installed: one line saying what to install', () => {
    const load = (name: string): never => {
      throw Object.assign(new Error(`Cannot find module '${name}'`), { code: 'MODULE_NOT_FOUND' });
    };
    expect(() => createCliModel({ OPENAI_API_KEY: 'sk' }, { load })).toThrow(
      'OPENAI_API_KEY is set, but @langchain/openai is not installed; install it with `npm install @langchain/openai`.',
    );
    expect(createCliModel({}, { load }).offline).toBe(true); // offline needs neither package
  });
});

describe('the model cannot drive the terminal through a demo', () => {
  it.each([['stream'], ['concurrent'], ['session']])('%s: ESC[2J, ESC]0;, ESC]52;, ESC]8;; are shown, not obeyed', async (name) => {
    const attack = await startFakeOpenAIServer({ reply: '开始\x1b[2J\x1b]0;标题\x07\x1b]52;c;eA==\x07\x1b]8;;http://evil.example\x1b\\链接\x1b]8;;\x1b\\\u009b结束' });
    cleanup(() => attack.close());
    const { stdout, code } = await runDemo([name], { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: attack.baseURL });
    expect(code).toBe(0);
    expect(stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    expect(stdout).toContain('␛]0;标题␇');
  });
});

describe('npm run demo as a user runs it (one child process)', () => {
  it('the tour exits 0, prints every section, no stderr, no escape codes when piped', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, DEMO_LATENCY: '0', NO_COLOR: '1' };
    delete env.OPENAI_API_KEY;
    const { stdout, stderr, code } = await new Promise<RunResult>((resolve) => {
      execFile(process.execPath, [...TS_NODE, 'demos/index.ts'], { cwd: root, env, maxBuffer: 16 * 1024 * 1024 }, (err, out, errOut) =>
        resolve({ stdout: out, stderr: errOut, code: err ? Number((err as { code?: number }).code ?? 1) : 0 }),
      );
    });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect([...stdout.matchAll(/^── (\d\.\d) /gm)].map((m) => m[1])).toEqual(['1.1', '1.2', '2.1', '2.2', '3.2', '4.1', '4.2', '6.1', '8.1']);
    expect(stdout).not.toContain('\x1b');
    expect(stdout).toContain('历史: 6 条消息');
  }, 120_000);
});
