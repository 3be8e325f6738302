/**
 * Several lines in one write (a paste, or text typed ahead during start-up) on a
 * terminal: every line is handled, in order, whatever mix of `/command`, empty line
 * and question it is, and the prompt takes input afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replyTo } from '../../src/offline/cannedReplies';
import { Session } from '../support/chatHarness';

jest.setTimeout(180_000); // no test measures time; a loaded machine is only slower
let dir: string;
const sessions: Session[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rxlc-paste-'));
});
afterAll(async () => {
  sessions.forEach((s) => s.input.end());
  await Promise.all(sessions.map((s) => s.exited));
  rmSync(dir, { recursive: true, force: true });
});

type Kind = 'command' | 'empty' | 'question';
const LINE: Record<Kind, string> = { command: '/help', empty: '', question: '介绍Python' };
/** What shows that a line was handled. */
const SEEN: Record<Kind, string> = { command: 'Commands: /history', empty: '', question: replyTo('介绍Python') };
const KINDS: Kind[] = ['command', 'empty', 'question'];
const PAIRS: [Kind, Kind][] = KINDS.flatMap((a) => KINDS.map((b): [Kind, Kind] => [a, b]));

function session(name: string): Session {
  const s = new Session(['--history-file', join(dir, `${name}.jsonl`)], { NO_COLOR: '1', DEMO_LATENCY: '0' }, { tty: true });
  sessions.push(s);
  return s;
}

/** The lines, then `/history` as a witness that input still works after them. */
async function pasteAndCheck(s: Session, kinds: Kind[], newline: string): Promise<void> {
  const questions = kinds.filter((k) => k === 'question').length;
  const witness = questions ? `[${questions * 2} messages` : '[history is empty]';
  s.type(kinds.map((k) => LINE[k] + newline).join('') + '/history' + newline);
  await s.waitFor(witness, { patienceMs: 20_000 }); // patience only to report what was shown instead
  s.type('\x04');
  expect(await s.exited).toBe(0);
  const screen = s.output.visible;
  let at = 0;
  for (const kind of kinds) {
    if (kind === 'empty') continue;
    const found = screen.indexOf(SEEN[kind], at);
    expect(found).toBeGreaterThanOrEqual(at); // handled, after the line before it
    at = found + SEEN[kind].length;
  }
  expect(screen.indexOf(witness, at)).toBeGreaterThanOrEqual(at);
}

describe('lines pasted at once into an idle prompt on a terminal', () => {
  test.concurrent.each(PAIRS)('%s then %s: both handled in order, and the prompt still answers', async (a, b) => {
    const s = session(`pair-${a}-${b}`);
    await s.waitFor('你: ');
    await pasteAndCheck(s, [a, b], '\r');
  });

  test.concurrent('all three kinds, twice over, in one write (\\n line ends, as some terminals paste)', async () => {
    const s = session('mixed');
    await s.waitFor('你: ');
    await pasteAndCheck(s, ['empty', 'command', 'question', 'command', 'empty', 'question'], '\n');
  });

  test.concurrent('typed ahead during start-up, before the first prompt', async () => {
    const s = session('ahead');
    await pasteAndCheck(s, ['command', 'empty', 'question'], '\r');
  });
});
