/**
 * The web page's 智能体协议 mode — `@langchain/react`'s `useStream`, bundled by esbuild — in
 * headless Chromium against two web demo instances over one real redis-server (events, locks) and
 * one Postgres database (thread state: each instance its own PostgresSaver, as two processes). The page is
 * reloaded on the other instance: a pending approval hydrates there and is answered there; a
 * message half streamed by one instance goes on on the other; 拒绝 and 停止 work. The model holds in the middle of
 * its answer (specs/support/heldChatModel.ts), so "mid-run" never depends on the machine's
 * speed; every wait is on the page's DOM, none on a clock.
 */
import { MemorySaver } from '@langchain/langgraph';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { offlineAgent } from '../../demos/lib/offlineAgent';
import { startWebDemo, type WebDemo } from '../../demos/web/server';
import { ToolGate } from '../support/agentProtocol';
import { launchChromium } from '../support/chromium';
import { HeldChatModel } from '../support/heldChatModel';
import { POSTGRES_SKIP_MESSAGE, startPostgresServer, type PostgresServer } from '../support/postgres';
import { describeWithRedis, startRedisServer, type RedisServer } from '../support/redis';

jest.setTimeout(600_000); // a browser, React and two servers on a loaded machine; nothing here measures time

const QUESTION = 'Python 3.12 是什么时候发布的？';
const ANSWER = 'Python 3.12 于 2023 年 10 月 2 日发布。 🐍';
/** Where the screenshots go (the closing note describes them). */
export const SCREENSHOTS = { midRun: join(tmpdir(), 'agent-protocol-mid-run.png'), done: join(tmpdir(), 'agent-protocol-done.png') };

/** The page's view of the thread: bubbles, tool rows, the approval, whether a run is on. */
const view = (page: Page) =>
  page.evaluate(() => ({
    loading: document.querySelector('.agent-chat')?.getAttribute('data-loading'),
    thread: document.querySelector('.agent-chat')?.getAttribute('data-thread'),
    users: Array.from(document.querySelectorAll('.agent-log .msg.user')).map((e) => e.textContent),
    answers: Array.from(document.querySelectorAll('.agent-log .msg.assistant:not(.approval)')).map((e) => e.firstChild?.nodeType === 3 ? e.firstChild.textContent : ''),
    results: Array.from(document.querySelectorAll('.agent-log > .tool')).map((e) => e.textContent),
    approval: document.querySelector('.approval') !== null,
  }));

/** Waits until the last answer bubble has text, or exactly `text` (a DOM condition, no clock). */
const answerShown = (page: Page, text?: string) =>
  page.waitForFunction((expected) => {
    const last = Array.from(document.querySelectorAll('.agent-log .msg.assistant:not(.approval)')).at(-1)?.firstChild;
    const shown = last?.nodeType === 3 ? last.textContent ?? '' : '';
    return expected === null ? shown.length > 0 : shown === expected;
  }, text ?? null);

