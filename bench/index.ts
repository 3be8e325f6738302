/**
 * `npm run bench`: runs every bench/*.bench.ts in name order, or only those
 * whose name contains one of the arguments (`npm run bench -- abort`).
 * Figures are ratios measured side by side in one run, never timed assertions.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

async function main(): Promise<void> {
  const filters = process.argv.slice(2);
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
    .sort();
  for (const file of files) {
    console.log(`\n## ${file}\n`);
    // require, not import(): under module node16 TypeScript keeps import() as a native ESM load, which can't read .ts
    const mod = require(join(__dirname, file)) as { run: () => Promise<void> };
    await mod.run();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
