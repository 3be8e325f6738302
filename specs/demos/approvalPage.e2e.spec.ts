/**
 * The web demo page's approval card in Chromium, against scripted answers (Playwright routes in
 * place of the chat handler, so the page is tested alone): a tool call that waits for a person
 * arrives as the AI SDK's `tool-approval-request` chunk or our SSE `approval-request` event and is
 * drawn as a card with 批准 / 拒绝 / 修改 (AI SDK mode: the edited input in the client's state; not on a
 * signed request); the keyboard is on 批准; the question box waits; a click
 * disables both buttons at once and sends exactly one answer, in the shape each wire expects (the
 * AI SDK client's own resend, our `{ id, type }` decisions); the continuation lands in the page; the
 * tool's input is shown as text (Chinese, emoji and markup as they are). A reload draws the
 * pending card again from `GET /api/chat/:id/history`, and it still answers.
 * The real agent behind the real handler: approvalAgent.e2e.spec.ts.
 */
import type { Browser, Page, Route } from 'playwright-core';
import { startWebDemo, type WebDemo } from '../../demos/web/server';
import { ScriptedChatModel } from '../../src/testing';
import { launchChromium } from '../support/chromium';
import { useCleanup } from '../support/cleanup';

const cleanup = useCleanup();

jest.setTimeout(120_000); // a browser on a loaded machine; nothing here measures time

const INPUT = { a: 123, b: 456, note: '你好 🌏 <b>粗</b>' };
const CALL = `🔧 add(${JSON.stringify(INPUT)})`;
const ANSWER = '123 + 456 = 579。🧮';
const APPROVAL_ID = 'interrupt-1:0';

const sse = (frames: readonly unknown[]): string => frames.map((f) => `data: ${JSON.stringify(f)}\n\n`).join('') + 'data: [DONE]\n\n';
const UI_HEADERS = { 'content-type': 'text/event-stream', 'x-vercel-ai-ui-message-stream': 'v1', 'cache-control': 'no-cache' };

/** The first response: the call, then the request for approval (as toUIMessageStream sends it). */
const AWAITING = sse([
  { type: 'start', messageId: 'msg-a' },
  { type: 'start-step' },
  { type: 'tool-input-start', toolCallId: 'call-1', toolName: 'add' },
  { type: 'tool-input-available', toolCallId: 'call-1', toolName: 'add', input: INPUT },
  { type: 'finish-step' },
  { type: 'tool-approval-request', approvalId: APPROVAL_ID, toolCallId: 'call-1' },
  { type: 'finish', finishReason: 'tool-calls' },
]);
const continuation = (approved: boolean): string =>
  sse([
    { type: 'start', messageId: 'msg-a' },
    approved ? { type: 'tool-output-available', toolCallId: 'call-1', output: '579' } : { type: 'tool-output-denied', toolCallId: 'call-1' },
    { type: 'start-step' },
    { type: 'text-start', id: 't1' },
    { type: 'text-delta', id: 't1', delta: approved ? ANSWER : '好的，不算了。' },
    { type: 'text-end', id: 't1' },
    { type: 'finish-step' },
    { type: 'finish', finishReason: 'stop' },
  ]);
/** The stored conversation while the call waits, as the history route sends it. */
const SSE_REQUEST = { id: APPROVAL_ID, interruptId: 'interrupt-1', index: 0, count: 1, toolCallId: 'call-1', toolName: 'add', input: INPUT, allowedDecisions: ['approve', 'edit', 'reject'] };
const WAITING_HISTORY = {
  messages: [
    { id: 'u1', role: 'user', parts: [{ type: 'text', text: '123 加 456 等于多少？' }] },
    { id: 'msg-a', role: 'assistant', parts: [{ type: 'tool-add', toolCallId: 'call-1', state: 'approval-requested', input: INPUT, approval: { id: APPROVAL_ID } }] },
  ],
  pendingApprovals: [SSE_REQUEST],
};
const event = (name: string, data: unknown): string => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