describeWithRedis('the 智能体协议 page (useStream) on two instances over Redis', () => {
  let redis: RedisServer;
  let pg: PostgresServer | undefined;
  let browser: Browser;
  let a: WebDemo;
  let b: WebDemo;
  const gate = new ToolGate();
  const errors: string[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    // Each instance opens its own PostgresSaver on one database (DATABASE_URL), as two processes
    // do. Without Postgres binaries, one MemorySaver object stands in for the shared database.
    if (POSTGRES_SKIP_MESSAGE) console.log(`${POSTGRES_SKIP_MESSAGE} The page spec shares one MemorySaver instead.`);
    pg = POSTGRES_SKIP_MESSAGE ? undefined : await startPostgresServer();
    const databaseUrl = await pg?.createDatabase();
    const shared = pg ? undefined : new MemorySaver();
    const instance = () => {
      const model = new HeldChatModel(gate, { holdAfter: 4, chunkDelayMs: 5 });
      const graph = offlineAgent({ model, latency: { firstChunkDelayMs: 0, chunkDelayMs: 5 } });
      return startWebDemo({ port: 0, model, scaleOut: { redisUrl: redis.url, databaseUrl }, agentProtocol: { graph, checkpointer: shared } });
    };
    [a, b] = [await instance(), await instance()];
    browser = await launchChromium();
  });
  afterAll(async () => {
    gate.release();
    await browser?.close();
    await a?.close();
    await b?.close();
    await redis?.stop();
    await pg?.stop();
  });

  const open = async (url: string): Promise<Page> => {
    const page = await browser.newPage();
    page.setDefaultTimeout(0); // wait on the DOM as long as the run takes
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url);
    await page.waitForSelector('.agent-chat');
    return page;
  };

  it('a question asked on A waits for approval; reloaded on B the approval is there, and 批准 resumes the run', async () => {
    const first = await open(`${a.url}/?mode=agent`);
    await first.fill('.agent-question', QUESTION);
    await first.click('.agent-send');
    await first.waitForSelector('.approval button.approve:not([disabled])');
    const thread = new URL(first.url()).searchParams.get('thread');
    expect(thread).toMatch(/^[0-9a-f-]{36}$/);
    expect(await view(first)).toMatchObject({ loading: 'false', thread, users: [QUESTION], approval: true });
    await first.close();

    // Reload on the other instance: the thread hydrates from the shared state, the approval with it.
    gate.held = true; // the answer will stop half way
    const second = await open(`${b.url}/?mode=agent&thread=${thread}`);
    await second.waitForSelector('.approval button.approve:not([disabled])');
    expect(await second.$eval('.approval .tool', (e) => e.textContent)).toBe('🔧 python_release({"version":"3.12"})');
    await second.click('.approval button.approve');
    await gate.started(); // the tool ran, the model is half way through its answer
    await second.waitForSelector('.agent-log > .tool[data-tool="python_release"]');
    await answerShown(second);
    expect(await view(second)).toMatchObject({ loading: 'true', approval: false, results: ['🔧 python_release → {"version":"3.12","released":"2023-10-02"}'] });

    // Reload mid-run on the other instance (A, which does not run it): the half message is replayed, then goes on.
    await second.close();
    const third = await open(`${a.url}/?mode=agent&thread=${thread}`);
    await answerShown(third);
    const half = await view(third);
    expect(half.loading).toBe('true');
    expect(ANSWER.startsWith(half.answers.at(-1)!) && half.answers.at(-1) !== ANSWER).toBe(true);
    await third.screenshot({ path: SCREENSHOTS.midRun });
    gate.release();
    await third.waitForSelector('.agent-chat[data-loading="false"]');
    await answerShown(third, ANSWER);
    await third.screenshot({ path: SCREENSHOTS.done });
    // One bubble per message: the replayed part and the live part made one message, not two.
    expect(await view(third)).toMatchObject({ users: [QUESTION], answers: ['', ANSWER], results: ['🔧 python_release → {"version":"3.12","released":"2023-10-02"}'], approval: false });
    expect(gate.calls).toBe(1); // the answer was generated once, on B
    expect(errors).toEqual([]);
    await third.close();
  });

  it('拒绝 on the other instance: the tool does not run and the agent says so', async () => {
    const page = await open(`${a.url}/?mode=agent`);
    await page.fill('.agent-question', 'Python 3.11 是什么时候发布的？');
    await page.click('.agent-send');
    await page.waitForSelector('.approval button.reject:not([disabled])');
    const thread = new URL(page.url()).searchParams.get('thread');
    await page.close();
    const other = await open(`${b.url}/?mode=agent&thread=${thread}`);
    await other.click('.approval button.reject');
    await answerShown(other, '好的，没有执行：用户拒绝了 python_release 调用 🙅');
    await other.waitForSelector('.agent-chat[data-loading="false"]');
    expect(await view(other)).toMatchObject({ answers: ['', '好的，没有执行：用户拒绝了 python_release 调用 🙅'], results: ['🔧 python_release → 用户拒绝了 python_release 调用'], approval: false });
    await other.close();
  });

  it('停止 cancels the run (the page that started it knows its id), and the thread takes the next question', async () => {
    gate.held = true;
    const page = await open(`${a.url}/?mode=agent`);
    await page.fill('.agent-question', '讲一个关于程序员的故事');
    await page.click('.agent-send');
    await gate.started(); // half way through the story
    await answerShown(page);
    await page.click('.agent-stop');
    await page.waitForSelector('.agent-chat[data-loading="false"]');
    // The next run of the thread waits for the thread's lock: once it asks for approval, the
    // stopped run has ended, and it ended by the cancel (the held model was aborted, never released).
    await page.fill('.agent-question', 'Python 3.12 是什么时候发布的？');
    await page.click('.agent-send');
    await page.waitForSelector('.approval button.approve:not([disabled])');
    expect(gate.aborted).toBe(1);
    gate.release();
    await page.close();
  });
});
