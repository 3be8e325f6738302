/** What `rxjs-langchain chat` checks before its first prompt: options, model, agent, history file. */
import { FileChatMessageHistory, HistoryFileCorruptError, HistoryFileTypeError } from '../node';
import { safeText } from './terminal';
import { CHAT_USAGE, parseChatArgs, UsageError, type ChatCliOptions } from './args';
import { createCliModel, type CliModel } from './model';
import { describeChatError } from './describeError';
import { createCliAgent, type CliAgent } from './agent';

/** The streams and environment the chat runs with. */
export interface ChatStreams {
  output: NodeJS.WritableStream;
  errorOutput: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/** Everything the chat loop needs, checked. */
export interface ChatSetup {
  options: ChatCliOptions;
  cli: CliModel;
  agent: CliAgent | undefined;
  history: FileChatMessageHistory;
  /** Messages in the history file at startup. */
  stored: number;
}

/**
 * Parses the options and opens the model, the agent and the history file; or says in one line
 * why not and returns the exit code (2 for a usage error, 0 after `--help`, 1 otherwise).
 */
export async function setUpChat(argv: readonly string[], io: ChatStreams, model?: CliModel): Promise<ChatSetup | number> {
  const fail = (line: string): number => {
    io.errorOutput.write(`rxjs-langchain chat: ${line}\n`);
    return 1;
  };
  let options: ChatCliOptions;
  try {
    options = parseChatArgs(argv, io.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.errorOutput.write(`rxjs-langchain chat: ${err.message}\n\n${CHAT_USAGE}`);
    return 2;
  }
  if (options.help) {
    io.output.write(CHAT_USAGE);
    return 0;
  }
  let cli: CliModel;
  let agent: CliAgent | undefined;
  try {
    cli = model ?? createCliModel(io.env);
    agent = options.agent ? createCliAgent(cli.model, options.system, undefined, options.approval) : undefined;
  } catch (err) {
    return fail(describeChatError(err));
  }
  const history = new FileChatMessageHistory(options.historyFile, { followSymlinks: options.followSymlinks });
  try {
    // Up front, so a bad path or a foreign file is one line now, not a hang or a loss mid-chat.
    await history.ensureWritable();
    const stored = (await history.getMessages()).length;
    return { options, cli, agent, history, stored };
  } catch (err) {
    if (err instanceof HistoryFileCorruptError || err instanceof HistoryFileTypeError) return fail(describeChatError(err));
    return fail(`cannot use the history file ${safeText(options.historyFile)}: ${describeChatError(err)} (pass --history-file or set RXJS_LANGCHAIN_HISTORY)`);
  }
}
