import type { Browser, Page } from 'playwright-core';
import type { BaseMessage } from '@langchain/core/messages';
import { ChatOpenAI } from '@langchain/openai';
import { startWebDemo, type WebDemo } from '../../demos/web/server';
import { replyTo } from '../../src/offline/cannedReplies';
import { ScriptedChatModel, startFakeOpenAIServer, type FakeOpenAIServer } from '../../src/testing';
import { launchChromium } from '../support/chromium';
import { useCleanup } from '../support/cleanup';

const cleanup = useCleanup();

const STORY = '讲一个关于程序员的故事';

/** Text of the latest assistant bubble without its status note. */
const replyText = (page: Page): Promise<string> =>
  page.$$eval('.msg.assistant', (els) => {
    const el = els[els.length - 1];
    return el ? Array.from(el.childNodes).filter((n) => n.nodeType === 3).map((n) => n.textContent).join('') : '';
  });
const replyState = (page: Page): Promise<string | undefined> =>
  page.$$eval('.msg.assistant', (els) => (els[els.length - 1] as HTMLElement | undefined)?.dataset.state);

/** Console errors and failed responses (a 404 favicon, say) of a page, collected from its first request. */
function watchForErrors(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`${r.status()} ${r.url()}`));
  return problems;
}

/** Asks one question through the page and waits until its reply is done. */
async function askAndWait(page: Page, question: string, turn: number): Promise<void> {
  await page.fill('#question', question);
  await page.click('#send');
  await page.waitForFunction((n) => (document.querySelectorAll('.msg.assistant')[n] as HTMLElement | undefined)?.dataset.state === 'done', turn);
}

/** Where the last bubble is, against the viewport and the scrolling log. */
const lastBubble = (page: Page) =>
  page.evaluate(() => {
    const log = document.getElementById('log')!;
    const bubbles = document.querySelectorAll('.msg');
    const box = bubbles[bubbles.length - 1].getBoundingClientRect();
    const view = log.getBoundingClientRect();
    return {
      top: box.top, bottom: box.bottom, viewportHeight: window.innerHeight, logTop: view.top, logBottom: view.bottom,
      overflowing: log.scrollHeight > log.clientHeight, fromBottom: log.scrollHeight - log.scrollTop - log.clientHeight, scrollTop: log.scrollTop,
    };
  });

describe('web demo in Chromium', () => {
  let browser: Browser;
  let openai: FakeOpenAIServer;
  let demo: WebDemo;

  beforeAll(async () => {
    browser = await launchChromium();
    openai = await startFakeOpenAIServer({ chunkDelayMs: 20 });
    demo = await startWebDemo({
      port: 0,
      model: new ChatOpenAI({ apiKey: 'test', model: 'gpt-4o-mini', configuration: { baseURL: openai.baseURL } }),
    });
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
    await openai?.close();
  });

  for (const mode of ['sse', 'ws'] as const) {
    it(`${mode}: renders tokens as they arrive, Stop aborts the model request mid-reply, asking again works`, async () => {
      const page = await browser.newPage({ viewport: { width: 900, height: 700 } });
      cleanup(() => page.close());
      await page.goto(demo.url);
      await page.check(`input[name="mode"][value="${mode}"]`);
      await page.fill('#question', STORY);
      await page.click('#send');

      // Incremental rendering: the text grows between two observations while the reply streams.
      await page.waitForFunction(() => (document.querySelector('.msg.assistant')?.textContent ?? '').length > 0);
      const first = await replyText(page);
      await page.waitForFunction((n) => (document.querySelector('.msg.assistant')?.textContent ?? '').length > n, first.length);
      const second = await replyText(page);
      expect(second.startsWith(first)).toBe(true);
      expect(second.length).toBeGreaterThan(first.length);
      expect(await replyState(page)).toBe('streaming');

      const requestIndex = openai.requests.length - 1;
      await page.click('#stop');
      await page.waitForFunction(() => (document.querySelector('.msg.assistant') as HTMLElement).dataset.state === 'stopped');
      const record = await openai.waitForClose(requestIndex);
      expect(record.closedByClient).toBe(true);
      const stopped = await replyText(page);
      expect(stopped.length).toBeLessThan(replyTo(STORY).length);
      await page.waitForTimeout(150);
      expect(await replyText(page)).toBe(stopped); // nothing arrives after Stop

      if (mode === 'ws') await page.screenshot({ path: '/tmp/web-demo-ws.png' });

      await page.fill('#question', '你好');
      await page.click('#send');
      await page.waitForFunction(() => {
        const all = document.querySelectorAll('.msg.assistant');
        return (all[all.length - 1] as HTMLElement).dataset.state === 'done';
      });
      expect(await replyText(page)).toBe(replyTo('你好'));
      expect(await page.$$eval('.msg.user', (els) => els.map((e) => e.textContent))).toEqual([STORY, '你好']);
    });
  }

  it('the page itself loads without a console error or a failed request (no 404 favicon)', async () => {
    const page = await browser.newPage({ viewport: { width: 900, height: 700 } });
    const problems = watchForErrors(page);
    cleanup(() => page.close());
    await page.goto(demo.url);
    await page.waitForFunction(() => document.getElementById('model')!.textContent!.startsWith('模型:'));
    await askAndWait(page, '你好', 0);
    expect(problems).toEqual([]);
    // Headless Chromium never asks for an icon; a desktop browser asks for the declared one or /favicon.ico.
    expect(await page.$eval('link[rel~="icon"]', (l) => (l as HTMLLinkElement).href)).toBe('data:,');
    expect((await page.request.get(demo.url + '/favicon.ico')).status()).toBe(204);
  });
});

