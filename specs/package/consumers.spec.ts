// The README's examples, copied out of README.md by this spec (so the README cannot drift), in four
// TypeScript consumer projects that install the packed tarball: each is type-checked with
// `strict` and without `skipLibCheck`, compiled the way that project would be, and run against the
// fake OpenAI server (OPENAI_BASE_URL). docs/*.md blocks tagged `consumer` are type-checked there too.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeOpenAIServer, type FakeChatRequest, type FakeOpenAIServer } from '../../src/testing';
import { asCommonJsModule, codeBlocks, isTypeScript, type CodeBlock } from '../support/codeBlocks';
import { installedPackage, repoRoot, type InstalledPackage } from '../support/packedPackage';
import { useCleanup } from '../support/cleanup';

const cleanup = useCleanup();

interface Setup {
  readonly name: string;
  readonly type: 'module' | 'commonjs';
  readonly compilerOptions: Record<string, unknown>;
  /** How the project turns its TypeScript into what Node runs. */
  readonly emit: 'tsc' | 'esbuild';
  /**
   * Errors TypeScript reports inside other packages' declarations in this setup, whoever imports
   * them (they appear in a project that imports only `@langchain/openai`). Anything else fails.
   */
  readonly upstreamErrors: ReadonlyArray<{ file: string; code: string; why: string }>;
}

const SETUPS: readonly Setup[] = [
  { name: 'ESM nodenext', type: 'module', compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext' }, emit: 'tsc', upstreamErrors: [] },
  {
    name: 'CJS node16',
    type: 'commonjs',
    compilerOptions: { module: 'node16', moduleResolution: 'node16' },
    emit: 'tsc',
    upstreamErrors: [
      // js-tiktoken is "type": "module" and gives `require` its ESM .d.ts; under `module: node16`
      // a CommonJS declaration may not import it (Node 20.19's require(esm) is `module: node20`).
      { file: 'node_modules/@langchain/core/dist/language_models/base.d.cts', code: 'TS1479', why: 'imports js-tiktoken/lite' },
      { file: 'node_modules/@langchain/openai/dist/types.d.cts', code: 'TS1479', why: 'imports js-tiktoken/lite' },
    ],
  },
  {
    name: 'CJS node (classic)',
    type: 'commonjs',
    // esModuleInterop: what `tsc --init` writes; zod's .d.cts files need it.
    compilerOptions: { module: 'commonjs', moduleResolution: 'node', esModuleInterop: true },
    emit: 'tsc',
    upstreamErrors: [],
  },
  { name: 'bundler', type: 'module', compilerOptions: { module: 'esnext', moduleResolution: 'bundler', noEmit: true }, emit: 'esbuild', upstreamErrors: [] },
];

/** The fake server's reply to each README question, and what the example must print. */
const QUESTIONS: Record<string, { reply: string; stdout: (reply: string) => string | RegExp; files?: Record<string, readonly string[]> }> = {
  '讲一个关于Python的笑话': { reply: '为什么程序员分不清万圣节和圣诞节？因为 Oct 31 = Dec 25 🎃', stdout: (reply) => reply },
  // abortOn(['Java'], { mode: 'complete' }): the text before the word, then the request is aborted.
  '比较Python和Java': { reply: 'Python 简洁灵活，Java 严谨稳健。', stdout: () => 'Python 简洁灵活，' },
  '介绍Python': {
    reply: 'Python 是一门易读的编程语言 🐍',
    stdout: (reply) => new RegExp(`^${escapeRegExp(reply)} \\d+(\\.\\d+)?\\n$`),
    files: { '.chat/history.jsonl': ['介绍Python', 'Python 是一门易读的编程语言 🐍'] },
  },
  // toParts over a model with tools: the fake server answers in text, so the text parts are printed.
  'Python 3.12 是哪天发布的？': { reply: 'Python 3.12 发布于 2023-10-02 🐍', stdout: (reply) => reply },
};

const readmeBlocks = codeBlocks(join(repoRoot, 'README.md'), repoRoot).filter((b) => isTypeScript(b) && !b.tags.includes('fragment'));
const docBlocks = readdirSync(join(repoRoot, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .flatMap((f) => codeBlocks(join(repoRoot, 'docs', f), repoRoot))
  .filter((b) => isTypeScript(b) && b.tags.includes('consumer'));

/**
 * Every entry point from the consumer's side (type-checked only): classic `node` resolution must find
 * the subpaths, and the LangChain classes in our declarations must be the consumer's own
 * (`marbleChatModel` and `ScriptedChatModel` are `BaseChatModel`s, a `ChatOpenAI` is a runnable).
 */
const ENTRIES_BLOCK: CodeBlock = {
  where: 'specs/package/consumers.spec.ts (every entry)',
  lang: 'ts',
  tags: [],
  code: `import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { ChatOpenAI } from '@langchain/openai';
import { fromRunnable, textContent, chatTurns, mergeStreams, type StreamableRunnable } from 'rxjs-langchain';
import { FileChatMessageHistory, serveChatOverWebSocket, type WebSocketServerLike } from 'rxjs-langchain/node';
import { ScriptedChatModel } from 'rxjs-langchain/offline';
import { marbleChatModel, startFakeOpenAIServer } from 'rxjs-langchain/testing';

const models: BaseChatModel[] = [marbleChatModel('-a|'), new ScriptedChatModel()];
const openai = new ChatOpenAI({ model: 'gpt-4o-mini' });
const chain = ChatPromptTemplate.fromMessages([['human', '{q}']]).pipe(openai);
const runnable: StreamableRunnable<string, unknown> = openai;
export const uses = [
  fromRunnable(models[0], 'hi').pipe(textContent()),
  fromRunnable(chain, { q: 'hi' }),
  runnable,
  chatTurns(({ question }) => fromRunnable(openai, question)),
  mergeStreams((q: string) => fromRunnable(openai, q)),
  new FileChatMessageHistory('h.jsonl'),
  serveChatOverWebSocket,
  startFakeOpenAIServer,
];
export type Wss = WebSocketServerLike;
`,
};

interface Example {
  readonly block: CodeBlock;
  readonly file: string; // without extension
  readonly run: boolean;
}
const examples: Example[] = [
  // `no-run`: a server that would listen forever; type-checked like the others.
  ...readmeBlocks.map((block, i) => ({ block, file: `readme-${i + 1}`, run: !block.tags.includes('no-run') })),
  ...docBlocks.map((block, i) => ({ block, file: `docs-${i + 1}`, run: false })),
  { block: ENTRIES_BLOCK, file: 'entries', run: false },
];

const slug = (setup: Setup): string => setup.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/-$/, '');

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

// A safety net against a hung child, not a liveness bound: tsc over the packed types took > 120 s at
// load ~18 on the 2-core machine (a 120 s limit killed it and two projects failed with no tsc error).
const CHILD_LIMIT_MS = 25 * 60_000;

function exec(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: CHILD_LIMIT_MS });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal !== null) stderr += `\n${command} ${args.join(' ')} was killed by ${signal} (limit ${CHILD_LIMIT_MS / 60_000} min)`;
      resolve({ code, stdout, stderr });
    });
  });
}

