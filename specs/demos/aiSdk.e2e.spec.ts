/**
 * The web demo's "AI SDK" mode in Chromium: the page runs the AI SDK's own framework-free chat
 * client (`AbstractChat` + `DefaultChatTransport`, bundled from node_modules/ai) against
 * `POST /api/chat`, which streams the UI message stream with `sendUIMessageStream`.
 */
import type { Browser, Page } from 'playwright-core';
import { ChatOpenAI } from '@langchain/openai';
import { fromAsyncIterableFactory } from '../../src';
import type { StreamPart } from '../../src/parts/types';
import { AGENT_SYSTEM_PROMPT, startWebDemo, type WebDemo } from '../../demos/web/server';
import { replyTo } from '../../src/offline/cannedReplies';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../../src/testing';
import { launchChromium } from '../support/chromium';
import { useCleanup } from '../support/cleanup';

const cleanup = useCleanup();

const STORY = '讲一个关于程序员的故事';

const lastBubble = (page: Page): Promise<{ text: string; state?: string; tools: { tool?: string; state?: string; text: string | null }[] }> =>
  page.$$eval('.msg.assistant', (els) => {
    const el = els[els.length - 1] as HTMLElement;
    return {
      text: Array.from(el.childNodes).filter((n) => n.nodeType === 3).map((n) => n.textContent).join(''),
      state: el.dataset.state,
      tools: Array.from(el.querySelectorAll<HTMLElement>('.tool')).map((t) => ({ tool: t.dataset.tool, state: t.dataset.state, text: t.textContent })),
    };
  });

const waitForState = (page: Page, state: string): Promise<unknown> =>
  page.waitForFunction((s) => {
    const all = document.querySelectorAll('.msg.assistant');
    return (all[all.length - 1] as HTMLElement | undefined)?.dataset.state === s;
  }, state);

describe('web demo, AI SDK mode, in Chromium', () => {
  let browser: Browser;
  let openai: FakeOpenAIServer;
  let demo: WebDemo;
  let agentDemo: WebDemo;

  beforeAll(async () => {
    browser = await launchChromium();
    openai = await startFakeOpenAIServer({ chunkDelayMs: 20 });
    demo = await startWebDemo({
      port: 0,
      model: new ChatOpenAI({ apiKey: 'test', model: 'gpt-4o-mini', configuration: { baseURL: openai.baseURL } }),
    });
    // An agent-like run with two tool calls, to see the page render tool steps as they stream.
    const run: StreamPart[] = [
      { type: 'step-start', step: 0 },
      { type: 'text', text: 'Let me check.' },
      { type: 'tool-call-start', id: 'call_1', name: 'add', index: 0 },
      { type: 'tool-call-delta', id: 'call_1', argsText: '{"a":2,"b":3}' },
      { type: 'tool-call', id: 'call_1', name: 'add', args: { a: 2, b: 3 } },
      { type: 'tool-call', id: 'call_2', name: 'python_release', args: { version: '3.12' } },
      { type: 'step-finish', step: 0, finishReason: 'tool_calls' },
      { type: 'tool-result', id: 'call_1', name: 'add', content: '5', isError: false },
      { type: 'tool-result', id: 'call_2', name: 'python_release', content: '2023-10-02', isError: false },
      { type: 'step-start', step: 1 },
      { type: 'text', text: ' 2 + 3 = 5; Python 3.12: 2023-10-02 🐍' },
      { type: 'step-finish', step: 1, finishReason: 'stop' },
      { type: 'finish', finishReason: 'stop' },
    ];
    agentDemo = await startWebDemo({
      port: 0,
      agent: () =>
        fromAsyncIterableFactory(async function* () {
          for (const part of run) {
            await new Promise((resolve) => setTimeout(resolve, 5));
            yield part;
          }
        }),
    });
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
    await agentDemo?.close();
    await openai?.close();
  });

  it('streams the answer through the SDK client; Stop aborts the model request; the next turn sends the history', async () => {
    const page = await browser.newPage();
    cleanup(() => page.close());
    await page.goto(demo.url);
    await page.check('input[name="mode"][value="ai"]');
    await page.fill('#question', STORY);
    await page.click('#send');
    await page.waitForFunction(() => (document.querySelector('.msg.assistant')?.textContent ?? '').length > 0);
    const first = (await lastBubble(page)).text;
    await page.waitForFunction((n) => (document.querySelector('.msg.assistant')?.textContent ?? '').length > n, first.length);
    expect((await lastBubble(page)).state).toBe('streaming');

    const requestIndex = openai.requests.length - 1;
    await page.click('#stop');
    await waitForState(page, 'stopped');
    const record = await openai.waitForClose(requestIndex);
    expect(record.closedByClient).toBe(true);
    const stopped = (await lastBubble(page)).text;
    expect(replyTo(STORY).startsWith(stopped)).toBe(true);
    expect(stopped.length).toBeLessThan(replyTo(STORY).length);

    await page.fill('#question', '你好');
    await page.click('#send');
    await waitForState(page, 'done');
    expect((await lastBubble(page)).text).toBe(replyTo('你好'));
    // The server's history is the conversation: the stopped turn as saved (the partial answer the
    // server had produced when the stop reached it: at least what the page showed), then the new question.
    const sent = openai.requests.at(-1)!.body.messages.map((m) => [m.role, m.content]);
    const saved = sent[2]?.[1] as string;
    expect(saved.startsWith(stopped) && replyTo(STORY).startsWith(saved) && saved.length < replyTo(STORY).length).toBe(true);
    expect(sent).toEqual([
      // The demo's offline agent prompt, as createAgent sends it (a text block).
      ['system', [{ type: 'text', text: AGENT_SYSTEM_PROMPT }]],
      ['user', STORY],
      ['assistant', saved],
      ['user', '你好'],
    ]);
  });

  it('renders tool steps with their input and output, then the answer', async () => {
    const page = await browser.newPage();
    cleanup(() => page.close());
    await page.goto(agentDemo.url);
    await page.check('input[name="mode"][value="ai"]');
    await page.fill('#question', 'What is 2+3, and when did Python 3.12 come out?');
    await page.click('#send');
    await waitForState(page, 'done');
    expect(await lastBubble(page)).toEqual({
      text: 'Let me check. 2 + 3 = 5; Python 3.12: 2023-10-02 🐍',
      state: 'done',
      tools: [
        { tool: 'add', state: 'output-available', text: '🔧 add({"a":2,"b":3}) → 5' },
        { tool: 'python_release', state: 'output-available', text: '🔧 python_release({"version":"3.12"}) → 2023-10-02' },
      ],
    });
  });
});
