/**
 * The guide's style rule (issue 26): no function in src/ or demos/ longer than 80 lines, so each
 * reads at once. Counted with the TypeScript parser: every function, method, constructor and
 * arrow function, from its first line to its last (JSDoc not included).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const root = join(__dirname, '../..');
const MAX_LINES = 80;
const FOLDERS = ['src', 'demos'];

/**
 * Functions still over the limit while their owners split them, as `file name` (e.g.
 * 'src/history/ChatSession.ts constructor'). Empty: every split has landed. An entry is removed
 * with its split: an entry whose function is within the limit fails below.
 */
const EXCEPTIONS = new Set<string>([]);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules') return [];
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function isFunction(node: ts.Node): node is ts.FunctionLikeDeclaration {
  return ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node);
}

/** Every function over the limit, as `file name: N lines` keyed by `file name`. */
function longFunctions(): Map<string, string> {
  const long = new Map<string, string>();
  for (const file of FOLDERS.flatMap((folder) => sources(join(root, folder)))) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (isFunction(node)) {
        const first = source.getLineAndCharacterOfPosition(node.getStart()).line;
        const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
        const name = ts.isConstructorDeclaration(node) ? 'constructor' : node.name?.getText() ?? '(anonymous)';
        const key = `${relative(root, file)} ${name}`;
        if (last - first + 1 > MAX_LINES) long.set(key, `${relative(root, file)}:${first + 1} ${name}: ${last - first + 1} lines`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return long;
}

const long = longFunctions();

test(`every function in ${FOLDERS.join('/ and ')}/ is at most ${MAX_LINES} lines`, () => {
  expect([...long].filter(([key]) => !EXCEPTIONS.has(key)).map(([, where]) => where)).toEqual([]);
});

test('every exception is still over the limit (remove an entry once its function is split)', () => {
  expect([...EXCEPTIONS].filter((key) => !long.has(key))).toEqual([]);
});