/** Scripted chat routes: each POST body is recorded; the first answer waits for a decision, later ones continue. */
async function script(page: Page, approved: boolean, conflict = false, awaiting = AWAITING): Promise<{ bodies: Record<string, unknown>[]; history: string[] }> {
  const bodies: Record<string, unknown>[] = [];
  const history: string[] = [];
  await page.route('**/api/chat', (route: Route) => {
    bodies.push(route.request().postDataJSON() as Record<string, unknown>);
    return route.fulfill({ status: 200, headers: UI_HEADERS, body: bodies.length === 1 ? awaiting : continuation(approved) });
  });
  await page.route('**/api/chat/stream', (route: Route) => {
    bodies.push(route.request().postDataJSON() as Record<string, unknown>);
    if (conflict && bodies.length === 2) return route.fulfill({ status: 409, contentType: 'application/json', body: JSON.stringify({ error: '这个请求已经回答过了' }) });
    const body = bodies.length === 1
      ? event('start', { replyId: 'r1' }) + event('approval-request', { turn: 0, requests: [SSE_REQUEST] })
      : event('chunk', { text: approved ? ANSWER : '好的，不算了。', turn: 1 }) + event('done', { turn: 1, chunks: 1, stopped: false });
    return route.fulfill({ status: 200, headers: { 'content-type': 'text/event-stream' }, body });
  });
  await page.route('**/api/chat/*/history', (route: Route) => {
    history.push(new URL(route.request().url()).pathname);
    return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(WAITING_HISTORY) });
  });
  return { bodies, history };
}

/** What the page shows of its pending cards, the focus and the question box. */
const ui = (page: Page) =>
  page.evaluate(() => ({
    cards: Array.from(document.querySelectorAll<HTMLElement>('.approval')).map((c) => ({ state: c.dataset.state, call: c.querySelector('.approval-call')?.textContent, buttons: Array.from(c.querySelectorAll('button')).map((b) => b.textContent) })),
    markup: document.querySelector('#log b') !== null,
    focused: document.activeElement?.textContent,
    sendDisabled: (document.getElementById('send') as HTMLButtonElement).disabled,
  }));

/** Clicks a card's button twice in one task and reads the buttons right after the first click. */
const clickTwice = (page: Page, action: 'approve' | 'reject') =>
  page.evaluate((a) => {
    const b = document.querySelector<HTMLButtonElement>(`.approval button[data-action="${a}"]`)!;
    b.click();
    const disabled = Array.from(document.querySelectorAll<HTMLButtonElement>('.approval button')).map((x) => x.disabled);
    b.click();
    return disabled;
  }, action);

