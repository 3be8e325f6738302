/**
 * `rxjs-langchain chat` as a user runs it: bin/rxjs-langchain.js in a child process, through
 * real pipes and signals. One child at a time (each loads TypeScript and LangChain); the
 * behaviour of the chat itself is specified in process by chat.spec.ts.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replyTo } from '../../src/offline/cannedReplies';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../../src/testing/fakeOpenAIServer';
import { killChild, useCleanup } from '../support/cleanup';
import { TS_NODE_CACHE } from '../support/tsNode';

const cleanup = useCleanup();

const root = join(__dirname, '../..');
jest.setTimeout(120_000); // a cold start loads TypeScript and LangChain; nothing here measures time

let dir: string;
const running = new Set<ChildProcessWithoutNullStreams>();
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rxlc-chat-process-'));
});
afterAll(() => {
  for (const child of running) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function start(args: string[], env: NodeJS.ProcessEnv, nodeArgs: string[] = []) {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', RXJS_LANGCHAIN_CLI: 'source', DEMO_LATENCY: '0', ...env };
  if (!env.OPENAI_API_KEY) delete childEnv.OPENAI_API_KEY;
  const child = spawn(process.execPath, [...TS_NODE_CACHE, ...nodeArgs, join(root, 'bin/rxjs-langchain.js'), 'chat', ...args], { cwd: dir, env: childEnv });
  running.add(child);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => (running.delete(child), resolve(code))));
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return { child, exited, stderr: () => stderr };
}

describe('bin/rxjs-langchain.js chat (child process)', () => {
  let server: FakeOpenAIServer;
  afterEach(() => server?.close());

  it('streams a reply; a process-level SIGINT mid-reply stops it (the request is aborted) and the chat goes on', async () => {
    server = await startFakeOpenAIServer({ chunkDelayMs: 30 });
    const { child, exited, stderr } = start(['--history-file', join(dir, 'sigint.jsonl')], { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: server.baseURL });
    let stdout = '';
    const seen = (text: string): Promise<void> =>
      new Promise((resolve) => {
        const check = (): void => void (stdout.includes(text) && (child.stdout.off('data', check), resolve()));
        child.stdout.on('data', check);
        check();
      });
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stdin.write('详细介绍Python的历史和发展\n');
    await seen(replyTo('详细介绍Python的历史和发展').slice(0, 12));
    child.kill('SIGINT');
    await seen('[已停止]');
    expect((await server.waitForClose(0, 60_000)).closedByClient).toBe(true);
    child.stdin.end('讲一个笑话\n');
    expect(await exited).toBe(0);
    expect(stdout).toContain(`你: 讲一个笑话\nAI: ${replyTo('讲一个笑话')}`);
    expect(stdout.endsWith('再见！\n')).toBe(true);
    expect(stderr()).toBe('');
  });

  it('output is not lost when stdout is a pipe read late: 1 MB in, all of it (echo, answer, farewell) out, exit code 0', async () => {
    // A shell pipeline, as in `… | rxjs-langchain chat | (sleep 12; wc -c)`: the reader starts only
    // once the chat has exited (it writes its exit code to a file), or after 3 s if it cannot exit
    // because its output has not been read yet, which is what must happen.
    const code = join(dir, 'code');
    const script =
      `{ "${process.execPath}" ${TS_NODE_CACHE.map((a) => `"${a}"`).join(' ')} "${join(root, 'bin/rxjs-langchain.js')}" chat --history-file "${join(dir, 'pipe.jsonl')}"; echo $? > "${code}"; }` +
      ` | { i=0; while [ ! -e "${code}" ] && [ $i -lt 30 ]; do sleep 0.1; i=$((i+1)); done; cat; }`;
    const shell = spawn('/bin/sh', ['-c', script], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', RXJS_LANGCHAIN_CLI: 'source', DEMO_LATENCY: '0', OPENAI_API_KEY: '' },
    });
    cleanup(killChild(shell));
    const chunks: Buffer[] = [];
    let stderr = '';
    shell.stdout.on('data', (d: Buffer) => chunks.push(d));
    shell.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const question = 'q'.repeat(2 ** 20);
    shell.stdin.end(question + '\n');
    await new Promise((resolve) => shell.on('close', resolve));
    const out = Buffer.concat(chunks).toString('utf8');
    expect(stderr).toBe('');
    expect(readFileSync(code, 'utf8').trim()).toBe('0');
    // Booleans and sizes, not the megabyte itself, in a failure message.
    expect({ bytes: Buffer.concat(chunks).length > 2 ** 20, echo: out.includes(`你: ${question}\nAI: `), farewell: out.endsWith('再见！\n') })
      .toEqual({ bytes: true, echo: true, farewell: true });
  });

  it('stdout closed by its reader mid-reply (`| head -1`): the turn ends quietly (request aborted, nothing saved), exit 0', async () => {
    server = await startFakeOpenAIServer({ chunkDelayMs: 30 });
    const history = join(dir, 'epipe.jsonl');
    const { child, exited, stderr } = start(['--history-file', history], { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: server.baseURL });
    let stdout = '';
    const question = '详细介绍Python的历史和发展';
    const reply = replyTo(question);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      // Like `head`, the reader goes away once it has seen what it wanted: here, part of the reply.
      if (stdout.includes(reply.slice(0, 12))) child.stdout.destroy();
    });
    child.stdin.write(question + '\n'); // stdin stays open: only the closed stdout may end the chat
    expect(await exited).toBe(0);
    expect(stderr()).toBe('');
    expect((await server.waitForClose(0, 60_000)).closedByClient).toBe(true); // the model stopped
    expect(server.requests[0].chunksWritten).toBeLessThan(server.requests[0].chunksTotal);
    expect(readFileSync(history, 'utf8')).toBe(''); // nothing partial saved as complete
  });

  it('OPENAI_API_KEY set but @langchain/openai not installed: one line that says to install it, exit 1', async () => {
    const { child, exited, stderr } = start(
      ['--history-file', join(dir, 'missing.jsonl')],
      { OPENAI_API_KEY: 'sk-test', HIDE_MODULES: '@langchain/openai' },
      ['-r', join(root, 'specs/support/hideModules.js')],
    );
    child.stdin.end();
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    expect(await exited).toBe(1);
    expect(stderr()).toBe('rxjs-langchain chat: OPENAI_API_KEY is set, but @langchain/openai is not installed; install it with `npm install @langchain/openai`.\n');
    expect(stdout).toBe('');
  });
});
