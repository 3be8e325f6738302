/**
 * The packaged Chromium (`@sparticuz/chromium`, for machines without a system one) with
 * CHROMIUM_PATH unset and the system Chromium hidden (RXJS_LANGCHAIN_PACKAGED_CHROMIUM): two
 * processes that unpack and launch it at the same moment into the same empty folder both get a
 * working browser, and one whole copy is left (specs/support/chromium.ts). It was one shared
 * /tmp/chromium that a second process launched half-written.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FORCE_PACKAGED } from '../support/chromium';
import { TS_NODE } from '../support/tsNode';

const root = join(__dirname, '../..');
jest.setTimeout(300_000); // unpacking ~170 MB twice at once on a loaded machine; nothing measures time

const LAUNCH = `
const { launchChromium, chromiumExecutable } = require('./specs/support/chromium');
(async () => {
  const { executablePath, packaged } = await chromiumExecutable();
  const browser = await launchChromium();
  const page = await browser.newPage();
  await page.setContent('<p id="x">你好 😀</p>');
  const text = await page.$eval('#x', (e) => e.textContent);
  await browser.close();
  process.stdout.write(JSON.stringify({ executablePath, packaged, text }));
})().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
`;

function launchInChild(dir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, [FORCE_PACKAGED]: '1', RXJS_LANGCHAIN_CHROMIUM_DIR: dir };
  delete env.CHROMIUM_PATH;
  return new Promise((resolve) => {
    execFile(process.execPath, [...TS_NODE, '-e', LAUNCH], { cwd: root, env }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('the packaged Chromium', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rxlc-packaged-chromium-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('two processes unpacking and launching it at once both work; one whole copy is left, no staging folder', async () => {
    const results = await Promise.all([launchInChild(dir), launchInChild(dir)]);
    for (const r of results) {
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
      const out = JSON.parse(r.stdout) as { executablePath: string; packaged: boolean; text: string };
      expect(out).toMatchObject({ packaged: true, text: '你好 😀' });
      expect(out.executablePath.startsWith(dir)).toBe(true);
    }
    expect(readdirSync(dir)).toEqual([expect.stringMatching(/^rxjs-langchain-chromium-[\d.]+-\d+$/)]);
  });
});
