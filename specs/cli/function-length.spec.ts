/**
 * The guide's style rule for the CLI: no function in src/cli longer than 80 lines (runChat was
 * 296). Counted with the TypeScript parser: every function, method and arrow function.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const root = join(__dirname, '../..');
const MAX_LINES = 80;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

test(`every function in src/cli is at most ${MAX_LINES} lines`, () => {
  const long: string[] = [];
  for (const file of sources(join(root, 'src/cli'))) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isArrowFunction(node) || ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node)) {
        const first = source.getLineAndCharacterOfPosition(node.getStart()).line;
        const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
        const name = (node as ts.FunctionDeclaration).name?.getText() ?? '(anonymous)';
        if (last - first + 1 > MAX_LINES) long.push(`${relative(root, file)}:${first + 1} ${name}: ${last - first + 1} lines`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  expect(long).toEqual([]);
});
