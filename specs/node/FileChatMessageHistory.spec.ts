import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, of, toArray } from 'rxjs';
import { AIMessage, AIMessageChunk, HumanMessage, type BaseMessage } from '@langchain/core/messages';
import { FileChatMessageHistory } from '../../src/node/FileChatMessageHistory';
import { HistoryFileCorruptError, RxLangChainError } from '../../src/errors';
import { chatTurns } from '../../src/history/chatTurns';
import { TS_NODE } from '../support/tsNode';
import { killChild, useCleanup } from '../support/cleanup';

const dump = (messages: BaseMessage[]): string[] => messages.map((m) => `${m.getType()}:${m.content as string}`);
const stored = (type: string, content: string): string => JSON.stringify({ type, data: { content } });
const root = join(__dirname, '../..');

describe('FileChatMessageHistory', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rxlc-history-'));
    file = join(dir, 'nested', 'deeper', 'chat.jsonl');
  });
  const cleanup = useCleanup(); // before the afterEach below: the children go before their folder
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('survives a restart: a new instance on the same file reads everything back, usage_metadata included', async () => {
    const first = new FileChatMessageHistory(file);
    expect(await first.getMessages()).toEqual([]); // no file yet
    await first.addMessages([
      new HumanMessage('介绍Python'),
      new AIMessage({ content: 'Python 是一种语言 🐍', usage_metadata: { input_tokens: 4, output_tokens: 6, total_tokens: 10 } }),
    ]);
    await first.addMessage(new HumanMessage('它有什么特点？'));

    const restarted = new FileChatMessageHistory(file);
    const messages = await restarted.getMessages();
    expect(dump(messages)).toEqual(['human:介绍Python', 'ai:Python 是一种语言 🐍', 'human:它有什么特点？']);
    expect(messages[1]).toBeInstanceOf(AIMessage);
    expect((messages[1] as AIMessage).usage_metadata).toMatchObject({ input_tokens: 4, output_tokens: 6, total_tokens: 10 });
    // One record per addMessages call: the turn is one line, the single message another.
    const lines = (await readFile(file, 'utf8')).split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[0])).toMatchObject({ messages: [{ type: 'human' }, { type: 'ai' }] });
    expect(JSON.parse(lines[1])).toMatchObject({ type: 'human', data: { content: '它有什么特点？' } });
  });

  it('a turn is one record: a crash mid-write loses the whole turn, never leaves its question alone; the torn bytes stay', async () => {
    const history = new FileChatMessageHistory(file);
    await history.addMessages([new HumanMessage('q1'), new AIMessage('a1')]);
    const turn = JSON.stringify({ messages: [JSON.parse(stored('human', 'q2')), JSON.parse(stored('ai', '半句话，后面还有很多'))] });
    for (const cut of [12, turn.indexOf('"ai"') + 6, turn.length - 3]) {
      const path = join(dir, `torn-${cut}.jsonl`);
      await writeFile(path, (await readFile(file, 'utf8')) + turn.slice(0, cut)); // the process died inside write()
      const restarted = new FileChatMessageHistory(path);
      expect(dump(await restarted.getMessages())).toEqual(['human:q1', 'ai:a1']);
      await restarted.addMessages([new HumanMessage('q3'), new AIMessage('a3')]);
      // No two questions in a row, now or after another restart.
      expect(dump(await new FileChatMessageHistory(path).getMessages())).toEqual(['human:q1', 'ai:a1', 'human:q3', 'ai:a3']);
      const text = await readFile(path, 'utf8');
      expect(text).toContain(turn.slice(0, cut) + '\n'); // never truncated: the next record starts on its own line
    }
  });

  it('a last line without a trailing newline that parses is a complete line, kept when appending', async () => {
    await appendFile(join(dir, 'editor.jsonl'), `${stored('human', '你好')}\n${stored('ai', '你好！👋')}`); // saved by an editor
    const path = join(dir, 'editor.jsonl');
    const original = await readFile(path, 'utf8');
    const history = new FileChatMessageHistory(path);
    expect(dump(await history.getMessages())).toEqual(['human:你好', 'ai:你好！👋']);
    await history.addMessages([new HumanMessage('再见'), new AIMessage('再见！')]);
    expect(dump(await new FileChatMessageHistory(path).getMessages())).toEqual(['human:你好', 'ai:你好！👋', 'human:再见', 'ai:再见！']);
    expect((await readFile(path, 'utf8')).startsWith(original + '\n')).toBe(true);
  });

  describe('never destroys a file it did not write', () => {
    const foreign: Array<[string, string, number]> = [
      ['a JSON array on one line', JSON.stringify([{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }]), 1],
      ['a JSON array without a trailing newline', JSON.stringify([JSON.parse(stored('human', 'hi'))]) + '\n' + '[1, 2]', 1],
      ['plain text', 'Dear diary,\ntoday I chatted with a model.\n', 1],
      ['plain text, one line, no newline', 'notes', 1],
      ['OpenAI-style JSON Lines', '{"role":"user","content":"hi"}\n', 1],
      ['an unknown message type', `${stored('human', 'hi')}\n${stored('wizard', 'abracadabra')}\n`, 2],
      ['a bad line in the middle', `${stored('human', 'hi')}\nnot json\n${stored('ai', 'hello')}\n`, 2],
      ['a record broken in the middle (not cut at the end)', `${stored('human', 'hi')}\n{"type":"ai","data":{"content":"x"}}}\n`, 2],
    ];
    it.each(foreign)('%s: HistoryFileCorruptError (path, line) from every method, and the bytes are unchanged', async (_name, content, line) => {
      const path = join(dir, 'foreign.txt');
      await writeFile(path, content);
      const history = new FileChatMessageHistory(path);
      for (const attempt of [
        () => history.getMessages(),
        () => history.addMessages([new HumanMessage('q'), new AIMessage('a')]),
        () => history.addMessage(new HumanMessage('q')),
        () => history.clear(),
        () => history.ensureWritable(),
      ]) {
        const error = await attempt().then(() => undefined, (e: unknown) => e);
        expect(error).toBeInstanceOf(HistoryFileCorruptError);
        expect(error).toBeInstanceOf(RxLangChainError);
        expect(error).toMatchObject({ code: 'HISTORY_FILE_CORRUPT', filePath: path, line });
        expect((error as Error).message).toContain(`${path} line ${line}`);
      }
      expect(await readFile(path, 'utf8')).toBe(content);
    });

    it('an unknown message type says which type, not a raw "Got unexpected type"', async () => {
      const path = join(dir, 'wizard.jsonl');
      await writeFile(path, `${stored('wizard', 'x')}\n`);
      const error = (await new FileChatMessageHistory(path).getMessages().catch((e: unknown) => e)) as HistoryFileCorruptError;
      expect(error).toBeInstanceOf(HistoryFileCorruptError);
      expect(error.message).toMatch(/line 1 is not a stored message \(unknown message type "wizard"; expected one of human, ai/);
      expect(error.message).not.toContain("Got unexpected type");
    });
  });

  it('appends only: another instance (another process) appending is read incrementally; a rewritten file is read again', async () => {
    const a = new FileChatMessageHistory(file);
    const b = new FileChatMessageHistory(file);
    await a.addMessages([new HumanMessage('a-q1'), new AIMessage('a-a1')]);
    expect(dump(await b.getMessages())).toEqual(['human:a-q1', 'ai:a-a1']);
    await b.addMessages([new HumanMessage('b-q1'), new AIMessage('b-a1')]);
    await a.addMessages([new HumanMessage('a-q2'), new AIMessage('a-a2')]);
    const all = ['human:a-q1', 'ai:a-a1', 'human:b-q1', 'ai:b-a1', 'human:a-q2', 'ai:a-a2'];
    expect(dump(await a.getMessages())).toEqual(all);
    expect(dump(await b.getMessages())).toEqual(all);
    // b clears, then writes a longer file: a notices the rewrite instead of reading from its old offset.
    await b.clear();
    await b.addMessages([new HumanMessage('new-q'), new AIMessage('new-a'.repeat(40))]);
    expect(dump(await a.getMessages())).toEqual(['human:new-q', `ai:${'new-a'.repeat(40)}`]);
  });

  it('serializes concurrent appends of one instance in call order, and clear() empties the file', async () => {
    const history = new FileChatMessageHistory(file);
    await Promise.all(['1', '2', '3', '4'].map((n) => history.addMessages([new HumanMessage(`q${n}`), new AIMessage(`a${n}`)])));
    expect(dump(await history.getMessages())).toEqual(['1', '2', '3', '4'].flatMap((n) => [`human:q${n}`, `ai:a${n}`]));
    await history.clear();
    expect(await history.getMessages()).toEqual([]);
    expect(await readFile(file, 'utf8')).toBe('');
  });

  it('two processes appending at once lose nothing: every turn is there, whole, with its question right before its answer', async () => {
    const count = 60;
    const children = ['p1', 'p2'].map((name) =>
      spawn(process.execPath, [...TS_NODE, join(root, 'specs/support/historyAppender.ts'), file, name, String(count), '2', String(600 * 1024)], {
        cwd: root,
        stdio: ['pipe', 'pipe', 'pipe'],
      }),
    );
    children.forEach((child) => cleanup(killChild(child)));
    const stderr = children.map(() => '');
    children.forEach((child, i) => child.stderr.on('data', (d: Buffer) => (stderr[i] += d.toString())));
    // Both are loaded before either writes, so the appends overlap.
    await Promise.all(children.map((child) => new Promise<void>((resolve) => child.stdout.once('data', () => resolve()))));
    await new FileChatMessageHistory(file).ensureWritable();
    children.forEach((child) => child.stdin.write('go\n'));
    const codes = await Promise.all(children.map((child) => new Promise<number | null>((resolve) => child.on('exit', resolve))));
    expect({ codes, stderr }).toEqual({ codes: [0, 0], stderr: ['', ''] });

    const messages = await new FileChatMessageHistory(file).getMessages();
    expect(messages).toHaveLength(2 * 2 * count);
    for (let i = 0; i < messages.length; i += 2) {
      const q = String(messages[i].content);
      expect(messages[i].getType()).toBe('human');
      expect(messages[i + 1].getType()).toBe('ai');
      expect(String(messages[i + 1].content).startsWith(q.replace('-q', '-a'))).toBe(true);
    }
    for (const name of ['p1', 'p2']) {
      const questions = messages.filter((m) => String(m.content).startsWith(`${name}-q`)).map((m) => String(m.content));
      expect(questions).toEqual(Array.from({ length: count }, (_, i) => `${name}-q${i}`)); // in order, none lost
    }
  }, 120_000);

  it('an uncreatable path fails at once with the file system error (no hang), and nothing is created', async () => {
    const underProc = new FileChatMessageHistory('/proc/rxjs-langchain-nope/history.jsonl');
    await expect(underProc.ensureWritable()).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(underProc.addMessages([new HumanMessage('q')])).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await underProc.getMessages()).toEqual([]);

    await writeFile(join(dir, 'a-file'), 'x');
    const underFile = new FileChatMessageHistory(join(dir, 'a-file', 'sub', 'history.jsonl'));
    await expect(underFile.ensureWritable()).rejects.toMatchObject({ code: 'ENOTDIR' });
    expect(await readFile(join(dir, 'a-file'), 'utf8')).toBe('x');

    await expect(new FileChatMessageHistory(dir).getMessages()).rejects.toMatchObject({ code: 'EISDIR' });
  });

  it('ensureWritable() creates the directories and an empty file, and leaves an existing history as it is', async () => {
    const history = new FileChatMessageHistory(file);
    await history.ensureWritable();
    expect(await readFile(file, 'utf8')).toBe('');
    await history.addMessages([new HumanMessage('q'), new AIMessage('a')]);
    const before = await readFile(file, 'utf8');
    await new FileChatMessageHistory(file).ensureWritable();
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('backs chatTurns across a restart: the second session sees the first one', async () => {
    const seen: string[][] = [];
    const session = (questions: string[]): Promise<unknown[]> =>
      lastValueFrom(of(...questions).pipe(
        chatTurns(({ history, question }) => {
          seen.push(dump(history));
          return of(new AIMessageChunk({ content: `re:${question}`, response_metadata: { finish_reason: 'stop' } }));
        }, { history: new FileChatMessageHistory(file) }),
        toArray(),
      ));
    await session(['你好']);
    await session(['还记得吗？']);
    expect(seen).toEqual([[], ['human:你好', 'ai:re:你好']]);
  });

  it('rejects a bad path at call time', () => {
    expect(() => new FileChatMessageHistory('' as string)).toThrow(
      new TypeError('FileChatMessageHistory: filePath must be a non-empty string, got the string "".'),
    );
    expect(() => new FileChatMessageHistory(undefined as never)).toThrow(TypeError);
  });
});
