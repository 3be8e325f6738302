import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..');
const node = (args: string[]): string => execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 60_000 });

/** The built package, loaded by name the way users load it (package self-reference). */
describe('built package (npm run build)', () => {
  beforeAll(() => {
    execFileSync(process.execPath, [join(root, 'scripts/build.js')], { cwd: root, stdio: 'pipe', timeout: 180_000 });
  }, 200_000);

  const script = `
    const rx = await load('rxjs-langchain');
    const kit = await load('rxjs-langchain/testing');
    const { lastValueFrom } = await load('rxjs');
    const text = await lastValueFrom(rx.fromRunnable(new kit.ScriptedChatModel({ reply: '你好 🌏' }), 'q').pipe(rx.collectText()));
    console.log(JSON.stringify({ text, fromRunnable: typeof rx.fromRunnable, aborted: typeof rx.StreamAbortedError, server: typeof kit.startFakeOpenAIServer }));
  `;

  it('loads with require (CommonJS) and streams', () => {
    const out = node(['-e', `const load = async (n) => require(n); (async () => { ${script} })()`]);
    expect(JSON.parse(out)).toEqual({ text: '你好 🌏', fromRunnable: 'function', aborted: 'function', server: 'function' });
  });

  it('loads with import (ESM) and streams', () => {
    const out = node(['--input-type=module', '-e', `const load = (n) => import(n); ${script}`]);
    expect(JSON.parse(out)).toEqual({ text: '你好 🌏', fromRunnable: 'function', aborted: 'function', server: 'function' });
  });

  it('gives require and import the same classes (no dual-package hazard)', () => {
    const out = node([
      '--input-type=module',
      '-e',
      `import { createRequire } from 'node:module';
       import { StreamAbortedError } from 'rxjs-langchain';
       import { ScriptedChatModel } from 'rxjs-langchain/testing';
       const require = createRequire(process.cwd() + '/');
       console.log(StreamAbortedError === require('rxjs-langchain').StreamAbortedError, ScriptedChatModel === require('rxjs-langchain/testing').ScriptedChatModel);`,
    ]);
    expect(out.trim()).toBe('true true');
  });

  it('ships type declarations for both entry points', () => {
    const out = node(['-e', `const fs=require('fs'); console.log(['dist/cjs/index.d.ts','dist/cjs/testing/index.d.ts'].every(f=>fs.existsSync(f)))`]);
    expect(out.trim()).toBe('true');
  });
});
