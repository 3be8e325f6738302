/**
 * The terminal is resized while a reply streams (SIGWINCH: the output's `resize`
 * event with new `columns` / `rows`): the reply is not interrupted by a redrawn
 * `你: ` prompt, and the status line moves to the new bottom row at the new width.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replyTo } from '../../src/offline/cannedReplies';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../../src/testing/fakeOpenAIServer';
import { Session } from '../support/chatHarness';

jest.setTimeout(180_000); // no test measures time
let dir: string;
let server: FakeOpenAIServer;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rxlc-resize-'));
  server = await startFakeOpenAIServer({ chunkDelayMs: 15 });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const QUESTION = '详细介绍Python的历史和发展';
const REPLY = replyTo(QUESTION);
const statusDraws = (data: string): string[] => [...data.matchAll(/\x1b7\x1b\[(\d+);1H\x1b\[2K([^\x1b]*)\x1b8/g)].map((m) => `${m[1]}:${m[2]}`);

async function resizedMidReply(size: { columns: number; rows: number }): Promise<Session> {
  const s = new Session(['--history-file', join(dir, `${size.columns}x${size.rows}.jsonl`)], {
    NO_COLOR: '1', OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: server.baseURL,
  }, { tty: true });
  s.output.columns = 100;
  s.output.rows = 30;
  await s.waitFor('你: ');
  s.send(QUESTION);
  await s.waitFor(REPLY.slice(0, 20)); // the reply streams (the server has most of it still to send)
  const before = s.output.data.length;
  s.output.columns = size.columns;
  s.output.rows = size.rows;
  s.output.emit('resize');
  await s.waitFor(`[${[...REPLY].length} 字`);
  (s as Session & { afterResize?: string }).afterResize = s.output.data.slice(before);
  s.type('\x04');
  expect(await s.exited).toBe(0);
  return s;
}

describe('resizing the terminal during a reply', () => {
  test.concurrent.each([
    [{ columns: 60, rows: 30 }],
    [{ columns: 100, rows: 20 }],
    [{ columns: 140, rows: 40 }],
  ])('to %o: no prompt is drawn into the reply; the status line uses the new size', async (size) => {
    const s = await resizedMidReply(size);
    const after = (s as Session & { afterResize?: string }).afterResize!;
    const screen = s.output.visible;
    const reply = screen.slice(screen.indexOf('AI: '), screen.indexOf(`[${[...REPLY].length} 字`));
    expect(reply).not.toContain('你:'); // readline did not redraw its prompt over the reply
    expect(reply.replace(/\n/g, '')).toContain(REPLY.replace(/\n/g, ''));
    // From the resize on, the scrolling region and every status draw use the new rows, cut to the new width.
    expect(after).toContain(`\x1b[1;${size.rows - 1}r`);
    const draws = statusDraws(after);
    expect(draws.length).toBeGreaterThan(0);
    for (const draw of draws) {
      const [row, text] = [Number(draw.split(':')[0]), draw.slice(draw.indexOf(':') + 1)];
      expect(row).toBe(size.rows);
      expect([...text].reduce((w, ch) => w + (/[\u3000-\u9fff\uff00-\uffef]/.test(ch) ? 2 : 1), 0)).toBeLessThan(size.columns);
    }
  });
});
