/**
 * The disk cache of ts-node's output that the specs' child processes share
 * (specs/support/tsNodeCache.js, docs/decisions/0390): a file is transpiled once per content, and a
 * changed file, another path or other compiler options are never answered from the cache.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain CommonJS preload, loaded as Node loads it
const { cacheCompiles } = require('../support/tsNodeCache.js') as {
  cacheCompiles: (service: FakeService, dir: string, sources?: Map<string, string>) => FakeService;
};

interface FakeService {
  options: { transpileOnly: boolean };
  ts: { version: string };
  config: { options: Record<string, unknown> };
  compile: (code: string, fileName: string) => string;
}

/** A ts-node service whose compile counts its calls and names what it compiled and how. */
function fakeService(transpileOnly = true, options: Record<string, unknown> = { module: 100 }) {
  const calls: string[] = [];
  const service: FakeService = {
    options: { transpileOnly },
    ts: { version: '5.9.3' },
    config: { options },
    compile: (code, fileName) => (calls.push(fileName), `/* ${JSON.stringify(options)} */ ${fileName}: ${code}`),
  };
  return { service, calls };
}

describe('the ts-node output cache of the specs’ child processes', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rxlc-ts-node-cache-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('transpiles a file once: a second process (service) reads the same output back', () => {
    const first = fakeService();
    const second = fakeService();
    const sources = new Map<string, string>();
    const out = cacheCompiles(first.service, dir).compile('const a = 1;', '/x/a.ts');
    expect(cacheCompiles(second.service, dir, sources).compile('const a = 1;', '/x/a.ts')).toBe(out);
    expect([first.calls, second.calls]).toEqual([['/x/a.ts'], []]);
    // source-map-support asks for the served output to map stack traces into the TypeScript.
    expect(sources.get('/x/a.ts')).toBe(out);
    expect(readdirSync(dir)).toHaveLength(1);
  });

  it('transpiles again when the content, the path or the compiler options differ', () => {
    cacheCompiles(fakeService().service, dir).compile('const a = 1;', '/x/a.ts');
    const changed = fakeService();
    const compile = cacheCompiles(changed.service, dir).compile;
    expect(compile('const a = 2;', '/x/a.ts')).toBe(`/* {"module":100} */ /x/a.ts: const a = 2;`);
    compile('const a = 1;', '/x/b.ts');
    const otherOptions = fakeService(true, { module: 1 });
    expect(cacheCompiles(otherOptions.service, dir).compile('const a = 1;', '/x/a.ts')).toBe(`/* {"module":1} */ /x/a.ts: const a = 1;`);
    expect([changed.calls, otherOptions.calls]).toEqual([['/x/a.ts', '/x/b.ts'], ['/x/a.ts']]);
  });

  it('leaves a type-checking service alone: its output depends on other files and its errors must be raised', () => {
    const checking = fakeService(false);
    const compile = checking.service.compile;
    expect(cacheCompiles(checking.service, dir).compile).toBe(compile);
    expect(readdirSync(dir)).toEqual([]);
  });
});