describe('the web demo page answers a tool call that waits for approval (scripted server)', () => {
  let browser: Browser;
  let demo: WebDemo;

  beforeAll(async () => {
    browser = await launchChromium();
    demo = await startWebDemo({ port: 0, model: new ScriptedChatModel({ reply: '你好', chunkDelayMs: 0 }) });
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  async function ask(page: Page, mode: 'ai' | 'sse'): Promise<void> {
    await page.goto(demo.url);
    await page.check(`input[name="mode"][value="${mode}"]`);
    await page.fill('#question', '123 加 456 等于多少？');
    await page.click('#send');
    await page.waitForSelector('.approval[data-state="pending"]');
    await page.waitForFunction(() => (document.querySelector('.msg.assistant') as HTMLElement).dataset.state === 'awaiting');
  }

  it('AI SDK: the card, 批准 disables both at once, one resend with approval-responded, the result and the answer in the same bubble', async () => {
    const page = await browser.newPage();
    cleanup(() => page.close());
    const { bodies } = await script(page, true);
    await ask(page, 'ai');
    expect(await ui(page)).toEqual({ cards: [{ state: 'pending', call: CALL, buttons: ['批准', '拒绝', '修改'] }], markup: false, focused: '批准', sendDisabled: true });
    expect(await clickTwice(page, 'approve')).toEqual([true, true, true]); // 批准, 拒绝, 修改
    await page.waitForFunction(() => (document.querySelector('.msg.assistant') as HTMLElement).dataset.state === 'done');
    expect(bodies).toHaveLength(2);
    const sent = (bodies[1].messages as { role: string; id: string; parts: { type: string; state?: string; approval?: unknown }[] }[]).at(-1)!;
    expect([bodies[1].messageId, sent.id]).toEqual(['msg-a', 'msg-a']);
    expect(sent.parts.find((p) => p.type === 'tool-add')).toMatchObject({ state: 'approval-responded', approval: { id: APPROVAL_ID, approved: true } });
    expect(await page.$$eval('.msg.assistant', (els) => els.map((e) => e.textContent))).toEqual([`${CALL} → 579${ANSWER}`]);
    expect(await page.evaluate(() => [document.activeElement?.id, (document.getElementById('send') as HTMLButtonElement).disabled])).toEqual(['question', false]);
  });

  it('AI SDK: 修改 changes the tool part\'s input in the client\'s state and approves: the resend carries the edited input', async () => {
    const page = await browser.newPage();
    cleanup(() => page.close());
    const { bodies } = await script(page, true);
    await ask(page, 'ai');
    await page.click('.approval button[data-action="edit"]');
    await page.fill('.approval-args', '[1, 2]');
    await page.click('.approval button[data-action="edit"]');
    expect(await page.$eval('.approval-error', (e) => e.textContent)).toMatch(/JSON 对象/); // refused on the card, nothing sent
    expect(bodies).toHaveLength(1);
    await page.fill('.approval-args', '{"a":"一百","b":"🎈"}');
    await page.click('.approval button[data-action="edit"]');
    await page.waitForFunction(() => (document.querySelector('.msg.assistant') as HTMLElement).dataset.state === 'done');
    expect(bodies).toHaveLength(2);
    const part = (bodies[1].messages as { parts: { type: string }[] }[]).at(-1)!.parts.find((p) => p.type === 'tool-add');
    expect(part).toMatchObject({ toolCallId: 'call-1', state: 'approval-responded', input: { a: '一百', b: '🎈' }, approval: { id: APPROVAL_ID, approved: true } });
    expect(await page.$eval('.msg.assistant', (e) => e.textContent)).toBe(`🔧 add({"a":"一百","b":"🎈"}) → 579${ANSWER}`);
  });

  it('AI SDK: a signed request (toolApprovalSecret) has no 修改: its signature binds the input', async () => {
    const page = await browser.newPage();
    cleanup(() => page.close());
    const signed = AWAITING.replace(`"toolCallId":"call-1"}`, `"toolCallId":"call-1","signature":"c2lnbmVk"}`);
    expect(signed).toContain('"type":"tool-approval-request","approvalId":"interrupt-1:0","toolCallId":"call-1","signature"');
    await script(page, true, false, signed);
    await ask(page, 'ai');
    expect((await ui(page)).cards).toEqual([{ state: 'pending', call: CALL, buttons: ['批准', '拒绝'] }]);
  });

  it('AI SDK: 拒绝 with a reason sends approved: false and 用户拒绝了 … with the reason; the denial is shown', async () => {
    const page = await browser.newPage();
    cleanup(() => page.close());
    const { bodies } = await script(page, false);
    await ask(page, 'ai');
    await page.fill('.approval-reason', '不用算了 🙅');
    expect(await clickTwice(page, 'reject')).toEqual([true, true, true]);
    await page.waitForFunction(() => (document.querySelector('.msg.assistant') as HTMLElement).dataset.state === 'done');
    expect(bodies).toHaveLength(2);
    const part = (bodies[1].messages as { parts: { type: string; approval?: unknown }[] }[]).at(-1)!.parts.find((p) => p.type === 'tool-add');
    expect(part).toMatchObject({ state: 'approval-responded', approval: { id: APPROVAL_ID, approved: false, reason: '用户拒绝了 add 调用：不用算了 🙅' } });
    expect(await page.$eval('.msg.assistant', (e) => e.textContent)).toBe(`${CALL} → 用户拒绝了 add 调用：不用算了 🙅好的，不算了。`);
  });

  it('SSE: the approval-request event is a card; 批准 sends one turn with the decision; the answer follows', async () => {
    const page = await browser.newPage();
    cleanup(() => page.close());
    const { bodies } = await script(page, true);
    await ask(page, 'sse');
    expect(await ui(page)).toEqual({ cards: [{ state: 'pending', call: CALL, buttons: ['批准', '拒绝', '修改'] }], markup: false, focused: '批准', sendDisabled: true });
    expect(await clickTwice(page, 'approve')).toEqual([true, true, true]); // 批准, 拒绝, 修改
    await page.waitForFunction(() => (document.querySelectorAll('.msg.assistant')[1] as HTMLElement | undefined)?.dataset.state === 'done');
    expect(bodies).toEqual([
      { question: '123 加 456 等于多少？', conversationId: expect.any(String) },
      { decisions: [{ id: APPROVAL_ID, type: 'approve' }], conversationId: bodies[0].conversationId },
    ]);
    expect(await page.$$eval('.msg.assistant', (els) => els.map((e) => e.textContent))).toEqual([`✓ 已批准${CALL}`, ANSWER]);
  });

  it('SSE: 拒绝 sends the reason in the message (用户拒绝了 …, as the CLI); a refused answer (409) is said on the card, whose buttons work again', async () => {
    const page = await browser.newPage();
    cleanup(() => page.close());
    const { bodies } = await script(page, false, true);
    await ask(page, 'sse');
    await page.fill('.approval-reason', '不用算了 🙅');
    await page.press('.approval-reason', 'Enter');
    await page.waitForFunction(() => (document.querySelector('.approval-error')?.textContent ?? '') !== '');
    expect(bodies[1]).toEqual({ decisions: [{ id: APPROVAL_ID, type: 'reject', message: '用户拒绝了 add 调用：不用算了 🙅' }], conversationId: bodies[0].conversationId });
    expect(await page.$eval('.approval', (c) => [(c as HTMLElement).dataset.state, c.querySelector('.approval-error')!.textContent, Array.from(c.querySelectorAll('button')).map((b) => b.disabled)])).toEqual(['pending', '这个请求已经回答过了', [false, false, false]]);
  });

  it('SSE: 修改 opens the arguments as JSON; a non-object is refused on the card; the edited object goes out as an edit decision', async () => {
    const page = await browser.newPage();
    cleanup(() => page.close());
    const { bodies } = await script(page, true);
    await ask(page, 'sse');
    await page.click('.approval button[data-action="edit"]');
    expect(await page.$eval('.approval-args', (t) => [(t as HTMLTextAreaElement).value, t === document.activeElement])).toEqual([JSON.stringify(INPUT), true]);
    await page.fill('.approval-args', '[1, 2]');
    await page.click('.approval button[data-action="edit"]');
    expect(await page.$eval('.approval', (c) => [(c as HTMLElement).dataset.state, c.querySelector('.approval-error')!.textContent])).toEqual(['pending', '参数要是一个 JSON 对象，例如 {"a":1,"b":2}']);
    expect(bodies).toHaveLength(1);
    await page.fill('.approval-args', '{"a": 1000, "b": -1, "note": "改了 ✏️"}');
    await page.click('.approval button[data-action="edit"]');
    await page.waitForFunction(() => (document.querySelectorAll('.msg.assistant')[1] as HTMLElement | undefined)?.dataset.state === 'done');
    expect(bodies[1]).toEqual({ decisions: [{ id: APPROVAL_ID, type: 'edit', args: { a: 1000, b: -1, note: '改了 ✏️' } }], conversationId: bodies[0].conversationId });
    expect(await page.$eval('.approval', (c) => [(c as HTMLElement).dataset.state, c.querySelector('.approval-title')!.textContent, c.querySelectorAll('button, textarea').length])).toEqual(['edited', '✎ 已修改并批准', 0]);
  });

  for (const mode of ['ai', 'sse'] as const) {
    it(`${mode}: after a reload the pending card is drawn again from the history and still answers`, async () => {
      const page = await browser.newPage();
      cleanup(() => page.close());
      const { bodies, history } = await script(page, true);
      await ask(page, mode);
      const id = mode === 'ai' ? (bodies[0].id as string) : (bodies[0].conversationId as string);
      expect(new URL(page.url()).searchParams.get(mode === 'ai' ? 'chat' : 'c')).toBe(id);
      await page.reload();
      await page.waitForSelector('.approval[data-state="pending"]');
      expect(history).toEqual([`/api/chat/${id}/history`]);
      expect(await ui(page)).toEqual({ cards: [{ state: 'pending', call: CALL, buttons: ['批准', '拒绝', '修改'] }], markup: false, focused: '批准', sendDisabled: true });
      expect(await page.$eval('input[name="mode"]:checked', (e) => (e as HTMLInputElement).value)).toBe(mode);
      await page.click('.approval button[data-action="approve"]');
      await page.waitForFunction(() => Array.from(document.querySelectorAll<HTMLElement>('.msg.assistant')).some((b) => b.dataset.state === 'done'));
      expect(bodies).toHaveLength(2);
      if (mode === 'ai') expect(bodies[1]).toMatchObject({ id, messageId: 'msg-a' });
      else expect(bodies[1]).toEqual({ decisions: [{ id: APPROVAL_ID, type: 'approve' }], conversationId: id });
    });
  }
});
