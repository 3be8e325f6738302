import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

/**
 * One fenced code block of a Markdown file. The info string's first word is the language; the
 * words after it are tags: `fragment` (not compiled: it needs surrounding code), `consumer`
 * (docs/ blocks also type-checked in the packed-package consumer projects), `no-run` (README blocks
 * type-checked but not run by the consumer spec: a server).
 */
export interface CodeBlock {
  /** `README.md:24`: the file (relative to `root`) and the line of the opening fence. */
  readonly where: string;
  readonly lang: string;
  readonly tags: readonly string[];
  readonly code: string;
}

/** The fenced code blocks of a Markdown file, in order. */
export function codeBlocks(file: string, root: string): CodeBlock[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(```+|~~~+)\s*(\S*)\s*(.*)$/.exec(lines[i]);
    if (!open) continue;
    const fence = open[1];
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i].startsWith(fence); i++) body.push(lines[i]);
    blocks.push({
      where: `${relative(root, file)}:${start + 1}`,
      lang: open[2],
      tags: open[3].split(/\s+/).filter(Boolean),
      code: body.join('\n') + '\n',
    });
  }
  return blocks;
}

/** TypeScript blocks: `ts` / `typescript`. */
export const isTypeScript = (block: CodeBlock): boolean => block.lang === 'ts' || block.lang === 'typescript';

/**
 * A block as a CommonJS module: its imports first, the rest in an async function, so top-level
 * `await` (fine in an ES module) type-checks and runs the same way in a CommonJS project.
 */
export function asCommonJsModule(code: string): string {
  if (!/\bawait\b/.test(code)) return code;
  const lines = code.split('\n');
  const imports: string[] = [];
  let i = 0;
  // import statements at the top, possibly spanning lines (`import {\n a,\n} from 'x';`)
  while (i < lines.length) {
    if (lines[i].trim() === '' || lines[i].startsWith('//')) {
      imports.push(lines[i++]);
      continue;
    }
    if (!lines[i].startsWith('import ')) break;
    while (i < lines.length && !/\bfrom\s+['"][^'"]+['"];?\s*$|^import\s+['"][^'"]+['"];?\s*$/.test(lines[i])) imports.push(lines[i++]);
    imports.push(lines[i++]);
  }
  return `${imports.join('\n')}\nvoid (async () => {\n${lines.slice(i).join('\n')}\n})();\n`;
}
