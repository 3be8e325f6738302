import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { replyTo } from '../../src/testing/cannedReplies';

const run = promisify(execFile);
const root = join(__dirname, '../..');

/** Runs `npm run demo -- <args>` the way a user does, offline and with zero latency. */
export async function runDemo(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string; stderr: string; code: number }> {
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

describe('demo runner', () => {
  it('--help lists every demo with its tutorial example number', async () => {
    const { stdout, code } = await runDemo(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/1\.1\s+stream\s/);
    expect(stdout).toMatch(/1\.2\s+chain\s/);
  });

  it('runs example 1.1 offline and streams the whole canned reply', async () => {
    const { stdout, code } = await runDemo(['stream']);
    expect(code).toBe(0);
    expect(stdout).toContain('Model: offline ScriptedChatModel');
    expect(stdout).toContain(replyTo('讲一个关于Python的笑话'));
  });

  it('runs example 1.2 (prompt → model chain) offline', async () => {
    const { stdout, code } = await runDemo(['1.2']);
    expect(code).toBe(0);
    expect(stdout).toContain(replyTo('讲一个关于程序员的故事'));
  });

  it('exits 2 with the list for an unknown demo', async () => {
    const { stderr, code } = await runDemo(['nope']);
    expect(code).toBe(2);
    expect(stderr).toContain('Unknown demo "nope"');
  });
});
