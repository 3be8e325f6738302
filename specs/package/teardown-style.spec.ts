/**
 * What a spec starts, it closes with a closer registered with a hook (specs/support/cleanup.ts's
 * `useCleanup`, or an afterEach/afterAll), never in a `finally`: a test that times out never runs
 * its `finally` (the awaited promise never settles), and what it left open kept jest, and CI,
 * alive after the run (docs/decisions/0395). Checked with the TypeScript parser over every spec
 * file: no `finally` block calls a closing method (close, stop, end, destroy, kill, terminate,
 * disconnect, quit). A `finally` that restores a mock, the clock or a counter is fine: it has no
 * handle to leave open.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const root = join(__dirname, '../..');
const CLOSING = new Set(['close', 'stop', 'end', 'destroy', 'kill', 'terminate', 'disconnect', 'quit', 'closeAllConnections']);

function specFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules') return [];
    return statSync(path).isDirectory() ? specFiles(path) : path.endsWith('.spec.ts') ? [path] : [];
  });
}

/** `file:line: text` of every closing call inside a `finally` block of `source`. */
function closesInFinally(file: string, source: string): string[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: string[] = [];
  const inFinally = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && CLOSING.has(node.expression.name.text)) {
      const { line } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
      found.push(`${file}:${line + 1}: ${node.getText(sf).split('\n')[0]}`);
    }
    ts.forEachChild(node, inFinally);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isTryStatement(node) && node.finallyBlock) inFinally(node.finallyBlock);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

describe('specs close what they start with hooks, not finally', () => {
  it('no spec closes anything in a finally block (register a closer: useCleanup)', () => {
    const files = specFiles(join(root, 'specs'));
    expect(files.length).toBeGreaterThan(100);
    const found = files.flatMap((path) => closesInFinally(relative(root, path), readFileSync(path, 'utf8')));
    expect(found).toEqual([]);
  });

  it('finds one reinserted (the check can fail)', () => {
    const old = `it('x', async () => {\n  const s = await start();\n  try {\n    expect(1).toBe(1);\n  } finally {\n    await s.close();\n    c.ws.close();\n  }\n});\n`;
    expect(closesInFinally('old.spec.ts', old)).toEqual(['old.spec.ts:6: s.close()', 'old.spec.ts:7: c.ws.close()']);
    expect(closesInFinally('mock.spec.ts', `try { run(); } finally { spy.mockRestore(); }`)).toEqual([]);
  });
});