/** At most `n` of these functions run at once (the machine has 2 cores). */
function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async (task) => {
    while (active >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

let pkg: InstalledPackage;
const projects = new Map<string, string>();
const checks = new Map<string, Promise<{ output: string; errors: string[]; upstream: string[] }>>();
const builds = new Map<string, Promise<void>>();
const timings: string[] = [];

beforeAll(() => {
  pkg = installedPackage();
  timings.push(`npm pack ${pkg.packSeconds.toFixed(1)} s, npm install ${pkg.installSeconds.toFixed(1)} s`);
  const limit = limiter(2);
  for (const setup of SETUPS) {
    const dir = join(pkg.root, slug(setup));
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    projects.set(setup.name, dir);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: slug(setup), private: true, type: setup.type }, null, 2));
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify(
        {
          compilerOptions: { target: 'ES2022', strict: true, skipLibCheck: false, types: ['node'], outDir: 'out', ...setup.compilerOptions },
          include: ['*.ts'],
        },
        null,
        2,
      ),
    );
    for (const example of examples) {
      const code = setup.type === 'commonjs' ? asCommonJsModule(example.block.code) : example.block.code;
      writeFileSync(join(dir, `${example.file}.ts`), `// ${example.block.where}\n${code}`);
    }

    const check = limit(async () => {
      const started = performance.now();
      const tsc = join(pkg.root, 'node_modules/typescript/bin/tsc');
      const result = await exec(process.execPath, [tsc, '-p', '.', '--pretty', 'false'], dir);
      timings.push(`${setup.name}: tsc ${((performance.now() - started) / 1000).toFixed(1)} s`);
      const output = result.stdout + result.stderr;
      const errors: string[] = [];
      const upstream: string[] = [];
      for (const line of output.split('\n')) {
        const m = /^(.+?)\(\d+,\d+\): error (TS\d+):/.exec(line);
        if (!m) {
          if (/error TS\d+/.test(line)) errors.push(line);
          continue;
        }
        const file = m[1].replace(/^(\.\.\/)+/, '');
        const known = setup.upstreamErrors.find((u) => file.endsWith(u.file) && u.code === m[2]);
        (known ? upstream : errors).push(line);
      }
      if (result.code !== 0 && errors.length === 0 && upstream.length === 0) errors.push(output || `tsc exited with ${result.code}`);
      return { output, errors, upstream };
    });
    checks.set(setup.name, check);

    const build = check.then(async () => {
      if (setup.emit === 'tsc') return; // tsc emitted out/*.js while checking
      // A bundler project: esbuild bundles each example (and the packages it imports) for Node.
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a dev dependency of this repository
      const esbuild = require('esbuild') as typeof import('esbuild');
      await esbuild.build({
        absWorkingDir: dir,
        entryPoints: examples.filter((e) => e.run).map((e) => `${e.file}.ts`),
        outdir: 'out',
        outExtension: { '.js': '.mjs' },
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        logLevel: 'silent',
        // CommonJS packages inside an ESM bundle call require() for Node builtins.
        banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
      });
    });
    builds.set(setup.name, build);
    // Awaited by the tests; this keeps a failure from being an unhandled rejection meanwhile.
    check.catch(() => undefined);
    build.catch(() => undefined);
  }
}, 30 * 60_000);

