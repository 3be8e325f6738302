/**
 * Every name of ours that docs/*.md put in backticks exists in the declarations of some entry
 * point: an export, or a member of one (an option, a field, a method). Names that belong to
 * LangChain, RxJS, the AI SDK, Node or the web platform are listed below. A renamed or removed API
 * (`runningText`), or a field that is in no `.d.ts` (`partial_reason` was), fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { repoRoot } from '../support/packedPackage';
import { ENTRIES } from '../support/publicApi';

/** Every name declared in the sources the entry points reach: exports, members, parameters. */
function declaredNames(): Set<string> {
  const config = ts.readConfigFile(join(repoRoot, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, repoRoot);
  // The package's entries, and the applications docs/cli.md and docs/web.md describe (the CLI, the demos).
  const roots = [...Object.values(ENTRIES), 'src/cli/main.ts', 'demos/index.ts', 'demos/web/server.ts'];
  const program = ts.createProgram(roots.map((f) => join(repoRoot, f)), { ...options, noEmit: true });
  const names = new Set<string>();
  for (const source of program.getSourceFiles()) {
    const where = relative(repoRoot, source.fileName);
    if (!where.startsWith('src/') && !where.startsWith('demos/')) continue;
    const exported = (node: ts.Node): boolean =>
      (ts.getCombinedModifierFlags(node as ts.Declaration) & ts.ModifierFlags.Export) !== 0 ||
      (ts.isVariableDeclaration(node) && ts.isVariableStatement(node.parent.parent) && exported(node.parent.parent));
    const visit = (node: ts.Node): void => {
      // What a .d.ts would have: exported top-level declarations and everything inside them.
      if (node.parent === source && !ts.isExportDeclaration(node) && !ts.isExportAssignment(node) && !(ts.isVariableStatement(node) ? exported(node) : exported(node))) return;
      if (
        (ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node) || ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node) ||
          ts.isPropertySignature(node) || ts.isPropertyDeclaration(node) || ts.isMethodSignature(node) || ts.isMethodDeclaration(node) ||
          ts.isGetAccessorDeclaration(node) || ts.isVariableDeclaration(node) || ts.isEnumMember(node) || ts.isParameter(node) ||
          ts.isExportSpecifier(node)) &&
        node.name !== undefined && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name))
      ) {
        names.add(node.name.text);
      }
      if (ts.isLiteralTypeNode(node) && ts.isStringLiteral(node.literal)) names.add(node.literal.text);
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return names;
}

/** Ours by their shape: camelCase or PascalCase with an inner capital, or snake_case. */
const LOOKS_OURS = /^(?:[a-z]+[A-Z][A-Za-z0-9]*|[A-Z][a-z0-9]+[A-Z][A-Za-z0-9]*|[a-z]+(?:_[a-z]+)+)$/;

/** Names in docs that are not ours (LangChain, RxJS, the AI SDK, OpenAI, Node, the web platform) or not API. */
const NOT_OURS = new Set(
  readFileSync(join(__dirname, 'doc-names.allow.txt'), 'utf8')
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .flatMap((line) => line.split(/\s+/))
    .filter(Boolean),
);

function namesInDocs(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const dir = join(repoRoot, 'docs');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.md'))) {
    const text = readFileSync(join(dir, file), 'utf8').replace(/^```[\s\S]*?^```/gm, ''); // prose only, not code blocks
    for (const [, span] of text.matchAll(/`([^`\n]+)`/g)) {
      if (/^[\w./-]+\.(?:ts|md|js|json|jsonl)$/.test(span)) continue; // a file name, e.g. `specs/demos/webDemo.spec.ts`
      for (const token of span.split(/[^A-Za-z0-9_$]+/)) {
        if (!LOOKS_OURS.test(token)) continue;
        found.set(token, [...(found.get(token) ?? []), file]);
      }
    }
  }
  return found;
}

describe('docs/*.md', () => {
  it('name only what the declarations have (or a listed name of another library)', () => {
    const declared = declaredNames();
    const missing = [...namesInDocs()]
      .filter(([name]) => !declared.has(name) && !NOT_OURS.has(name))
      .map(([name, files]) => `${name} (${[...new Set(files)].join(', ')})`);
    expect(missing).toEqual([]);
  });
});
