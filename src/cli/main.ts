/**
 * `rxjs-langchain` command line. One subcommand for now: `chat`.
 * Run from bin/rxjs-langchain.js (built: dist/cjs/cli/main.js; in the repo
 * without a build: this file through ts-node).
 */
import { runChat } from './chat';

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

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`rxjs-langchain: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
