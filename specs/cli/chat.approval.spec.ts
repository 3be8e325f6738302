/**
 * `rxjs-langchain chat --agent` asks before a guarded tool runs (the offline agent's add and
 * python_release, behind humanInTheLoopMiddleware): `批准 / 拒绝 / 修改?`; the next line answers.
 * Approve runs the tool, reject never runs it and the answer says so, edit runs it with the typed
 * arguments; the history file holds the question, the awaiting call and what the answer added.
 * `--no-approval` runs the tools without asking.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AIMessage, ToolMessage } from '@langchain/core/messages';
import { FileChatMessageHistory } from '../../src/node';
import { parseChatArgs } from '../../src/cli/args';
import { Session } from '../support/chatHarness';

const PROMPT = '你: ';
const ASK = '批准 / 拒绝 / 修改? ';
const Q = 'Python 3.0 是哪一年发布的？';
jest.setTimeout(180_000); // a loaded machine; no test measures time

let dir: string;
const sessions: Session[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rxlc-approval-'));
});
afterAll(async () => {
  sessions.forEach((s) => s.input.end());
  await Promise.all(sessions.map((s) => s.exited));
  rmSync(dir, { recursive: true, force: true });
});
function chat(file: string, ...args: string[]): Session {
  return session({ tty: false }, file, ...args);
}
function session(options: { tty: boolean }, file: string, ...args: string[]): Session {
  const s = new Session(['--agent', '--history-file', join(dir, file), ...args], { NO_COLOR: '1', DEMO_LATENCY: '0' }, options);
  sessions.push(s);
  return s;
}
const stored = async (name: string) =>
  (await new FileChatMessageHistory(join(dir, name)).getMessages()).map((m) => [
    m.getType(), m.text, (m as AIMessage).tool_calls?.map((c) => `${c.name} ${JSON.stringify(c.args)}`) ?? [], (m as ToolMessage).tool_call_id ?? '',
  ]);

describe('rxjs-langchain chat --agent asks before a tool runs', () => {
  test('批准: the request is shown, y runs the tool, the answer follows; the history pairs the call with its result', async () => {
    const c = chat('approve.jsonl');
    await c.waitFor(PROMPT);
    c.send(Q);
    await c.waitFor(ASK);
    expect(c.output.data).toContain('⏸ 需要批准: python_release {"version":"3.0"}');
    expect(c.output.data).not.toContain('↳ 结果');
    c.send('批准');
    await c.waitFor(PROMPT, { times: 2 });
    expect(c.output.data).toContain('   ↳ 结果: {"version":"3.0","released":"2008-12-03"}');
    expect(c.output.data).toContain('AI: Python 3.0 于 2008 年 12 月 3 日发布。 🐍');
    expect(await c.end()).toBe(0);
    const saved = await stored('approve.jsonl');
    expect(saved.map(([type]) => type)).toEqual(['human', 'ai', 'tool', 'ai']);
    expect(saved[1][2]).toEqual(['python_release {"version":"3.0"}']);
    expect(saved[2][3]).toBe((await new FileChatMessageHistory(join(dir, 'approve.jsonl')).getMessages() as AIMessage[])[1].tool_calls![0].id);
    expect(c.errorOutput.data).toBe('');
  });

  test('拒绝: the tool never runs, the answer says it was rejected', async () => {
    const c = chat('reject.jsonl');
    await c.waitFor(PROMPT);
    c.send(Q);
    await c.waitFor(ASK);
    c.send('拒绝 不用查了');
    await c.waitFor(PROMPT, { times: 2 });
    expect(c.output.data).not.toContain('↳ 结果: {');
    expect(c.output.data).toContain('用户拒绝了 python_release 调用：不用查了');
    expect(await c.end()).toBe(0);
    expect((await stored('reject.jsonl')).map(([type]) => type)).toEqual(['human', 'ai', 'tool', 'ai']);
  });

  test('修改: the tool runs with the typed arguments; a line that is no answer asks again', async () => {
    const c = chat('edit.jsonl');
    await c.waitFor(PROMPT);
    c.send(Q);
    await c.waitFor(ASK);
    c.send('也许吧');
    await c.waitFor('请回答');
    c.send('修改 {"version":"3.12"}');
    await c.waitFor(PROMPT, { times: 2 });
    expect(c.output.data).toContain('   ↳ 结果: {"version":"3.12","released":"2023-10-02"}');
    expect(await c.end()).toBe(0);
  });

  test('--no-approval runs the tools without asking', async () => {
    expect(parseChatArgs(['--agent', '--no-approval'], {})).toMatchObject({ agent: true, approval: false });
    expect(parseChatArgs(['--agent'], {})).toMatchObject({ approval: true });
    const c = chat('free.jsonl', '--no-approval');
    await c.waitFor(PROMPT);
    c.send(Q);
    await c.waitFor(PROMPT, { times: 2 });
    expect(c.output.data).not.toContain(ASK);
    expect(c.output.data).toContain('   ↳ 结果: {"version":"3.0","released":"2008-12-03"}');
    expect(await c.end()).toBe(0);
  });

  // The stats line under a reply (a terminal only) counts the calls its turn ran: the call asked
  // about in one turn runs in the decision turn, which used to say 0 (it counted saved AIMessages).
  const STATS = /\[[^\]\n]* 次工具调用[^\]\n]*\]/g;
  test.each([
    ['批准', '1 次工具调用 · '],
    ['修改 {"version":"3.12"}', '1 次工具调用 · '],
    ['拒绝 不用查了', '0 次工具调用 · 1 次被拒绝 · '],
  ])('on a terminal, the stats line of the turn answered with %s counts what that turn ran', async (answer, counted) => {
    const c = session({ tty: true }, `stats-${answer.slice(0, 2)}.jsonl`);
    await c.output.waitFor(PROMPT);
    c.send(Q);
    await c.output.waitFor(ASK);
    expect(c.output.visible.match(STATS)).toBeNull(); // a turn that stops for a decision has no stats
    c.send(answer);
    await c.output.waitFor(PROMPT, { times: 2 });
    const stats = c.output.visible.match(STATS) ?? [];
    expect(stats).toHaveLength(1);
    expect(stats[0]).toContain(` · ${counted}`);
    c.type('\x04');
    expect(await c.exited).toBe(0);
  });

  test('on a terminal, a turn that runs its tool without asking counts it once', async () => {
    const c = session({ tty: true }, 'stats-free.jsonl', '--no-approval');
    await c.output.waitFor(PROMPT);
    c.send(Q);
    await c.output.waitFor(PROMPT, { times: 2 });
    expect(c.output.visible.match(STATS)).toEqual([expect.stringContaining(' · 1 次工具调用 · ')]);
    c.type('\x04');
    expect(await c.exited).toBe(0);
  });
});
