/**
 * `rxjs-langchain` command line. One subcommand for now: `chat`.
 * Run from bin/rxjs-langchain.js (built: dist/cjs/cli/main.js; in the repo
 * without a build: this file through ts-node) or `npm run chat`.
 */
import { runChat } from './chat';
import { crashLine, exitWhenFlushed } from './exit';

const USAGE = `Usage: rxjs-langchain <command> [options]

Commands:
  chat   streaming chat in the terminal (rxjs-langchain chat --help)
`;

/** Runs the command line; resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'chat') return runChat(rest);
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  process.stderr.write(`rxjs-langchain: unknown command "${command}".\n\n${USAGE}`);
  return 2;
}

/**
 * Runs the command line and exits when its output has drained (never with
 * writes pending on a pipe). What bin/rxjs-langchain.js calls.
 */
export async function runAndExit(argv: readonly string[]): Promise<void> {
  let code: number;
  try {
    code = await main(argv);
  } catch (err) {
    process.stderr.write(crashLine('rxjs-langchain', err));
    code = 1;
  }
  await exitWhenFlushed(code);
}

if (require.main === module) void runAndExit(process.argv.slice(2));
