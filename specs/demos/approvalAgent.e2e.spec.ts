/**
 * `npm run web -- --agent` in Chromium, end to end: the page, `createChatHandler({ agent, Command })`
 * and the offline agent whose tools wait for a person (humanInTheLoopMiddleware, MemorySaver).
 * `123 加 456 等于多少？` calls the guarded `add`: the card with 批准 / 拒绝 appears; after a
 * reload it is still there (from the server's history); 批准 runs the tool and the answer follows;
 * 拒绝 in a second conversation never runs it and the agent says so. In the AI SDK mode (the SDK's
 * own client: addToolApprovalResponse, automatic resend), in our SSE mode and in the WebSocket mode
 * (`decide` on the socket, with the page's conversationId), where 修改 runs it with the edited arguments. A screenshot of each
 * waiting card is written to the OS temp folder (its path is printed). Waits are on the page's
 * state, never on a clock.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startWebDemo, type WebDemo } from '../../demos/web/server';
import { ScriptedChatModel } from '../../src/offline';
import { launchChromium } from '../support/chromium';
import { useCleanup } from '../support/cleanup';

const cleanup = useCleanup();

const QUESTION = '123 加 456 等于多少？';
const CALL = '🔧 add({"a":123,"b":456})';
const ANSWER = '123 + 456 = 579。🧮';

/** Every assistant bubble: its state and its text. */
const bubbles = (page: Page) =>
  page.$$eval('.msg.assistant', (els) => els.map((e) => ({ state: (e as HTMLElement).dataset.state, text: e.textContent ?? '' })));

/** Waits until the last assistant bubble is in `state`. */
const lastIs = (page: Page, state: string) =>
  page.waitForFunction((s) => {
    const all = document.querySelectorAll<HTMLElement>('.msg.assistant');
    return all[all.length - 1]?.dataset.state === s;
  }, state);

/** The pending cards: what they show and which button has the keyboard. */
const pendingCards = (page: Page) =>
  page.evaluate(() => ({
    calls: Array.from(document.querySelectorAll('.approval[data-state="pending"] .approval-call')).map((e) => e.textContent),
    focused: document.activeElement?.textContent,
  }));

/** Every message the page sends on its WebSockets (a reload opens a new one), parsed. */
function socketMessages(page: Page): unknown[] {
  const sent: unknown[] = [];
  page.on('websocket', (ws) => ws.on('framesent', (frame) => sent.push(JSON.parse(String(frame.payload)))));
  return sent;
}

