/**
 * The guide's spec style (issue 26): marble diagrams are aligned `const` lines, as in RxJS's own
 * specs, so a test's diagrams read as one timeline:
 *
 *     const e1 =   cold('--a--b--|');
 *     const e1subs =    '^-------!';
 *     const expected =  '--x--y--|';
 *     expectObservable(e1.pipe(op())).toBe(expected, values);
 *     expectSubscriptions(e1.subscriptions).toBe(e1subs);
 *
 * Checked with the TypeScript parser over every spec file:
 * - no marble literal passed inline: to `toBe` of `expectObservable` / `expectSubscriptions` /
 *   `expectText`, as the subscription marble of `expectObservable` / `expectText`, or as the diagram
 *   of `cold` / `hot` / `marbleChatModel` anywhere but as the whole initializer of a `const`;
 * - consecutive diagram consts line up: their time zero (the opening quote, or a hot diagram's `^`)
 *   is in one column.
 * The one exception is a rule, not a list: a creator called inside `expect(() => …)` is bad input
 * that must throw at creation (e.g. `marbleChatModel('^-a|')`); no diagram runs, so there is no
 * timeline to align.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const root = join(__dirname, '../..');
const CREATORS = new Set(['cold', 'hot', 'marbleChatModel']);
const EXPECTS = new Set(['expectObservable', 'expectSubscriptions', 'expectText']);

function specFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules') return [];
    return statSync(path).isDirectory() ? specFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function calleeName(call: ts.CallExpression): string | undefined {
  const callee = call.expression;
  if (ts.isIdentifier(callee)) return callee.text;
  return ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
}

const isString = (node: ts.Node | undefined): node is ts.StringLiteral | ts.NoSubstitutionTemplateLiteral | ts.TemplateExpression =>
  !!node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node));
const isMarble = (node: ts.Node | undefined): boolean =>
  isString(node) || (!!node && ts.isArrayLiteralExpression(node) && node.elements.some(isString));

/** `const name = <creator>('…')`: the creator's call is the whole initializer of a one-name const. */
function isConstInitializer(call: ts.CallExpression): boolean {
  const parent = call.parent;
  return ts.isVariableDeclaration(parent) && parent.initializer === call && ts.isVariableDeclarationList(parent.parent) &&
    (parent.parent.flags & ts.NodeFlags.Const) !== 0 && parent.parent.declarations.length === 1;
}

function insideExpect(node: ts.Node): boolean {
  for (let n = node.parent; n; n = n.parent) {
    if ((ts.isArrowFunction(n) || ts.isFunctionExpression(n)) && ts.isCallExpression(n.parent) && calleeName(n.parent) === 'expect') return true;
  }
  return false;
}

