import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replyTo } from '../../src/offline/cannedReplies';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../../src/testing/fakeOpenAIServer';

const root = join(__dirname, '../..');

const running = new Set<ChildProcessWithoutNullStreams>();

/** `rxjs-langchain chat` as a child process, driven through stdin/stdout. */
class Chat {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;

  constructor(args: string[], env: NodeJS.ProcessEnv) {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', RXJS_LANGCHAIN_CLI: 'source', ...env };
    if (!env.OPENAI_API_KEY) delete childEnv.OPENAI_API_KEY;
    this.child = spawn(process.execPath, [join(root, 'bin/rxjs-langchain.js'), 'chat', ...args], { cwd: root, env: childEnv });
    this.child.stdout.setEncoding('utf8').on('data', (d: string) => (this.stdout += d));
    this.child.stderr.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    running.add(this.child);
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => (running.delete(this.child), resolve(code))));
  }

  /** Resolves when stdout (from `from` on) contains `text` `times` times. */
  async waitFor(text: string, { from = 0, times = 1, timeoutMs = 40_000 } = {}): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.stdout.slice(from).split(text).length - 1 < times) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${JSON.stringify(text)}; stdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
      if (this.child.exitCode !== null) throw new Error(`exited (${this.child.exitCode}) before ${JSON.stringify(text)}; stdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  send(line: string): void {
    this.child.stdin.write(line + '\n');
  }

  /** Ctrl-D. */
  async end(): Promise<number | null> {
    this.child.stdin.end();
    return this.exited;
  }
}

const PROMPT = '你: ';
let dir: string;
const servers: FakeOpenAIServer[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rxlc-chat-'));
});
afterAll(async () => {
  for (const child of running) child.kill('SIGKILL'); // a failed test must not leave a chat waiting on stdin
  await Promise.all(servers.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});
async function server(options: Parameters<typeof startFakeOpenAIServer>[0] = {}): Promise<FakeOpenAIServer> {
  const s = await startFakeOpenAIServer(options);
  servers.push(s);
  return s;
}
const openai = (s: FakeOpenAIServer): NodeJS.ProcessEnv => ({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: s.baseURL });
type Stored = { type: string; data: { content: string } };
/** The history file: FileChatMessageHistory's JSON Lines, one stored message per line. */
const storedFile = (name: string): Stored[] =>
  readFileSync(join(dir, name), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Stored);
const writeStored = (name: string, turns: string[]): void =>
  writeFileSync(join(dir, name), turns.flatMap((q) => [{ type: 'human', data: { content: q } }, { type: 'ai', data: { content: replyTo(q) } }]).map((m) => JSON.stringify(m) + '\n').join(''));

// Each test is its own process; they run side by side (cold start of a chat ≈ 2–4 s of CPU).
jest.setTimeout(60_000);

describe('rxjs-langchain chat (child process, stdin/stdout)', () => {
  test.concurrent('streams two replies; the second request carries the first question and the whole first answer', async () => {
    const s = await server();
    const chat = new Chat(['--history-file', join(dir, 'two.jsonl')], openai(s));
    await chat.waitFor(PROMPT);
    expect(chat.stdout).toContain(`Model: ChatOpenAI gpt-4o-mini at ${s.baseURL}`);
    chat.send('介绍Python');
    await chat.waitFor(PROMPT, { times: 2 });
    chat.send('它有什么特点？');
    await chat.waitFor(PROMPT, { times: 3 });
    expect(await chat.end()).toBe(0);

    expect(chat.stdout).toContain(`AI: ${replyTo('介绍Python')}`);
    expect(chat.stdout).toContain(`AI: ${replyTo('它有什么特点？')}`);
    const messages = s.requests[1].body.messages;
    expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(messages[0].content).toBe('你是专业的Python助手');
    expect(messages[1].content).toBe('介绍Python');
    expect(messages[2].content).toBe(replyTo('介绍Python')); // the merged reply, not the last chunk
    expect(messages[3].content).toBe('它有什么特点？');
    expect(chat.stdout).not.toContain('\x1b');
    expect(chat.stderr).toBe('');
  });

  test.concurrent('Ctrl-C (SIGINT) mid-reply stops it, aborts the request, keeps the process and saves nothing of that turn', async () => {
    const s = await server({ tokenMs: 40 });
    const chat = new Chat(['--history-file', join(dir, 'sigint.jsonl')], openai(s));
    await chat.waitFor(PROMPT);
    chat.send('详细介绍Python的历史和发展');
    const reply = replyTo('详细介绍Python的历史和发展');
    await chat.waitFor(reply.slice(0, 12)); // streaming has begun
    chat.child.kill('SIGINT');
    await chat.waitFor('[已停止]');
    const record = await s.waitForClose(0, 5_000);
    expect(record.closedByClient).toBe(true); // the abort reached the wire
    expect(record.chunksWritten).toBeLessThan(record.chunksTotal);
    expect(chat.stdout).not.toContain(reply.slice(-20));

    await chat.waitFor(PROMPT, { times: 2 });
    expect(chat.child.exitCode).toBeNull(); // still running
    chat.send('适合什么场景？');
    await chat.waitFor(replyTo('适合什么场景？'));
    await chat.waitFor(PROMPT, { times: 3 });
    expect(await chat.end()).toBe(0);
    // the stopped turn is not in the history the next request saw, nor in the file
    expect(s.requests[1].body.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(storedFile('sigint.jsonl').map((m) => m.data.content)).toEqual(['适合什么场景？', replyTo('适合什么场景？')]);
  });

  test.concurrent('SIGINT at an idle prompt exits', async () => {
    const chat = new Chat(['--history-file', join(dir, 'idle.jsonl')], { DEMO_LATENCY: '0' });
    await chat.waitFor(PROMPT);
    chat.child.kill('SIGINT');
    expect(await chat.exited).toBe(0);
    expect(chat.stdout).toContain('再见！');
  });

  test.concurrent('the history file is reloaded by the next run and sent to the model; /history shows it; /clear empties it', async () => {
    const file = join(dir, 'reload.jsonl');
    const first = new Chat(['--history-file', file], { DEMO_LATENCY: '0' });
    first.send('介绍Python');
    await first.waitFor(PROMPT, { times: 2 });
    expect(await first.end()).toBe(0);
    expect(storedFile('reload.jsonl').map((m) => m.type)).toEqual(['human', 'ai']);

    const s = await server();
    const second = new Chat(['--history-file', file, '--system', '你是助手'], openai(s));
    await second.waitFor(PROMPT);
    expect(second.stdout).toContain('(2 messages');
    second.send('/history');
    await second.waitFor('[2 messages; the model sees the last 2');
    expect(second.stdout).toContain('你: 介绍Python');
    expect(second.stdout).toContain('AI: Python 是一种高级');
    second.send('它有什么特点？');
    await second.waitFor(replyTo('它有什么特点？'));
    second.send('/clear');
    await second.waitFor('[history cleared]');
    expect(await second.end()).toBe(0);
    expect(s.requests[0].body.messages).toEqual([
      { role: 'system', content: '你是助手' },
      { role: 'user', content: '介绍Python' },
      { role: 'assistant', content: replyTo('介绍Python') },
      { role: 'user', content: '它有什么特点？' },
    ]);
    expect(storedFile('reload.jsonl')).toEqual([]);
  });

  test.concurrent('--max-history limits what the model sees; --system is literal text (braces are not template variables)', async () => {
    const file = join(dir, 'window.jsonl');
    const turns = ['介绍Python', '它有什么特点？', '适合什么场景？'];
    writeStored('window.jsonl', turns);
    const s = await server();
    const chat = new Chat(['--history-file', file, '--max-history', '2', '--system', '用 {json} 回答'], openai(s));
    chat.send('讲一个笑话');
    await chat.waitFor(PROMPT, { times: 2 });
    expect(await chat.end()).toBe(0);
    expect(s.requests[0].body.messages.map((m) => m.content)).toEqual(['用 {json} 回答', '适合什么场景？', replyTo('适合什么场景？'), '讲一个笑话']);
    expect(storedFile('window.jsonl')).toHaveLength(8); // the file keeps everything
  });

  test.concurrent('errors print one line, the session goes on and no history is lost', async () => {
    const file = join(dir, 'errors.jsonl');
    writeStored('errors.jsonl', ['介绍Python']);
    const s = await server({ faults: [{ type: 'status', status: 401, message: 'Incorrect API key provided' }, null] });
    const chat = new Chat(['--history-file', file], openai(s));
    chat.send('它有什么特点？');
    await chat.waitFor(PROMPT, { times: 2 });
    const errorLines = chat.stdout.split('\n').filter((l) => l.includes('Error'));
    expect(errorLines).toEqual(['✖ Error: The API key was rejected (HTTP 401); check OPENAI_API_KEY.']);
    chat.send('它有什么特点？');
    await chat.waitFor(replyTo('它有什么特点？'));
    await chat.waitFor(PROMPT, { times: 3 });
    expect(await chat.end()).toBe(0);
    expect(s.requests[1].body.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(storedFile('errors.jsonl').map((m) => m.data.content)).toEqual(['介绍Python', replyTo('介绍Python'), '它有什么特点？', replyTo('它有什么特点？')]);
  });

  test.concurrent('an unreachable endpoint is one clear line, not a crash', async () => {
    const s = await startFakeOpenAIServer();
    const baseURL = s.baseURL;
    await s.close(); // nothing listens on that port now
    const chat = new Chat(['--history-file', join(dir, 'down.jsonl')], { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: baseURL });
    chat.send('介绍Python');
    await chat.waitFor(PROMPT, { times: 2 });
    expect(chat.child.exitCode).toBeNull();
    expect(await chat.end()).toBe(0);
    expect(chat.stdout).toMatch(new RegExp(`✖ Error: Cannot reach ${baseURL.replace(/[.]/g, '\\.')}.*\\n`));
  });

  test.concurrent('bad options exit 2 with the usage; --help exits 0', async () => {
    const bad = new Chat(['--max-history', 'lots'], { DEMO_LATENCY: '0' });
    expect(await bad.exited).toBe(2);
    expect(bad.stderr).toContain('--max-history must be an integer >= 0, got "lots"');
    expect(bad.stderr).toContain('Usage: rxjs-langchain chat');
    const help = new Chat(['--help'], {});
    expect(await help.exited).toBe(0);
    expect(help.stdout).toContain('--history-file');
  });
});
