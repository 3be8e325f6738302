import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { replyTo } from '../../src/testing/cannedReplies';

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
beforeAll(() => {
  tour = runDemo([]);
  help = runDemo(['--help']);
  unknown = runDemo(['nope']);
  filterOther = runDemo(['filter', '大括号']);
});

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
});