afterAll(() => {
  // Shown with --verbose or when the spec fails; the report of the packaging work quotes them.
  if (process.env.RXJS_LANGCHAIN_SPEC_TIMINGS) console.log(timings.join('\n'));
});

it('finds the examples it checks', () => {
  expect(readmeBlocks.length).toBeGreaterThanOrEqual(3);
  for (const block of readmeBlocks) expect(block.code).toMatch(/from 'rxjs-langchain(\/\w+)?'/);
});

describe.each(SETUPS)('a $name consumer project', (setup) => {
  it('type-checks the README examples and the docs blocks tagged consumer (strict, no skipLibCheck)', async () => {
    const { output, errors, upstream } = await checks.get(setup.name)!;
    if (errors.length > 0) throw new Error(`tsc found errors in ${setup.name}:\n${output}`);
    // The known upstream errors are still there (when LangChain fixes them, drop them from the list).
    expect(upstream.length).toBe(setup.upstreamErrors.length);
  }, 30 * 60_000);

  it('runs each README example against the fake OpenAI server', async () => {
    await builds.get(setup.name);
    const dir = projects.get(setup.name)!;
    const server: FakeOpenAIServer = await startFakeOpenAIServer({
      reply: (request: FakeChatRequest) => QUESTIONS[lastUserText(request)]?.reply ?? `unknown question ${JSON.stringify(lastUserText(request))}`,
    });
    cleanup(() => server.close());
    for (const example of examples.filter((e) => e.run)) {
      rmSync(join(dir, '.chat'), { recursive: true, force: true });
      const before = server.requests.length;
      const file = setup.emit === 'tsc' ? `out/${example.file}.js` : `out/${example.file}.mjs`;
      const env = { PATH: process.env.PATH, HOME: process.env.HOME, OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: server.baseURL };
      const started = performance.now();
      const result = await exec(process.execPath, [file], dir, env);
      timings.push(`${setup.name}: ${example.file} ran in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      const context = `${example.block.where} in ${setup.name}: exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;
      if (result.code !== 0 || result.stderr !== '') throw new Error(context);

      const asked = server.requests.slice(before).map((r) => lastUserText(r.body));
      expect(asked.length).toBeGreaterThan(0);
      const question = asked[0];
      const expected = QUESTIONS[question];
      if (!expected) throw new Error(`${example.block.where} asks ${JSON.stringify(question)}: add its reply and output to QUESTIONS in this spec.`);
      expect(asked).toEqual(asked.map(() => question)); // retries ask the same question
      const want = expected.stdout(expected.reply);
      if (typeof want === 'string') expect(result.stdout).toBe(want);
      else expect(result.stdout).toMatch(want);
      for (const [path, contains] of Object.entries(expected.files ?? {})) {
        expect(existsSync(join(dir, path))).toBe(true);
        const content = readFileSync(join(dir, path), 'utf8');
        for (const text of contains) expect(content).toContain(text);
      }
    }
  }, 30 * 60_000);
});

function lastUserText(request: FakeChatRequest): string {
  const user = request.messages.filter((m) => m.role === 'user').at(-1);
  return typeof user?.content === 'string' ? user.content : JSON.stringify(user?.content);
}