/** Every inline marble literal of a source text, as `file:line what`. */
export function inlineMarbles(text: string, file = 'spec.ts'): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const at = (node: ts.Node, what: string): void => {
    found.push(`${file}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1} ${what}`);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const name = calleeName(node);
      const receiver = ts.isPropertyAccessExpression(node.expression) ? node.expression.expression : undefined;
      if (name === 'toBe' && receiver && ts.isCallExpression(receiver) && EXPECTS.has(calleeName(receiver) ?? '') && isMarble(node.arguments[0])) {
        at(node, `${calleeName(receiver)}(…).toBe(${node.arguments[0].getText(source)})`);
      }
      if ((name === 'expectObservable' && isMarble(node.arguments[1])) || (name === 'expectText' && isMarble(node.arguments[2]))) {
        at(node, `${name}(…, ${node.arguments[name === 'expectText' ? 2 : 1].getText(source)})`);
      }
      if (name && CREATORS.has(name) && isString(node.arguments[0]) && !isConstInitializer(node) && !insideExpect(node)) {
        at(node, `${name}(${node.arguments[0].getText(source)}) not a const`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * A plain string const is a diagram when it looks like one: frames, groups and ends, one-letter
 * values or groups of them, time progressions ('a 10ms b|'); not words such as 'ok forbidden!'.
 */
export function looksLikeDiagram(text: string): boolean {
  const frames = text.replace(/\d+(\.\d+)?(ms|s|m)\b/g, '').replace(/\([^)]*\)/g, '()');
  return /^[\s\-\w()|#^!.]*$/.test(text) && /[-|#^!(]/.test(text) && !/[a-zA-Z]{2}/.test(frames);
}

/** Time zero's column of a diagram const's first line, or undefined if the statement is no diagram const. */
function zeroColumn(statement: ts.Statement, source: ts.SourceFile): number | undefined {
  if (!ts.isVariableStatement(statement) || statement.declarationList.declarations.length !== 1) return undefined;
  if ((statement.declarationList.flags & ts.NodeFlags.Const) === 0) return undefined;
  let init = statement.declarationList.declarations[0].initializer;
  let creator: string | undefined;
  if (init && ts.isCallExpression(init) && CREATORS.has(calleeName(init) ?? '') && isString(init.arguments[0])) {
    creator = calleeName(init);
    init = init.arguments[0];
  }
  if (init && ts.isArrayLiteralExpression(init) && init.elements.length > 0 && init.elements.every(isString)) init = init.elements[0];
  if (!init || !(ts.isStringLiteral(init) || ts.isNoSubstitutionTemplateLiteral(init))) return undefined;
  if (!creator && !looksLikeDiagram(init.text)) return undefined;
  const start = init.getStart(source);
  if (source.getLineAndCharacterOfPosition(start).line !== source.getLineAndCharacterOfPosition(statement.getStart(source)).line) return undefined;
  const caret = creator === 'hot' ? Math.max(0, init.text.indexOf('^')) : 0;
  return source.getLineAndCharacterOfPosition(start).character + caret;
}

/** Runs of consecutive diagram consts whose time zero is not in one column, as `file:line`. */
export function misalignedDiagrams(text: string, file = 'spec.ts'): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isBlock(node)) {
      let run: { line: number; column: number }[] = [];
      const close = (): void => {
        if (new Set(run.map((r) => r.column)).size > 1) found.push(`${file}:${run[0].line} columns ${run.map((r) => r.column).join(',')}`);
        run = [];
      };
      for (const statement of node.statements) {
        const column = zeroColumn(statement, source);
        if (column === undefined) close();
        else run.push({ line: source.getLineAndCharacterOfPosition(statement.getStart(source)).line + 1, column });
      }
      close();
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const specs = specFiles(join(root, 'specs')).map((path) => ({ file: relative(root, path), text: readFileSync(path, 'utf8') }));

describe('spec style: marble diagrams are aligned consts', () => {
  it('no spec passes a marble diagram inline', () => {
    expect(specs.flatMap(({ file, text }) => inlineMarbles(text, file))).toEqual([]);
  });

  it('consecutive diagram consts line up on time zero', () => {
    expect(specs.flatMap(({ file, text }) => misalignedDiagrams(text, file))).toEqual([]);
  });

  it('finds every inline form (the check is not vacuous)', () => {
    const inline = [
      "expectObservable(source.pipe(op())).toBe('--x--|', values);",
      "expectSubscriptions(source.subscriptions).toBe('^----!');",
      "expectSubscriptions(model.subscriptions).toBe(['^-!', '--^-!']);",
      "expectObservable(source, '^--!').toBe(expected);",
      "expectText(expectObservable, source, '^-!').toBe(expected);",
      "const piped = cold('-a-|').pipe(op());",
      "const streams = { a: hot('-^a|') };",
      "fromRunnable(marbleChatModel('-a|', values), 'hi');",
      "expectObservable(source).toBe(`-a-${tail}`);",
    ];
    const found = inlineMarbles(inline.join('\n'));
    expect(found.map((f) => Number(f.split(' ')[0].split(':')[1]))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('accepts the aligned form, plain assertions, and bad input that must throw', () => {
    const fine = [
      "const e1 =   cold('--a--b--|');",
      "const e1subs =    '^-------!';",
      "const expected =  '--x--y--|';",
      'expectObservable(e1.pipe(op())).toBe(expected, values);',
      'expectSubscriptions(e1.subscriptions).toBe(e1subs);',
      "expect(text).toBe('--a--|');",
      "expect(() => marbleChatModel('^-a|', {})).toThrow(TypeError);",
    ];
    expect(inlineMarbles(fine.join('\n'))).toEqual([]);
    expect(misalignedDiagrams(`{\n${fine.join('\n')}\n}`)).toEqual([]);
  });

  it('tells diagrams from words', () => {
    expect(['--a--|', '^---!', 'a 10ms b|', '- 9ms x 10ms (y|)', '(ab|)', '#'].filter(looksLikeDiagram)).toHaveLength(6);
    expect(['ok forbidden!', 'q', 'run-1', 'hello'].filter(looksLikeDiagram)).toEqual([]);
  });

  it('finds diagram consts out of line, and aligns a hot diagram on its ^', () => {
    const off = ['{', "  const e1 = cold('--a--|');", "  const expected = '--a--|';", '}'].join('\n');
    expect(misalignedDiagrams(off)).toEqual(['spec.ts:2 columns 18,19']);
    const hot = ['{', "  const e1 =   hot('-^-a--|');", "  const e1subs =    '^----!';", '}'].join('\n');
    expect(misalignedDiagrams(hot)).toEqual([]);
  });
});
