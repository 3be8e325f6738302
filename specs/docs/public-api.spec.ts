// Every runtime export of the four entry points has JSDoc in RxJS's style: a summary, an `@example`
// that imports from the package, `@see`, and for functions `@param` for every parameter and
// `@returns` (for classes: `@param` for every constructor parameter). Read from the sources with
// the TypeScript compiler; the examples themselves are type-checked by code-blocks.spec.ts.
import { ENTRIES, publicExports, type PublicExport } from '../support/publicApi';

const all = publicExports();

function missing(e: PublicExport): string[] {
  const problems: string[] = [];
  const tag = (name: string): readonly string[] => e.tags.get(name) ?? [];
  if (e.summary.length < 20) problems.push('a summary');
  if (tag('example').length === 0) problems.push('@example');
  else if (!e.examples.some((x) => /^import\s[^;]*from\s+'rxjs-langchain(\/\w+)?';?$/m.test(x.code))) {
    problems.push("an @example (```ts) that imports from 'rxjs-langchain…'");
  }
  if (tag('see').length === 0) problems.push('@see');
  const documented = tag('param').map((p) => p.split(/\s/)[0]);
  for (const p of e.parameters) if (!documented.includes(p)) problems.push(`@param ${p}`);
  if (e.kind === 'function' && tag('returns').length === 0) problems.push('@returns');
  return problems;
}

it('reads the runtime exports of every entry (functions, classes and values)', () => {
  for (const entry of Object.keys(ENTRIES)) expect(all.filter((e) => e.entry === entry).length).toBeGreaterThan(0);
  expect(new Set(all.map((e) => e.kind))).toEqual(new Set(['function', 'class', 'value']));
  if (process.env.RXJS_LANGCHAIN_SPEC_TIMINGS) {
    console.log(Object.keys(ENTRIES).map((entry) => `${entry}: ${all.filter((e) => e.entry === entry).length} runtime exports`).join('\n'));
  }
});

it.each(all.map((e) => [`${e.entry}: ${e.name} (${e.where})`, e] as const))('%s has JSDoc in RxJS style', (_, e) => {
  expect({ missing: missing(e) }).toEqual({ missing: [] });
});
