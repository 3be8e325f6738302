/**
 * A history path that is not a regular file is refused with one clear error, at once
 * (a FIFO never hangs), nothing read or written; a symbolic link is not followed unless asked.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AIMessage, HumanMessage } from '@langchain/core/messages';
import { FileChatMessageHistory, HistoryFileTypeError } from '../../src/node';
import { Session } from '../support/chatHarness';

jest.setTimeout(60_000); // a FIFO that blocks would hang: the spec's timeout is then the failure
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rxlc-history-types-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fifo = (): string => {
  const path = join(dir, `fifo-${Math.random().toString(36).slice(2)}`);
  execFileSync('mkfifo', [path]);
  return path;
};
const turn = [new HumanMessage('你好'), new AIMessage('你好！')];
type Call = [string, (h: FileChatMessageHistory) => Promise<unknown>];
const CALLS: Call[] = [
  ['ensureWritable', (h) => h.ensureWritable()],
  ['getMessages', (h) => h.getMessages()],
  ['addMessages', (h) => h.addMessages(turn)],
  ['clear', (h) => h.clear()],
];

describe('FileChatMessageHistory refuses what is not a regular file', () => {
  test.each(CALLS)('%s: a FIFO is refused at once (no hang), a character device (/dev/null, /dev/zero) too', async (_name, call) => {
    for (const [path, kind] of [[fifo(), 'a FIFO (named pipe)'], ['/dev/null', 'a character device'], ['/dev/zero', 'a character device']]) {
      const error = await call(new FileChatMessageHistory(path)).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(HistoryFileTypeError);
      expect((error as Error).message).toBe(`Chat history file ${path} is ${kind}, not a regular file; use a regular file (or a path where one can be created).`);
    }
  });

  test.each(CALLS)('%s: a directory is EISDIR', async (_name, call) => {
    const path = join(dir, `a-directory-${_name}`);
    mkdirSync(path);
    await expect(call(new FileChatMessageHistory(path))).rejects.toMatchObject({ code: 'EISDIR' });
  });

  test('a symbolic link (to an empty file) is not followed: refused, and the file it points to stays empty', async () => {
    const target = join(dir, 'target.jsonl');
    const link = join(dir, 'link.jsonl');
    writeFileSync(target, '');
    symlinkSync(target, link);
    for (const [, call] of CALLS) {
      const error = await call(new FileChatMessageHistory(link)).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(HistoryFileTypeError);
      expect((error as Error).message).toBe(
        `Chat history file ${link} is a symbolic link, which is not followed; use the file it points to, or pass followSymlinks: true (rxjs-langchain chat --follow-symlinks).`,
      );
    }
    expect(readFileSync(target, 'utf8')).toBe('');
  });

  test('followSymlinks: true uses the file the link points to', async () => {
    const target = join(dir, 'followed.jsonl');
    const link = join(dir, 'followed-link.jsonl');
    writeFileSync(target, '');
    symlinkSync(target, link);
    const history = new FileChatMessageHistory(link, { followSymlinks: true });
    await history.ensureWritable();
    await history.addMessages(turn);
    expect((await new FileChatMessageHistory(target).getMessages()).map((m) => m.text)).toEqual(['你好', '你好！']);
  });

  test('a path to be created and a regular file still work', async () => {
    const history = new FileChatMessageHistory(join(dir, 'new', 'chat.jsonl'));
    await history.ensureWritable();
    await history.addMessages(turn);
    expect(await history.getMessages()).toHaveLength(2);
  });
});

describe('rxjs-langchain chat with such a history path', () => {
  const start = (args: string[]): Session => new Session(args, { NO_COLOR: '1', DEMO_LATENCY: '0' });

  test.each([
    ['a FIFO', () => fifo(), 'a FIFO (named pipe)'],
    ['/dev/null', () => '/dev/null', 'a character device'],
    ['/dev/zero', () => '/dev/zero', 'a character device'],
  ])('%s: one line, exit 1', async (_name, path, kind) => {
    const file = path();
    const c = start(['--history-file', file]);
    expect(await c.exited).toBe(1);
    expect(c.errorOutput.data).toBe(`rxjs-langchain chat: Chat history file ${file} is ${kind}, not a regular file; use a regular file (or a path where one can be created).\n`);
    expect(c.output.data).toBe('');
  });

  test('a symbolic link: refused; with --follow-symlinks the chat uses its target', async () => {
    const target = join(dir, 'cli-target.jsonl');
    const link = join(dir, 'cli-link.jsonl');
    writeFileSync(target, '');
    symlinkSync(target, link);
    const refused = start(['--history-file', link]);
    expect(await refused.exited).toBe(1);
    expect(refused.errorOutput.data).toContain('is a symbolic link, which is not followed');
    const followed = start(['--history-file', link, '--follow-symlinks']);
    followed.send('介绍Python');
    expect(await followed.end()).toBe(0);
    expect(readFileSync(target, 'utf8')).toContain('介绍Python');
  });
});
