// Every TypeScript block of README.md and docs/*.md, and every ```ts block in the `@example` of a
// runtime export's JSDoc, type-checks against the sources: the package's
// import paths map to src/ (`rxjs-langchain/node` → src/node/index.ts), with the repository's
// compiler options and jest's globals (docs/testing.md shows tests). A block tagged `fragment`
// (```ts fragment) needs surrounding code and is skipped. The packed package in real consumer
// projects is specs/package/consumers.spec.ts (`npm run test:consumers`).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { codeBlocks, isTypeScript, type CodeBlock } from '../support/codeBlocks';
import { repoRoot } from '../support/packedPackage';
import { publicExports } from '../support/publicApi';

const markdown = ['README.md', ...readdirSync(join(repoRoot, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const blocks = markdown.flatMap((file) => codeBlocks(join(repoRoot, file), repoRoot)).filter(isTypeScript);
const jsDocExamples = new Map(publicExports().flatMap((e) => e.examples).map((x) => [x.where, x]));
const compiled: CodeBlock[] = [
  ...blocks.filter((b) => !b.tags.includes('fragment')),
  ...[...jsDocExamples.values()].map((x) => ({ where: x.where, lang: 'ts', tags: ['jsdoc'], code: x.code })),
];

/** A block's virtual file: beside its Markdown file, so node_modules resolves as for a real file. */
const fileOf = (block: CodeBlock): string => join(repoRoot, `${block.where.replace(/[:.]/g, '_')}.block.ts`);
/** `export {}` makes every block a module (no globals shared between blocks); it is line 1. */
const PRELUDE_LINES = 1;

let diagnostics: Map<string, string[]>;

beforeAll(() => {
  const config = ts.readConfigFile(join(repoRoot, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, repoRoot);
  const entry = (path: string): string[] => [join(repoRoot, 'src', path)];
  Object.assign(options, {
    noEmit: true,
    // One resolution for the blocks and the sources they reach (the sources' imports have no
    // extensions); top-level await needs an ES module.
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    paths: {
      'rxjs-langchain': entry('index.ts'),
      'rxjs-langchain/node': entry('node/index.ts'),
      'rxjs-langchain/offline': entry('offline/index.ts'),
      'rxjs-langchain/testing': entry('testing/index.ts'),
    },
  } satisfies ts.CompilerOptions);
  const sources = new Map(compiled.map((b) => [fileOf(b), `export {};\n${b.code}`]));
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => sources.has(f) || fileExists.call(host, f);
  host.readFile = (f) => sources.get(f) ?? readFile.call(host, f);
  host.getSourceFile = (f, language, ...rest) => {
    const text = sources.get(f);
    return text !== undefined ? ts.createSourceFile(f, text, language) : getSourceFile.call(host, f, language, ...rest);
  };
  const program = ts.createProgram([...sources.keys()], options, host);
  diagnostics = new Map();
  for (const block of compiled) {
    const file = program.getSourceFile(fileOf(block))!;
    const messages = [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)].map((d) => {
      const { line } = file.getLineAndCharacterOfPosition(d.start ?? 0);
      const [md, first] = block.where.split(':');
      // Markdown blocks are located by their fence, JSDoc examples by their first line.
      const at = Number(first) + line - PRELUDE_LINES + (block.tags.includes('jsdoc') ? 0 : 1);
      return `${md}:${at}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    diagnostics.set(block.where, messages);
  }
}, 300_000);

it('finds the blocks', () => {
  expect(compiled.length).toBeGreaterThanOrEqual(12);
  expect(compiled.filter((b) => b.where.startsWith('README.md:')).length).toBeGreaterThanOrEqual(3);
  expect(compiled.some((b) => b.where.startsWith('docs/web.md:'))).toBe(true);
});

it.each(compiled.map((b) => [b.where, b] as const))('%s type-checks', (where) => {
  expect(diagnostics.get(where)).toEqual([]);
});
