import type { Browser, Page } from 'playwright-core';
import { ChatOpenAI } from '@langchain/openai';
import { startWebDemo, type WebDemo } from '../../demos/web/server';
import { replyTo } from '../../src/offline/cannedReplies';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../../src/testing';
import { launchChromium } from '../support/chromium';

const STORY = '讲一个关于程序员的故事';

/** Text of the latest assistant bubble without its status note. */
const replyText = (page: Page): Promise<string> =>
  page.$$eval('.msg.assistant', (els) => {
    const el = els[els.length - 1];
    return el ? Array.from(el.childNodes).filter((n) => n.nodeType === 3).map((n) => n.textContent).join('') : '';
  });
const replyState = (page: Page): Promise<string | undefined> =>
  page.$$eval('.msg.assistant', (els) => (els[els.length - 1] as HTMLElement | undefined)?.dataset.state);

describe('web demo in Chromium', () => {
  let browser: Browser;
  let openai: FakeOpenAIServer;
  let demo: WebDemo;

  beforeAll(async () => {
    browser = await launchChromium();
    openai = await startFakeOpenAIServer({ tokenMs: 20 });
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
      try {
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
      } finally {
        await page.close();
      }
    });
  }
});
