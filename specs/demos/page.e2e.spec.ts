/**
 * The web demo's page as a newcomer meets it in Chromium: one language (Chinese, as the rest of the
 * demos and the CLI), the question box focused on load, and finished SSE turns that end as a normal
 * close (no `net::ERR_ABORTED` in the network log).
 */
import type { Browser, Page } from 'playwright-core';
import { startWebDemo, type WebDemo } from '../../demos/web/server';
import { ScriptedChatModel } from '../../src/testing';
import { launchChromium } from '../support/chromium';
import { useCleanup } from '../support/cleanup';

const cleanup = useCleanup();

jest.setTimeout(120_000); // a browser on a loaded machine; nothing here measures time

/** Visible words of the page in Latin letters that are not names (SSE, WebSocket, AI SDK, Python, …). */
const NAMES = new Set(['SSE', 'WebSocket', 'AI', 'SDK', 'Python', 'model', 'offline', 'ScriptedChatModel', 'ChatOpenAI', 'gpt', 'mini', 'o', 'rxjs', 'langchain']);
const englishWords = (text: string): string[] => (text.match(/[A-Za-z]{2,}/g) ?? []).filter((w) => !NAMES.has(w));

describe('the web demo page in Chromium', () => {
  let browser: Browser;
  let demo: WebDemo;
  let page: Page;
  const failed: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    demo = await startWebDemo({ port: 0, model: new ScriptedChatModel({ reply: '你好！这是一个回答。', chunkDelayMs: 1 }) });
    page = await browser.newPage();
    page.on('requestfailed', (r) => failed.push(`${r.method()} ${new URL(r.url()).pathname}: ${r.failure()?.errorText}`));
    await page.goto(demo.url);
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  it('focuses the question box on load', async () => {
    await page.waitForFunction(() => document.readyState === 'complete');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('question');
  });

  it('speaks one language: buttons, title, notes and placeholders are Chinese', async () => {
    const ui = await page.evaluate(() => ({
      lang: document.documentElement.lang,
      title: document.title,
      text: document.body.innerText,
      labels: Array.from(document.querySelectorAll('button, legend')).map((e) => e.textContent ?? ''),
      placeholder: (document.getElementById('question') as HTMLInputElement).placeholder,
    }));
    expect(ui.lang).toBe('zh-CN');
    expect(englishWords([ui.title, ui.text, ...ui.labels, ui.placeholder].join(' '))).toEqual([]);
  });

  it('the note of a stopped reply is Chinese, like the CLI\'s [已停止]', async () => {
    const slow = await startWebDemo({ port: 0, model: new ScriptedChatModel({ reply: '很长的回答。'.repeat(200), chunkDelayMs: 20 }) });
    const p = await browser.newPage();
    cleanup(() => slow.close());
    cleanup(() => p.close());
    await p.goto(slow.url);
    await p.fill('#question', '讲一个故事');
    await p.click('#send');
    await p.waitForFunction(() => (document.querySelector('.msg.assistant')?.textContent ?? '').length > 10);
    await p.click('#stop');
    await p.waitForFunction(() => (document.querySelector('.msg.assistant') as HTMLElement).dataset.state === 'stopped');
    expect(await p.$eval('.msg.assistant .note', (e) => e.textContent)).toBe('已停止');
  });

  it('finished SSE turns close normally: no request of theirs fails (net::ERR_ABORTED)', async () => {
    for (let turn = 0; turn < 5; turn++) {
      await page.fill('#question', `第 ${turn} 个问题`);
      await page.click('#send');
      await page.waitForFunction((n) => (document.querySelectorAll('.msg.assistant')[n] as HTMLElement | undefined)?.dataset.state === 'done', turn);
    }
    // A last request that the page makes after the turns: once it is answered, every earlier one has settled.
    await page.evaluate(() => fetch('/api/info').then((r) => r.text()));
    expect(failed).toEqual([]);
  });
});
