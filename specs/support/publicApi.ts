import { join, relative } from 'node:path';
import ts from 'typescript';
import { repoRoot } from './packedPackage';

/** The package's entry points and their sources. */
export const ENTRIES: Readonly<Record<string, string>> = {
  'rxjs-langchain': 'src/index.ts',
  'rxjs-langchain/node': 'src/node/index.ts',
  'rxjs-langchain/offline': 'src/offline/index.ts',
  'rxjs-langchain/testing': 'src/testing/index.ts',
};

/** One runtime export (a function, a class or a value) of one entry point, with its JSDoc. */
export interface PublicExport {
  readonly entry: string;
  readonly name: string;
  readonly kind: 'function' | 'class' | 'value';
  /** `src/operators/abortOn.ts:60`: where it is declared. */
  readonly where: string;
  /** The JSDoc's text before the first tag. */
  readonly summary: string;
  /** Tag name → the text of each such tag (`param` texts start with the parameter's name). */
  readonly tags: ReadonlyMap<string, readonly string[]>;
  /** Parameter names (of the function, or of the class's constructor). */
  readonly parameters: readonly string[];
  /** The ```ts blocks of its `@example` tags, each with the line (in `where`'s file) of its first line. */
  readonly examples: ReadonlyArray<{ readonly where: string; readonly code: string }>;
}

const text = (comment: string | ts.NodeArray<ts.JSDocComment> | undefined): string =>
  typeof comment === 'string' ? comment : (comment?.map((c) => c.getText()).join('') ?? '');

/** The runtime exports of every entry point, read from the sources with the TypeScript compiler. */
export function publicExports(): PublicExport[] {
  const config = ts.readConfigFile(join(repoRoot, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, repoRoot);
  const program = ts.createProgram(Object.values(ENTRIES).map((f) => join(repoRoot, f)), { ...options, noEmit: true });
  const checker = program.getTypeChecker();
  const result: PublicExport[] = [];
  for (const [entry, file] of Object.entries(ENTRIES)) {
    const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(join(repoRoot, file))!)!;
    for (const symbol of checker.getExportsOfModule(moduleSymbol)) {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      if ((target.flags & ts.SymbolFlags.Value) === 0) continue;
      result.push(describeExport(entry, symbol.name, target, checker));
    }
  }
  return result;
}

function describeExport(entry: string, name: string, symbol: ts.Symbol, checker: ts.TypeChecker): PublicExport {
  const declarations = symbol.declarations ?? [];
  const classDecl = declarations.find(ts.isClassDeclaration);
  const fn = declarations.find(ts.isFunctionDeclaration); // overloads: the first signature carries the docs
  const variable = declarations.find(ts.isVariableDeclaration);
  const callable = variable !== undefined && checker.getTypeOfSymbolAtLocation(symbol, variable).getCallSignatures().length > 0;
  const kind: PublicExport['kind'] = classDecl ? 'class' : fn || callable ? 'function' : 'value';
  const main: ts.Node = classDecl ?? fn ?? (variable ? variable.parent.parent : declarations[0]);
  const source = main.getSourceFile();
  const file = relative(repoRoot, source.fileName);
  const lineOf = (pos: number): number => source.getLineAndCharacterOfPosition(pos).line + 1;

  const jsDocs = ts.getJSDocCommentsAndTags(main).filter(ts.isJSDoc);
  const doc = jsDocs.at(-1);
  const allTags: ts.JSDocTag[] = [...(doc?.tags ?? [])];
  const ctor = classDecl?.members.find(ts.isConstructorDeclaration);
  if (ctor) allTags.push(...(ts.getJSDocCommentsAndTags(ctor).filter(ts.isJSDoc).at(-1)?.tags ?? []));
  const tags = new Map<string, string[]>();
  for (const tag of allTags) {
    const key = tag.tagName.text === 'return' ? 'returns' : tag.tagName.text;
    const body = ts.isJSDocParameterTag(tag) ? `${tag.name.getText()} ${text(tag.comment)}` : text(tag.comment);
    tags.set(key, [...(tags.get(key) ?? []), body]);
  }

  let params: readonly ts.ParameterDeclaration[] = [];
  if (ctor) params = ctor.parameters;
  else if (fn) params = fn.parameters;
  else if (variable?.initializer && (ts.isArrowFunction(variable.initializer) || ts.isFunctionExpression(variable.initializer))) params = variable.initializer.parameters;

  const examples: Array<{ where: string; code: string }> = [];
  for (const tag of allTags.filter((t) => t.tagName.text === 'example')) {
    // Read the tag from the file itself: the fence's line numbers, and the code exactly as written.
    const raw = source.text.slice(tag.getStart(), tag.getEnd()).split('\n');
    const startLine = lineOf(tag.getStart());
    const lines = raw.map((l) => l.replace(/^\s*\* ?/, ''));
    for (let i = 0; i < lines.length; i++) {
      if (!/^```(ts|typescript)\b/.test(lines[i]) || /\bfragment\b/.test(lines[i])) continue;
      const body: string[] = [];
      let j = i + 1;
      for (; j < lines.length && !lines[j].startsWith('```'); j++) body.push(lines[j]);
      examples.push({ where: `${file}:${startLine + i + 1}`, code: body.join('\n') + '\n' });
      i = j;
    }
  }

  return {
    entry,
    name,
    kind,
    where: `${file}:${lineOf(main.getStart())}`,
    summary: doc ? text(doc.comment).trim() : '',
    tags,
    parameters: params.filter((p) => ts.isIdentifier(p.name)).map((p) => (p.name as ts.Identifier).text),
    examples,
  };
}
