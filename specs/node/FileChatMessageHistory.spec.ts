import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, of, toArray } from 'rxjs';
import { AIMessage, AIMessageChunk, HumanMessage, type BaseMessage } from '@langchain/core/messages';
import { FileChatMessageHistory } from '../../src/node/FileChatMessageHistory';
import { HistoryFileCorruptError } from '../../src/errors';
import { chatTurns } from '../../src/history/chatTurns';
import { RxLangChainError } from '../../src/errors';

const dump = (messages: BaseMessage[]): string[] => messages.map((m) => `${m.getType()}:${m.content as string}`);

describe('FileChatMessageHistory', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rxlc-history-'));
    file = join(dir, 'nested', 'chat.jsonl');
  });
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
    expect((await readFile(file, 'utf8')).split('\n')).toHaveLength(4); // 3 lines + final newline
  });

  it('ignores a torn last line after a crash and cuts it off before the next append', async () => {
    const history = new FileChatMessageHistory(file);
    await history.addMessages([new HumanMessage('q1'), new AIMessage('a1')]);
    const torn = JSON.stringify({ type: 'ai', data: { content: '半句话' } }).slice(0, 20);
    await appendFile(file, JSON.stringify({ type: 'human', data: { content: 'q2' } }) + '\n' + torn);

    const restarted = new FileChatMessageHistory(file);
    expect(dump(await restarted.getMessages())).toEqual(['human:q1', 'ai:a1', 'human:q2']);

    await restarted.addMessages([new AIMessage('a2')]);
    expect(dump(await new FileChatMessageHistory(file).getMessages())).toEqual(['human:q1', 'ai:a1', 'human:q2', 'ai:a2']);
    const lines = (await readFile(file, 'utf8')).split('\n');
    expect(lines.pop()).toBe('');
    expect(() => lines.map((l) => JSON.parse(l) as unknown)).not.toThrow(); // the fragment is gone, not glued to a line
  });

  it('reports a corrupt line in the middle with its line number', async () => {
    const history = new FileChatMessageHistory(file);
    await history.addMessages([new HumanMessage('q1')]);
    await appendFile(file, 'not json\n' + JSON.stringify({ type: 'ai', data: { content: 'a' } }) + '\n');
    const error = await history.getMessages().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HistoryFileCorruptError);
    expect(error).toBeInstanceOf(RxLangChainError);
    expect(error).toMatchObject({ code: 'HISTORY_FILE_CORRUPT', filePath: file, line: 2 });
  });

  it('serializes concurrent appends in call order, and clear() empties the file', async () => {
    const history = new FileChatMessageHistory(file);
    await Promise.all(['1', '2', '3', '4'].map((n) => history.addMessages([new HumanMessage(`q${n}`), new AIMessage(`a${n}`)])));
    expect(dump(await history.getMessages())).toEqual(['1', '2', '3', '4'].flatMap((n) => [`human:q${n}`, `ai:a${n}`]));
    await history.clear();
    expect(await history.getMessages()).toEqual([]);
    expect(await readFile(file, 'utf8')).toBe('');
  });

  it('backs chatTurns across a restart: the second session sees the first one', async () => {
    const seen: string[][] = [];
    const session = (questions: string[]): Promise<unknown[]> =>
      lastValueFrom(of(...questions).pipe(
        chatTurns(({ history, question }) => {
          seen.push(dump(history));
          return of(new AIMessageChunk(`re:${question}`));
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
