import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replyTo } from '../../src/offline/cannedReplies';
import { FileChatMessageHistory } from '../../src/node';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../../src/testing/fakeOpenAIServer';
import { Session } from '../support/chatHarness';

const PROMPT = '你: ';
jest.setTimeout(180_000); // many sessions share one process and a loaded machine; no test measures time
let dir: string;
const servers: FakeOpenAIServer[] = [];
const sessions: Session[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rxlc-chat-'));
});
afterAll(async () => {
  sessions.forEach((s) => s.input.end()); // a failed test must not leave a chat waiting on input
  await Promise.all(sessions.map((s) => s.exited));
  await Promise.all(servers.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});
async function server(options: Parameters<typeof startFakeOpenAIServer>[0] = {}): Promise<FakeOpenAIServer> {
  const s = await startFakeOpenAIServer(options);
  servers.push(s);
  return s;
}
function chat(args: string[], env: NodeJS.ProcessEnv, options?: { tty?: boolean }): Session {
  const s = new Session(args, { NO_COLOR: '1', ...env }, options);
  sessions.push(s);
  return s;
}
const openai = (s: FakeOpenAIServer): NodeJS.ProcessEnv => ({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: s.baseURL });
/** The history file as `type:text` strings, read the way the CLI reads it. */
const storedFile = async (name: string): Promise<string[]> =>
  (await new FileChatMessageHistory(join(dir, name)).getMessages()).map((m) => `${m.getType()}:${m.text}`);
const writeStored = (name: string, turns: string[]): void =>
  writeFileSync(join(dir, name), turns.flatMap((q) => [{ type: 'human', data: { content: q } }, { type: 'ai', data: { content: replyTo(q) } }]).map((m) => JSON.stringify(m) + '\n').join(''));
/** C0 (but \n \t), DEL and C1 controls: none may reach the terminal from the model. */
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

describe('rxjs-langchain chat on a pipe', () => {
  test.concurrent('streams two replies; the second request carries the first question and the whole first answer', async () => {
    const s = await server();
    const c = chat(['--history-file', join(dir, 'two.jsonl')], openai(s));
    await c.waitFor(PROMPT);
    expect(c.output.data).toContain(`Model: ChatOpenAI gpt-4o-mini at ${s.baseURL}`);
    c.send('介绍Python');
    await c.waitFor(PROMPT, { times: 2 }); // the prompt the question was echoed after, then the next one
    c.send('它有什么特点？');
    await c.waitFor(PROMPT, { times: 3 });
    expect(await c.end()).toBe(0);

    expect(c.output.data).toContain(`你: 介绍Python\nAI: ${replyTo('介绍Python')}`);
    expect(c.output.data).toContain(`AI: ${replyTo('它有什么特点？')}`);
    const messages = s.requests[1].body.messages;
    expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(messages[0].content).toBe('你是专业的Python助手');
    expect(messages[2].content).toBe(replyTo('介绍Python')); // the merged reply, not the last chunk
    expect(c.output.data).not.toContain('\x1b');
    expect(c.errorOutput.data).toBe('');
  });

  test.concurrent('Ctrl-C (SIGINT) mid-reply stops it, aborts the request, keeps the session and saves nothing of that turn', async () => {
    const s = await server({ chunkDelayMs: 20 });
    const c = chat(['--history-file', join(dir, 'sigint.jsonl')], openai(s));
    c.send('详细介绍Python的历史和发展');
    const reply = replyTo('详细介绍Python的历史和发展');
    await c.waitFor(reply.slice(0, 12)); // streaming has begun
    c.signals.emit('SIGINT');
    await c.waitFor('[已停止]');
    const record = await s.waitForClose(0, 60_000);
    expect(record.closedByClient).toBe(true); // the abort reached the wire
    expect(record.chunksWritten).toBeLessThan(record.chunksTotal);
    expect(c.output.data).not.toContain(reply.slice(-20));
    c.send('适合什么场景？');
    await c.waitFor(replyTo('适合什么场景？'));
    expect(await c.end()).toBe(0);
    expect(s.requests[1].body.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(await storedFile('sigint.jsonl')).toEqual(['human:适合什么场景？', `ai:${replyTo('适合什么场景？')}`]);
  });

  test.concurrent('SIGINT at an idle prompt exits', async () => {
    const c = chat(['--history-file', join(dir, 'idle.jsonl')], { DEMO_LATENCY: '0' });
    await c.waitFor(PROMPT);
    c.signals.emit('SIGINT');
    expect(await c.exited).toBe(0);
    expect(c.output.data).toContain('再见！');
  });

  test.concurrent('questions queued on the pipe are answered in order, each shown with its 你: line when its turn starts', async () => {
    const s = await server({ chunkDelayMs: 2 });
    const c = chat(['--history-file', join(dir, 'queue.jsonl')], openai(s));
    const questions = ['介绍Python', '它有什么特点？', '适合什么场景？'];
    c.input.write(questions.map((q) => q + '\n').join('')); // all at once, before the first reply
    expect(await c.end()).toBe(0);
    let at = 0;
    for (const q of questions) {
      const block = `你: ${q}\nAI: ${replyTo(q)}\n`;
      const found = c.output.data.indexOf(block, at);
      expect(found).toBeGreaterThanOrEqual(at); // question, then its answer, in order, never mixed
      at = found + block.length;
    }
  });

  test.concurrent('the history file is reloaded by the next run and sent to the model; /history shows it; /clear empties it', async () => {
    const file = join(dir, 'reload.jsonl');
    const first = chat(['--history-file', file], { DEMO_LATENCY: '0' });
    first.send('介绍Python');
    expect(await first.end()).toBe(0);
    expect(await storedFile('reload.jsonl')).toEqual(['human:介绍Python', `ai:${replyTo('介绍Python')}`]);

    const s = await server();
    const second = chat(['--history-file', file, '--system', '你是助手'], openai(s));
    await second.waitFor(PROMPT);
    expect(second.output.data).toContain('(2 messages');
    second.send('/history');
    await second.waitFor('[2 messages; the model sees the last 2');
    expect(second.output.data).toContain('你: 介绍Python');
    expect(second.output.data).toContain('AI: Python 是一种高级');
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
    expect(await storedFile('reload.jsonl')).toEqual([]);
  });

  test.concurrent('--max-messages limits what the model sees (--max-history still works); --system is literal text', async () => {
    const turns = ['介绍Python', '它有什么特点？', '适合什么场景？'];
    writeStored('window.jsonl', turns);
    writeStored('window-old.jsonl', turns);
    const s = await server();
    const c = chat(['--history-file', join(dir, 'window.jsonl'), '--max-messages', '2', '--system', '用 {json} 回答'], openai(s));
    c.send('讲一个笑话');
    expect(await c.end()).toBe(0);
    expect(s.requests[0].body.messages.map((m) => m.content)).toEqual(['用 {json} 回答', '适合什么场景？', replyTo('适合什么场景？'), '讲一个笑话']);
    expect(await storedFile('window.jsonl')).toHaveLength(8); // the file keeps everything
    const old = chat(['--history-file', join(dir, 'window-old.jsonl'), '--max-history', '2'], openai(s));
    old.send('讲一个笑话');
    expect(await old.end()).toBe(0);
    expect(s.requests[1].body.messages).toHaveLength(4);
  });

  test.concurrent('errors print one line with one prefix, the session goes on and no history is lost', async () => {
    writeStored('errors.jsonl', ['介绍Python']);
    const s = await server({ faults: [{ type: 'status', status: 401, message: 'Incorrect API key provided' }, null] });
    const c = chat(['--history-file', join(dir, 'errors.jsonl')], openai(s));
    c.send('它有什么特点？');
    await c.waitFor('✖ Error:');
    c.send('它有什么特点？');
    await c.waitFor(replyTo('它有什么特点？'));
    expect(await c.end()).toBe(0);
    const errorLines = c.output.data.split('\n').filter((l) => l.includes('Error'));
    expect(errorLines).toEqual(['✖ Error: The API key was rejected (HTTP 401); check OPENAI_API_KEY.']);
    expect(s.requests[1].body.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(await storedFile('errors.jsonl')).toEqual([
      'human:介绍Python', `ai:${replyTo('介绍Python')}`, 'human:它有什么特点？', `ai:${replyTo('它有什么特点？')}`,
    ]);
  });

  test.concurrent('a reply cut without a finish reason is an error line, not saved; --no-require-completion saves it', async () => {
    const s = await server({ faults: [{ type: 'end-early', afterChunks: 4 }, { type: 'end-early', afterChunks: 4 }] });
    const c = chat(['--history-file', join(dir, 'cut.jsonl')], openai(s));
    c.send('介绍Python');
    expect(await c.end()).toBe(0);
    expect(c.output.data).toMatch(/\n✖ Error: The reply was cut before the model finished it \(the stream ended without a finish reason\); this turn was not saved\. Ask again\.\n/);
    expect(await storedFile('cut.jsonl')).toEqual([]);

    const lenient = chat(['--history-file', join(dir, 'cut-lenient.jsonl'), '--no-require-completion'], openai(s));
    lenient.send('介绍Python');
    expect(await lenient.end()).toBe(0);
    expect(lenient.output.data).not.toContain('Error');
    expect(await storedFile('cut-lenient.jsonl')).toHaveLength(2);
  });

  test.concurrent('an unreachable endpoint is one clear line with the URL, not a crash', async () => {
    const s = await startFakeOpenAIServer();
    const baseURL = s.baseURL;
    await s.close(); // nothing listens on that port now
    const c = chat(['--history-file', join(dir, 'down.jsonl')], { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: baseURL });
    c.send('介绍Python');
    expect(await c.end()).toBe(0);
    expect(c.output.data).toMatch(new RegExp(`\\n✖ Error: Cannot reach ${baseURL.replace(/[.]/g, '\\.')} \\(ECONNREFUSED\\); is the server running and OPENAI_BASE_URL right\\?\\n`));
  });

  test.concurrent('a history file that stops working mid-chat is one line per turn with its path, one prefix (no "Error: Error:")', async () => {
    const file = join(dir, 'gone.jsonl');
    writeStored('gone.jsonl', ['介绍Python']);
    const c = chat(['--history-file', file], { DEMO_LATENCY: '0' });
    await c.waitFor(PROMPT);
    rmSync(file);
    mkdirSync(file); // replaced by a directory behind the chat's back
    c.send('它有什么特点？');
    expect(await c.end()).toBe(0);
    const errors = c.output.data.split('\n').filter((l) => l.includes('Error'));
    expect(errors).toEqual([`✖ Error: The history file ${file} cannot be used (EISDIR: illegal operation on a directory, read '${file}'); this turn was not saved. Check the file or pass --history-file.`]);
  });

  describe('the history file is checked at startup: one line, exit 1, nothing hangs or is overwritten', () => {
    test.concurrent('under /proc (mkdir never settles there)', async () => {
      const c = chat(['--history-file', '/proc/rxjs-langchain-nope/chat.jsonl'], { DEMO_LATENCY: '0' });
      expect(await c.exited).toBe(1);
      expect(c.errorOutput.data).toBe(
        'rxjs-langchain chat: cannot use the history file /proc/rxjs-langchain-nope/chat.jsonl: ' +
          "ENOENT: no such file or directory, mkdir '/proc/rxjs-langchain-nope' (pass --history-file or set RXJS_LANGCHAIN_HISTORY)\n",
      );
      expect(c.output.data).toBe('');
    });

    test.concurrent('a file that is not a chat history (a JSON array) is left as it is', async () => {
      const file = join(dir, 'array.json');
      writeFileSync(file, '[{"role":"user","content":"hi"}]');
      const c = chat(['--history-file', file], { DEMO_LATENCY: '0' });
      expect(await c.exited).toBe(1);
      expect(c.errorOutput.data.split('\n')).toEqual([`rxjs-langchain chat: Chat history file ${file} line 1 is not a stored message (expected a stored message {"type": …, "data": {…}} or {"messages": [stored messages]}); the file was left unchanged: fix or remove that line, or use another history file.`, '']);
      expect(readFileSync(file, 'utf8')).toBe('[{"role":"user","content":"hi"}]');
    });
  });

  test.concurrent('bad options exit 2 with the usage; --help exits 0', async () => {
    const bad = chat(['--max-messages', 'lots'], { DEMO_LATENCY: '0' });
    expect(await bad.exited).toBe(2);
    expect(bad.errorOutput.data).toContain('--max-messages must be an integer >= 0, got "lots"');
    expect(bad.errorOutput.data).toContain('Usage: rxjs-langchain chat');
    const help = chat(['--help'], {});
    expect(await help.exited).toBe(0);
    expect(help.output.data).toContain('--history-file');
    expect(help.output.data).toContain('--max-messages');
  });
});

describe('the model cannot drive the terminal', () => {
  const ATTACK = '看这里\x1b[2J\x1b[H清屏 \x1b]0;窗口标题\x07 \x1b]52;c;cm0gLXJmIH4=\x07 \x1b]8;;http://evil.example/\x1b\\链接\x1b]8;;\x1b\\ \u009b31m红\r完';

  test.concurrent.each([
    ['a pipe', false],
    ['a terminal', true],
  ])('on %s: ESC[2J, ESC]0;, ESC]52;, ESC]8;; from the fake server are written as visible text, in the reply and in /history', async (_name, tty) => {
    const s = await server({ reply: ATTACK });
    const c = chat(['--history-file', join(dir, `attack-${tty}.jsonl`)], { ...openai(s), NO_COLOR: '' }, { tty });
    c.send('hi');
    await c.waitFor('清屏');
    await c.waitFor(PROMPT, { times: 2 });
    const reply = c.output.visible.length;
    c.send('/history');
    await c.waitFor('[2 messages');
    if (tty) c.type('\x04');
    expect(await (tty ? c.exited : c.end())).toBe(0);
    const out = c.output.data;
    // Our own colours and cursor moves may be there on a terminal; nothing the model sent is.
    expect(out).not.toMatch(/\x1b\[2J|\x1b\[H|\x1b\]|\x07|\u009b|\r完/);
    if (!tty) expect(out).not.toMatch(CONTROLS);
    const shown = c.output.visible; // on a terminal, without the status line's redraws in between
    expect(shown.slice(0, reply)).toContain('看这里␛[2J␛[H清屏 ␛]0;窗口标题␇ ␛]52;c;cm0gLXJmIH4=␇ ␛]8;;http://evil.example/␛\\链接␛]8;;␛\\ \ufffd31m红完');
    expect(shown.slice(reply)).toContain('␛]0;窗口标题␇'); // /history too
    // The file keeps the reply exactly as the model sent it.
    expect(await storedFile(`attack-${tty}.jsonl`)).toEqual(['human:hi', `ai:${ATTACK}`]);
  });

  test.concurrent('a provider error message with escapes is neutralized too', async () => {
    const s = await server({ faults: [{ type: 'status', status: 500, message: 'boom\x1b]0;pwned\x07' }, { type: 'status', status: 500, message: 'boom\x1b]0;pwned\x07' }] });
    const c = chat(['--history-file', join(dir, 'attack-error.jsonl')], openai(s));
    c.send('hi');
    expect(await c.end()).toBe(0);
    expect(c.output.data).toContain('✖ Error: ');
    expect(c.output.data).toContain('boom␛]0;pwned␇');
    expect(c.output.data).not.toMatch(CONTROLS);
  });
});

describe('rxjs-langchain chat on a terminal', () => {
  test.concurrent('text typed during a reply is not echoed into it; it waits, then appears as the next 你: line and is answered', async () => {
    const s = await server({ chunkDelayMs: 15 });
    const c = chat(['--history-file', join(dir, 'typing.jsonl')], openai(s), { tty: true });
    await c.waitFor(PROMPT);
    expect(c.rawModes).toEqual([true]);
    c.send('介绍Python');
    const first = replyTo('介绍Python');
    const second = replyTo('适合什么场景？');
    await c.waitFor(first.slice(0, 10));
    const during = c.output.data.length;
    c.type('适合什么'); // typed while the reply streams…
    c.type('场景？\r'); // …and Enter
    const stats = `[${[...first].length} 字`;
    await c.waitFor(stats); // the first reply's statistics line
    expect(c.output.data.slice(during, c.output.data.indexOf(stats))).not.toContain('适合'); // nothing echoed into the reply
    await c.waitFor(second);
    const screen = c.output.visible;
    // The queued question appears at the prompt below the first reply's statistics when its turn starts, then its answer.
    const after = screen.slice(screen.indexOf(stats));
    expect(after).toMatch(new RegExp(`^\\[[^\\n]*\\]\\n\\n你: 适合什么场景？\\r?\\nAI: ${second.slice(0, 8)}`));
    c.type('\x04'); // Ctrl-D at the empty prompt
    expect(await c.exited).toBe(0);
    expect(c.rawModes).toEqual([true, false]); // the terminal is given back
    expect(await storedFile('typing.jsonl')).toEqual(['human:介绍Python', `ai:${first}`, 'human:适合什么场景？', `ai:${second}`]);
  });

  test.concurrent('lines typed ahead or pasted at once are taken one at a time: the second is echoed only after the first reply', async () => {
    const s = await server({ chunkDelayMs: 5 });
    const c = chat(['--history-file', join(dir, 'paste.jsonl')], openai(s), { tty: true });
    await c.waitFor(PROMPT);
    c.type('介绍Python\r/history\r'); // one chunk, as a paste arrives
    await c.waitFor('[2 messages');
    c.type('\x04');
    expect(await c.exited).toBe(0);
    const screen = c.output.visible;
    const reply = replyTo('介绍Python');
    expect(screen.indexOf('/history')).toBeGreaterThan(screen.indexOf(reply) + reply.length);
    expect(screen).toMatch(/\]\n\n你: \/history\r?\n/); // echoed at its own prompt, below the statistics
  });

  test.concurrent('Ctrl-C during a reply stops it (the request is aborted); the status line shows 首字 and the 块 count', async () => {
    const s = await server({ chunkDelayMs: 20, firstChunkDelayMs: 150 });
    const c = chat(['--history-file', join(dir, 'tty-stop.jsonl')], openai(s), { tty: true });
    await c.waitFor(PROMPT);
    c.send('详细介绍Python的历史和发展');
    await c.waitFor(replyTo('详细介绍Python的历史和发展').slice(0, 10));
    c.type('\x03');
    await c.waitFor('[已停止]');
    expect((await s.waitForClose(0, 60_000)).closedByClient).toBe(true);
    c.send('讲一个笑话');
    const joke = replyTo('讲一个笑话');
    await c.waitFor(`[${[...joke].length} 字 · `);
    c.type('\x04');
    expect(await c.exited).toBe(0);
    const stats = new RegExp(`\\[${[...joke].length} 字 · (\\d+) 块 · [\\d.]+ 块/s · 首字 (\\d+) ms`).exec(c.output.visible)!;
    expect(Number(stats[1])).toBe(s.requests[1].chunksTotal); // text chunks only, not the role or finish chunk
    expect(Number(stats[2])).toBeGreaterThanOrEqual(140); // the server waited 150 ms after its role chunk
    expect(c.output.data).toMatch(/\x1b7\x1b\[24;1H\x1b\[2K\d+ 字 · \d+ 词 · [\d.]+ 块\/s · 首字 \d+ ms · [\d.]+ s Ctrl-C 停止\x1b8/); // the live status line
    expect(await storedFile('tty-stop.jsonl')).toEqual(['human:讲一个笑话', `ai:${joke}`]);
  });
});
