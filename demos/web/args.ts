/**
 * The web demo's command line (`npm run web -- [--port <n>] [--agent]`), parsed the way the CLI parses
 * `rxjs-langchain chat` (src/cli/args.ts): `--name value` or `--name=value`, an unknown option
 * or a bad value is a `UsageError`, printed as one line and the usage, exit code 2.
 */
import { UsageError } from '../../src/cli/args';

/** Options of the web demo's command line. */
export interface WebCliOptions {
  /** Port to listen on (0 picks a free one): `--port`, else `PORT`, else 3000. */
  port: number;
  /** `--agent`: every mode chats with the offline agent, whose tools wait for 批准 / 拒绝 on the page. */
  agent: boolean;
  help: boolean;
}

export const WEB_USAGE = `Usage: npm run web -- [options]

The web demo: a chat page that streams over SSE, a WebSocket or the AI SDK's UI message stream.
Offline on the embedded model unless OPENAI_API_KEY is set (OPENAI_BASE_URL, OPENAI_MODEL).

Options:
  --port <n>   port to listen on on 127.0.0.1, 0–65535; 0 picks a free one
               (default: PORT, else 3000)
  --agent      chat with the offline agent in every mode; its tools (add,
               python_release) wait for 批准 / 拒绝 on the page, also after a reload
  -h, --help   this help

Environment: REDIS_URL (instances share conversations), DATABASE_URL (and the
agents' threads: Postgres), REPLY_GRACE_MS, REPLY_PRODUCER_TIMEOUT_MS.
`;

function parsePort(what: string, raw: string): number {
  const port = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`${what} must be an integer 0–65535, got "${raw}".`);
  }
  return port;
}

/**
 * Parses the web demo's options; throws a {@link UsageError} naming what to fix.
 *
 * @example
 * ```ts
 * parseWebArgs(['--port', '3001'], {}); // { port: 3001, agent: false, help: false }
 * parseWebArgs(['--prot', '3001'], {}); // throws UsageError: Unknown option "--prot".
 * ```
 * @param argv The arguments after the script.
 * @param env Where `PORT` is read.
 * @returns The options.
 */
export function parseWebArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): WebCliOptions {
  const options: WebCliOptions = { port: env.PORT === undefined ? 3000 : parsePort('PORT', env.PORT), agent: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help' || arg === '--agent') {
      if (arg === '--agent') options.agent = true;
      else options.help = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (name !== '--port') throw new UsageError(`Unknown ${arg.startsWith('-') ? 'option' : 'argument'} "${arg}".`);
    const raw = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (raw === undefined) throw new UsageError('--port needs a value.');
    options.port = parsePort('--port', raw);
  }
  return options;
}

/** Where {@link webArgsOrExit} writes and how it ends the process (tests pass their own). */
export interface WebArgsIO {
  out: { write(text: string): unknown };
  err: { write(text: string): unknown };
  exit(code: number): never;
}

/**
 * The web demo's options, or the end of the process: `--help` prints the usage (exit 0); a
 * usage error prints `web demo: <what is wrong>` and the usage on stderr (exit 2), like the CLI.
 *
 * @example
 * ```ts
 * const { port } = webArgsOrExit(process.argv.slice(2));
 * ```
 * @param argv The arguments after the script.
 * @param env Where `PORT` is read.
 * @param io Output streams and exit (default: the process's).
 * @returns The options, when the server is to start.
 */
export function webArgsOrExit(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, io: WebArgsIO = { out: process.stdout, err: process.stderr, exit: (code) => process.exit(code) }): WebCliOptions {
  let options: WebCliOptions;
  try {
    options = parseWebArgs(argv, env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err.write(`web demo: ${err.message}\n\n${WEB_USAGE}`);
    return io.exit(2);
  }
  if (options.help) {
    io.out.write(WEB_USAGE);
    return io.exit(0);
  }
  return options;
}