describe('npm run web -- --agent: the page approves and rejects the agent\'s tool calls (Chromium)', () => {
  let browser: Browser;
  let demo: WebDemo;

  beforeAll(async () => {
    browser = await launchChromium();
    demo = await startWebDemo({ port: 0, approvals: true, model: new ScriptedChatModel() });
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  /** A new conversation in `mode` asks the question; resolves when its card waits. */
  async function askAndWait(page: Page, mode: 'ai' | 'sse' | 'ws'): Promise<void> {
    await page.goto(demo.url);
    await page.check(`input[name="mode"][value="${mode}"]`);
    await page.fill('#question', QUESTION);
    await page.click('#send');
    await lastIs(page, 'awaiting');
    expect(await pendingCards(page)).toEqual({ calls: [CALL], focused: '批准' });
  }

  for (const mode of ['ai', 'sse', 'ws'] as const) {
    it(`${mode}: the card, a reload keeps it, 批准 runs add and the answer follows`, async () => {
      const page = await browser.newPage({ viewport: { width: 760, height: 560 } });
      const sent = socketMessages(page);
      cleanup(() => page.close());
      await askAndWait(page, mode);
      const shot = join(tmpdir(), `rxjs-langchain-approval-${mode}.png`);
      await page.screenshot({ path: shot });
      process.stdout.write(`approval card (${mode}): ${shot}\n`);

      await page.reload();
      await lastIs(page, 'awaiting');
      expect(await pendingCards(page)).toEqual({ calls: [CALL], focused: '批准' });
      expect(await page.$eval('#send', (b) => (b as HTMLButtonElement).disabled)).toBe(true);

      await page.click('.approval button[data-action="approve"]');
      await lastIs(page, 'done');
      const shown = await bubbles(page);
      if (mode === 'ai') expect(shown).toEqual([{ state: 'done', text: `${CALL} → 579${ANSWER}` }]);
      else expect(shown).toEqual([{ state: 'done', text: `✓ 已批准${CALL}` }, { state: 'done', text: ANSWER }]);

      // The server saved the whole run: a reload shows it, nothing waits any more.
      await page.reload();
      await page.waitForFunction((n) => document.querySelectorAll('.msg.assistant').length > 0 && document.querySelectorAll('.msg').length >= n, 2);
      expect(await page.$$('.approval[data-state="pending"]')).toHaveLength(0);
      expect((await bubbles(page)).map((b) => b.text).join('')).toContain(ANSWER);
      expect(await page.$eval('#send', (b) => (b as HTMLButtonElement).disabled)).toBe(false);
      // WebSocket mode: the question and the decision (sent on the reloaded page's new socket)
      // both name the conversation of the URL; the other modes open no socket.
      const conversationId = new URL(page.url()).searchParams.get('c');
      if (mode === 'ws') expect(sent).toEqual([{ type: 'ask', question: QUESTION, conversationId }, { type: 'decide', conversationId, decisions: [{ id: expect.any(String), type: 'approve' }] }]);
      else expect(sent).toEqual([]);
    });

    it(`${mode}: 拒绝 in another conversation: add never runs, the agent says it was rejected`, async () => {
      const page = await browser.newPage();
      const sent = socketMessages(page);
      cleanup(() => page.close());
      await askAndWait(page, mode);
      await page.fill('.approval-reason', '不用算了 🙅‍♀️');
      await page.click('.approval button[data-action="reject"]');
      await lastIs(page, 'done');
      const text = (await bubbles(page)).map((b) => b.text).join('');
      expect(text).toContain('好的，没有执行：用户拒绝了 add 调用：不用算了 🙅‍♀️ 🙅'); // the reason reached the agent
      expect(text).not.toContain('579');
      if (mode === 'ai') expect(text).toContain(`${CALL} → 用户拒绝了 add 调用`);
      if (mode === 'ws') expect(sent.at(-1)).toMatchObject({ type: 'decide', decisions: [{ type: 'reject', message: '用户拒绝了 add 调用：不用算了 🙅‍♀️' }] });
    });
  }

  it('ws: two tabs of one conversation: the second answer is refused on its card (409), the tool ran once', async () => {
    const [first, second] = [await browser.newPage(), await browser.newPage()];
    cleanup(() => Promise.all([first.close(), second.close()]));
    await askAndWait(first, 'ws');
    await second.goto(first.url()); // the same conversation, drawn from the history
    await lastIs(second, 'awaiting');
    await first.click('.approval button[data-action="approve"]');
    await lastIs(first, 'done');
    await second.click('.approval button[data-action="approve"]');
    await second.waitForFunction(() => document.querySelector('.approval-error')?.textContent !== '');
    expect(await second.$eval('.approval', (c) => (c as HTMLElement).dataset.state)).toBe('pending'); // it can be tried again
    expect(await second.$eval('.approval-error', (e) => e.textContent)).toMatch(/waits for no decision|answered/);
    const answers = (await bubbles(first)).map((b) => b.text).join('');
    expect(answers.split(ANSWER)).toHaveLength(2); // one run, one answer
  });

  it.each(['sse', 'ws', 'ai'] as const)('%s: 修改 runs add once with the edited arguments; a reload shows the call as it ran', async (mode) => {
    const page = await browser.newPage();
    const approvals: unknown[] = []; // AI SDK mode: the tool part the client sent back with its approval
    page.on('request', (r) => {
      const body = r.method() === 'POST' && r.url().endsWith('/api/chat') ? (JSON.parse(r.postData() ?? '{}') as { messages?: { parts: { state?: string }[] }[] }) : {};
      approvals.push(...(body.messages?.at(-1)?.parts.filter((p) => p.state === 'approval-responded') ?? []));
    });
    cleanup(() => page.close());
    await askAndWait(page, mode);
    await page.click('.approval button[data-action="edit"]');
    expect(await page.$eval('.approval-args', (e) => (e as HTMLTextAreaElement).value)).toBe('{"a":123,"b":456}');
    await page.fill('.approval-args', '{"a":1000,"b":-1}');
    await page.click('.approval button[data-action="edit"]');
    await lastIs(page, 'done');
    const shown = await bubbles(page);
    const EDITED = '🔧 add({"a":1000,"b":-1})';
    if (mode === 'ai') {
      // The same bubble continues: the call as it ran, its result, the answer.
      expect(shown).toEqual([{ state: 'done', text: expect.stringMatching(/^🔧 add\({"a":1000,"b":-1}\) → 999.*= 999。🧮$/) }]);
      expect(approvals).toEqual([expect.objectContaining({ type: 'tool-add', input: { a: 1000, b: -1 }, approval: expect.objectContaining({ approved: true }) })]);
    } else {
      expect(shown[0]).toEqual({ state: 'done', text: `✎ 已修改并批准${CALL}` });
      expect(shown[1].text).toContain('= 999。🧮'); // the edited call's result (the offline model words it from the question)
    }
    // The server saved the call that ran (the edited one): a reload draws it, no card waits.
    await page.reload();
    await page.waitForFunction(() => document.querySelector('.msg.assistant .tool') !== null);
    expect(await page.$$eval('.msg.assistant .tool', (rows) => rows.map((r) => r.textContent))).toEqual([`${EDITED} → 999`]);
    expect(await page.$$('.approval')).toHaveLength(0);
  });
});
