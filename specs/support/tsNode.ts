import { join } from 'node:path';

/**
 * Node's arguments that run a TypeScript file the way `npm run web` and `npm run demo` do (ts-node,
 * transpile only), with each file's output cached on disk by content so that only the first child
 * process of a run transpiles (specs/support/tsNodeCache.js, docs/decisions/0390).
 */
export const TS_NODE = ['-r', join(__dirname, 'tsNodeCache.preload.js'), '-r', 'ts-node/register/transpile-only'] as const;

/** The preload alone, for a process that registers ts-node itself (bin/rxjs-langchain.js). */
export const TS_NODE_CACHE = ['-r', join(__dirname, 'tsNodeCache.preload.js')] as const;
