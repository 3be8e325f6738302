import { homedir } from 'node:os';
import { join } from 'node:path';

/** Options of `rxjs-langchain chat`. */
export interface ChatCliOptions {
  /** JSON file the conversation is kept in across runs. */
  historyFile: string;
  /** How many stored messages the model sees per turn (`--max-messages`). */
  maxMessages: number;
  /** A reply without a finish reason is a cut, never saved (`--no-require-completion` turns it off). */
  requireCompletion: boolean;
  /** The system prompt (with `--agent`, default the agent's: use the tools). */
  system: string;
  /** Chat with an agent that has tools (`--agent`): tool calls stream, then results, then the answer. */
  agent: boolean;
  /** With `--agent`: ask `批准 / 拒绝 / 修改?` before each tool runs (`--no-approval` turns it off). */
  approval: boolean;
  /** First-chunk and idle timeout of a reply, ms. */
  timeoutMs: number;
  /** Use the file a symbolic link at the history path points to (`--follow-symlinks`). */
  followSymlinks: boolean;
  help: boolean;
}

export const DEFAULT_SYSTEM = '你是专业的Python助手';
/** The system prompt of `--agent`: use the tools, never compute in the head. */
export const AGENT_SYSTEM =
  '你是 Python 助手。需要发布日期时调用 python_release 工具，需要计算时调用 add 工具（减法用负数），不要自己心算；最后用中文简洁回答。';
export const DEFAULT_MAX_MESSAGES = 10;
export const DEFAULT_TIMEOUT_MS = 60_000;

/** Default history file: `$RXJS_LANGCHAIN_HISTORY`, else `~/.rxjs-langchain/chat-history.jsonl`. */
export function defaultHistoryFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.RXJS_LANGCHAIN_HISTORY || join(homedir(), '.rxjs-langchain', 'chat-history.jsonl');
}

/** A bad command line; the message says what to fix. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const CHAT_USAGE = `Usage: rxjs-langchain chat [options]

Streaming chat in the terminal, with history kept in a file across runs.
Offline on the embedded model unless OPENAI_API_KEY is set (OPENAI_BASE_URL, OPENAI_MODEL).

Options:
  --history-file <path>  where the conversation is kept, JSON Lines
                         (default ~/.rxjs-langchain/chat-history.jsonl)
  --max-messages <n>     messages of history the model sees per turn (default ${DEFAULT_MAX_MESSAGES})
  --system <text>        system prompt (default "${DEFAULT_SYSTEM}")
  --agent                chat with an agent that has two tools (add, python_release):
                         each tool call shows while its arguments stream, then its
                         result, then the answer; the whole run is saved.
                         Before a tool runs it asks 批准 / 拒绝 / 修改? (y, n [reason],
                         修改 {"version":"3.12"})
  --no-approval          with --agent, run the tools without asking
  --timeout <seconds>    give up on a reply with no chunk for this long (default ${DEFAULT_TIMEOUT_MS / 1000})
  --follow-symlinks      use the file a symbolic link at the history path points to
                         (by default a link there is refused)
  --no-require-completion
                         save replies that end without a finish reason (for servers
                         that never send one); by default such a reply is a cut
                         and is not saved
  -h, --help             this help

In the chat: /history, /clear, /help, /exit. Ctrl-C stops a streaming reply;
Ctrl-C at an empty prompt or Ctrl-D exits.
`;

/** Parses `chat` options (`--name value` or `--name=value`); throws UsageError. */
export function parseChatArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ChatCliOptions {
  const options: ChatCliOptions = {
    historyFile: defaultHistoryFile(env),
    maxMessages: DEFAULT_MAX_MESSAGES,
    requireCompletion: true,
    system: DEFAULT_SYSTEM,
    agent: false,
    approval: true,
    timeoutMs: DEFAULT_TIMEOUT_MS,
    followSymlinks: false,
    help: false,
  };
  let system: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') {
      options.help = true;
      continue;
    }
    if (arg === '--agent') {
      options.agent = true;
      continue;
    }
    if (arg === '--follow-symlinks') {
      options.followSymlinks = true;
      continue;
    }
    if (arg === '--no-approval') {
      options.approval = false;
      continue;
    }
    if (arg === '--no-require-completion') {
      options.requireCompletion = false;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      if (eq > 0 && arg.startsWith('--')) return arg.slice(eq + 1);
      const next = argv[++i];
      if (next === undefined) throw new UsageError(`${name} needs a value.`);
      return next;
    };
    const positive = (what: string, raw: string): number => {
      const n = Number(raw);
      if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${what} must be a number > 0, got "${raw}".`);
      return n;
    };
    switch (name) {
      case '--history-file': {
        const v = value();
        if (!v) throw new UsageError('--history-file must not be empty.');
        options.historyFile = v;
        break;
      }
      case '--max-messages':
      case '--max-history': { // --max-history: the old name, kept as an alias
        const raw = value();
        const n = Number(raw);
        if (!Number.isInteger(n) || n < 0) throw new UsageError(`${name} must be an integer >= 0, got "${raw}".`);
        options.maxMessages = n;
        break;
      }
      case '--system':
        system = value();
        break;
      case '--timeout':
        options.timeoutMs = positive('--timeout', value()) * 1000;
        break;
      default:
        throw new UsageError(`Unknown option "${arg}".`);
    }
  }
  options.system = system ?? (options.agent ? AGENT_SYSTEM : DEFAULT_SYSTEM);
  return options;
}
