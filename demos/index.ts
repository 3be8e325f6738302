/**
 * `npm run demo` — a tour of the non-interactive demos;
 * `npm run demo -- <name>` runs one; `npm run demo -- --help` lists them.
 */
import { describeChatError } from '../src/cli/describeError';
import { crashLine, exitWhenFlushed } from '../src/cli/exit';
import { createDemoModel, type DemoModel } from './model';
import type { Demo, DemoContext } from './types';
import { demo as streamModel } from './01-stream-model';
import { demo as streamChain } from './02-stream-chain';
import { demo as streamCollect } from './03-stream-collect';
import { demo as forbiddenWords } from './04-forbidden-words';
import { demo as progressDemo } from './06-progress';
import { demo as chatCli } from './05-chat-cli';
import { demo as asyncDemo } from './07-async';
import { demo as concurrent } from './08-concurrent';
import { demo as sseServer } from './09-sse-server';
import { demo as wsServer } from './10-websocket-server';
import { demo as latency } from './11-invoke-vs-stream';
import { demo as session } from './12-production-chat';
import { demo as agent } from './13-agent';
import { demo as approval } from './14-approval';

/** The tutorial's twelve examples, in order, then the agent demo and the approval demo (14 in all). */
export const DEMOS: readonly Demo[] = [
  streamModel,
  streamChain,
  streamCollect,
  forbiddenWords,
  chatCli,
  progressDemo,
  asyncDemo,
  concurrent,
  sseServer,
  wsServer,
  latency,
  session,
  agent,
  approval,
];

function help(out: NodeJS.WritableStream): void {
  out.write('Usage: npm run demo [-- <name> [args]]\n\nDemos (example → name):\n');
  const width = Math.max(...DEMOS.map((d) => d.name.length));
  for (const d of DEMOS) out.write(`  ${d.seed.padEnd(4)} ${d.name.padEnd(width)}  ${d.summary}${d.interactive ? ' (interactive)' : ''}\n`);
  out.write('\nWith no name, runs every non-interactive demo in order.\n');
}

/** Where the demos write and which environment chooses their model (the process's by default). */
export interface DemoIO {
  out: DemoContext['out'];
  err: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/**
 * Runs the demos named in `argv` (all non-interactive ones without a name); resolves
 * with the exit code. The tour on the offline model with `DEMO_LATENCY` unset gives
 * realistic latency only to the demos about latency (6.1), so it takes seconds, not a
 * minute and a half; one demo by name keeps it. An error is one line with the CLI's description (cause, URL,
 * hint), never a stack trace or a raw `Error: Connection error.`.
 */
export async function main(argv: string[], io: Partial<DemoIO> = {}): Promise<number> {
  const out = io.out ?? process.stdout;
  const err = io.err ?? process.stderr;
  const env = io.env ?? process.env;
  const [name, ...args] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    help(out);
    return 0;
  }
  const selected = name ? DEMOS.filter((d) => d.name === name || d.seed === name) : DEMOS.filter((d) => !d.interactive);
  if (selected.length === 0) {
    err.write(`Unknown demo "${name}".\n\n`);
    help(err);
    return 2;
  }
  const color = Boolean(out.isTTY) && !env.NO_COLOR;
  let model: DemoModel | undefined;
  try {
    model = createDemoModel(env);
    out.write(`Model: ${model.description}\n\n`);
    const quick = !name && model.offline && !env.DEMO_LATENCY ? createDemoModel({ ...env, DEMO_LATENCY: '0' }) : undefined;
    if (quick) out.write(`The tour runs without simulated latency except in ${selected.filter((d) => d.aboutLatency).map((d) => d.seed).join(', ')} (DEMO_LATENCY=0: none at all).\n\n`);
    for (const demo of selected) {
      if (selected.length > 1) out.write(`── ${demo.seed} ${demo.summary} ──\n`);
      await demo.run({ ...(quick && !demo.aboutLatency ? quick : model), out, color, env }, args);
    }
  } catch (error) {
    err.write(`${color ? '\x1b[31m✖ Error:\x1b[39m' : '✖ Error:'} ${describeChatError(error, { baseURL: model?.baseURL })}\n`);
    return 1;
  }
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(exitWhenFlushed, (error: unknown) => {
    process.stderr.write(crashLine('demo', error));
    return exitWhenFlushed(1);
  });
}
