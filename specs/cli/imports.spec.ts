/**
 * The CLI and the demos are applications of the library: from src/ they import only the public
 * entries (src/index.ts, src/node/index.ts, src/offline/index.ts) and the CLI's own files
 * (src/cli/**), never src/internal/*, a module behind an entry, or the test kit.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = join(__dirname, '../..');
const ALLOWED = ['src/index.ts', 'src/node/index.ts', 'src/offline/index.ts'];

function filesUnder(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return name === 'node_modules' || name === 'public' ? [] : filesUnder(path);
    return /\.(ts|js)$/.test(name) ? [path] : [];
  });
}

/** Every module specifier: static and type imports, re-exports, import() and require(). */
function specifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [/\bfrom\s+['"]([^'"]+)['"]/g, /\bimport\s+['"]([^'"]+)['"]/g, /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g, /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const pattern of patterns) for (const m of source.matchAll(pattern)) found.push(m[1]);
  return found;
}

/** The repository file a relative specifier names (`x` → x.ts, x/index.ts, …). */
function resolveFile(from: string, specifier: string): string {
  const base = resolve(root, dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, `${base}.js`, join(base, 'index.ts'), join(base, 'index.js')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return relative(root, candidate);
  }
  return relative(root, base);
}

function violations(files: string[], read = (file: string): string => readFileSync(join(root, file), 'utf8')): string[] {
  const bad: string[] = [];
  for (const file of files) {
    for (const specifier of specifiers(read(file))) {
      if (!specifier.startsWith('.')) continue; // a package
      const target = resolveFile(file, specifier);
      if (!target.startsWith('src/')) continue; // demos' own files
      if (ALLOWED.includes(target) || target.startsWith('src/cli/')) continue;
      bad.push(`${file} imports ${specifier} (${target})`);
    }
  }
  return bad;
}

describe('the CLI and the demos use only the public entries', () => {
  it('src/cli/** imports nothing under src/ but src/index.ts, src/node/index.ts, src/offline/index.ts and src/cli/**', () => {
    const files = filesUnder('src/cli');
    expect(files.length).toBeGreaterThan(8);
    expect(violations(files)).toEqual([]);
  });

  it('demos/** imports nothing under src/ but those entries and src/cli/**', () => {
    const files = filesUnder('demos');
    expect(files).toContain('demos/lib/compareInvokeAndStream.ts');
    expect(violations(files)).toEqual([]);
  });

  it('the check itself catches an internal import, a module behind an entry, and the test kit', () => {
    const source = [
      "import { fromRunnable } from '../src';",
      "import { FileChatMessageHistory } from '../src/node';",
      "import { createColors } from '../src/cli/terminal';",
      "import { describe } from '../src/internal/validate';",
      "export { chunk } from \"../src/testing\";",
      "const { fromRunnable: f } = require('../src/sources/fromRunnable');",
      "import type { TurnEvent } from '../src/history/types';",
    ].join('\n');
    expect(violations(['demos/probe.ts'], () => source)).toEqual([
      'demos/probe.ts imports ../src/internal/validate (src/internal/validate.ts)',
      'demos/probe.ts imports ../src/testing (src/testing/index.ts)',
      'demos/probe.ts imports ../src/history/types (src/history/types.ts)',
      'demos/probe.ts imports ../src/sources/fromRunnable (src/sources/fromRunnable.ts)',
    ]);
  });
});