describe('web demo page layout in Chromium', () => {
  // 30 lines per reply: three turns are far taller than a 900 px window.
  const LONG = Array.from({ length: 30 }, (_, i) => `第 ${i + 1} 行：流式回复 streaming reply 😀`).join('\n');
  let browser: Browser;
  let demo: WebDemo;

  beforeAll(async () => {
    browser = await launchChromium();
    demo = await startWebDemo({ port: 0, model: new ScriptedChatModel({ reply: LONG, firstChunkDelayMs: 0, chunkDelayMs: 0 }) });
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  it('at 900 px height the page follows the reply: after each of three turns the last bubble is in the viewport', async () => {
    const page = await browser.newPage({ viewport: { width: 900, height: 900 } });
    const problems = watchForErrors(page);
    cleanup(() => page.close());
    await page.goto(demo.url);
    for (const [turn, question] of ['讲一个故事', '再讲一个', '第三个'].entries()) {
      await askAndWait(page, question, turn);
      const at = await lastBubble(page);
      expect(at.bottom).toBeLessThanOrEqual(Math.min(at.viewportHeight, at.logBottom) + 1);
      expect(at.top).toBeLessThan(at.viewportHeight);
      expect(at.fromBottom).toBeLessThanOrEqual(1);
    }
    expect((await lastBubble(page)).overflowing).toBe(true); // the log did have to scroll
    await page.screenshot({ path: '/tmp/web-demo-900.png' });
    expect(problems).toEqual([]);
  });

  it('a user who scrolled up mid-reply stays where they scrolled; asking again follows again', async () => {
    // Only the second reply is long (and slow enough to scroll during it); the first and third are short.
    const reply = (messages: BaseMessage[]): string => (messages[messages.length - 1].content === '再讲一个' ? LONG + '\n' + LONG : '好的。');
    const slow = await startWebDemo({ port: 0, model: new ScriptedChatModel({ reply, firstChunkDelayMs: 0, chunkDelayMs: 6 }) });
    const page = await browser.newPage({ viewport: { width: 900, height: 900 } });
    cleanup(() => slow.close());
    cleanup(() => page.close());
    await page.goto(slow.url);
    await askAndWait(page, '讲一个故事', 0);
    await page.fill('#question', '再讲一个');
    await page.click('#send');
    // Scroll up once the reply has filled the log well past its height, while it still streams.
    await page.waitForFunction(() => {
      const log = document.getElementById('log')!;
      return log.scrollHeight - log.clientHeight > 300;
    });
    expect(await replyState(page)).toBe('streaming');
    await page.mouse.move(450, 400);
    await page.mouse.wheel(0, -600);
    await page.waitForFunction(() => {
      const log = document.getElementById('log')!;
      return log.scrollHeight - log.scrollTop - log.clientHeight > 200;
    });
    const scrolled = (await lastBubble(page)).scrollTop;
    const length = await replyText(page).then((t) => t.length);
    await page.waitForFunction((n) => (document.querySelectorAll('.msg.assistant')[1]?.textContent ?? '').length > n + 100, length);
    expect((await lastBubble(page)).scrollTop).toBe(scrolled); // more text came, the view did not move
    await page.waitForFunction(() => (document.querySelectorAll('.msg.assistant')[1] as HTMLElement).dataset.state === 'done');
    expect((await lastBubble(page)).scrollTop).toBe(scrolled);
    await askAndWait(page, '第三个', 2);
    expect((await lastBubble(page)).fromBottom).toBeLessThanOrEqual(1);
  });

  it('at 390 px width Send and Stop are whole, side by side, and nothing overflows sideways', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    cleanup(() => page.close());
    await page.goto(demo.url);
    const layout = await page.evaluate(() => {
      const rect = (id: string) => {
        const r = document.getElementById(id)!.getBoundingClientRect();
        return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width };
      };
      return { send: rect('send'), stop: rect('stop'), question: rect('question'), width: document.documentElement.clientWidth, scrollWidth: document.documentElement.scrollWidth };
    });
    await page.screenshot({ path: '/tmp/web-demo-390.png' });
    expect(layout.scrollWidth).toBeLessThanOrEqual(layout.width);
    for (const button of [layout.send, layout.stop]) {
      expect(button.left).toBeGreaterThanOrEqual(0);
      expect(button.right).toBeLessThanOrEqual(layout.width);
      expect(button.width).toBeGreaterThan(40);
    }
    expect(layout.send.right).toBeLessThanOrEqual(layout.stop.left);
    expect(layout.question.right).toBeLessThanOrEqual(layout.send.left);
    expect(layout.question.width).toBeGreaterThan(120);
  });
});
