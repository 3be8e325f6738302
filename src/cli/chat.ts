/**
 * `rxjs-langchain chat`: the seed's command-line chat bot (example 3.1), fixed.
 * Replies stream as they arrive; the conversation is kept in a file across
 * runs; Ctrl-C stops the reply that is streaming (the request is aborted) and
 * returns to the prompt; errors print one line and the session goes on.
 */
import { createInterface, type Interface } from 'node:readline';
import { ChatPromptTemplate, MessagesPlaceholder } from '@langchain/core/prompts';
import type { BaseListChatMessageHistory } from '@langchain/core/chat_history';
import { SystemMessage, type AIMessageChunk, type BaseMessage } from '@langchain/core/messages';
import { concatMap, defer, EMPTY, finalize, from, Observable, of, Subject, tap, type Subscription } from 'rxjs';
import { chatTurns, fromRunnable, retryBeforeFirstChunk, streamTimeout, tapProgress, windowHistory, type ProgressEvent, type TurnEvent } from '../index';
import { FileChatMessageHistory } from '../node';
import { createColors, createStatusLine, fitToWidth, supportsColor, type StatusLine, type TerminalOutput } from './terminal';
import { textOf } from '../internal/text';
import { CHAT_USAGE, parseChatArgs, UsageError, type ChatCliOptions } from './args';
import { createCliModel, type CliModel } from './model';
import { describeChatError } from './describeError';

/** Where the chat reads and writes; defaults to the process's stdio. */
export interface ChatIO {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream & TerminalOutput;
  errorOutput: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /** Receives process-level SIGINT (kill -INT, or Ctrl-C when stdin is not a terminal). */
  signals?: NodeJS.EventEmitter;
  /** Model override (tests); default from the environment, like the demos. */
  model?: CliModel;
}

const COMMANDS = `Commands: /history  show the stored conversation
          /clear    forget it (also in the history file)
          /help     this list
          /exit     quit (also Ctrl-D, or Ctrl-C at an empty prompt)
Ctrl-C while a reply streams stops it.
`;

/** Runs the chat until the user leaves; resolves with the exit code. */
export async function runChat(argv: readonly string[], io: Partial<ChatIO> = {}): Promise<number> {
  const input = io.input ?? process.stdin;
  const output = io.output ?? process.stdout;
  const errorOutput = io.errorOutput ?? process.stderr;
  const env = io.env ?? process.env;
  const signals = io.signals ?? (io.input ? undefined : process);

  let options: ChatCliOptions;
  try {
    options = parseChatArgs(argv, env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    errorOutput.write(`rxjs-langchain chat: ${err.message}\n\n${CHAT_USAGE}`);
    return 2;
  }
  if (options.help) {
    output.write(CHAT_USAGE);
    return 0;
  }

  const tty = Boolean(output.isTTY);
  const c = createColors(supportsColor(output, env));
  const cli = io.model ?? createCliModel(env);
  const history: BaseListChatMessageHistory = new FileChatMessageHistory(options.historyFile);
  let stored: number;
  try {
    stored = (await history.getMessages()).length; // read once up front: a broken file is reported here, not mid-chat
  } catch (err) {
    errorOutput.write(`rxjs-langchain chat: cannot use the history file ${options.historyFile}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }

  const prompt = ChatPromptTemplate.fromMessages([
    new SystemMessage(options.system), // a message, not a template: braces in --system stay literal
    new MessagesPlaceholder('history'),
    ['human', '{question}'],
  ]);
  const chain = prompt.pipe(cli.model);

  output.write(`${c.bold('=== 流式聊天机器人 ===')}  ${c.dim(`Model: ${cli.description}`)}\n`);
  output.write(
    c.dim(`History: ${options.historyFile} (${stored} messages, the model sees the last ${options.maxHistory}). /help for commands.`) + '\n\n',
  );

  const userPrompt = c.green('你: ');
  const rl: Interface = createInterface({
    input,
    output,
    prompt: userPrompt,
    terminal: Boolean(input.isTTY) && tty,
    historySize: 100,
  });
  const echo = !(Boolean(input.isTTY) && tty); // nobody sees what was typed: echo it after the prompt

  const lines = new Subject<string>();
  const stop$ = new Subject<void>();
  let queued = 0;
  let turnRunning = false;
  let promptShown = false;
  let closed = false;
  let status: StatusLine | undefined;

  const showPrompt = (): void => {
    if (closed || promptShown) return;
    promptShown = true;
    rl.prompt();
  };

  const streamTurn = ({ history: past, question }: { history: BaseMessage[]; question: string }): Observable<AIMessageChunk> => {
    const report = (p: ProgressEvent): void => {
      if (!status?.enabled || p.done) return;
      const tokensPerSecond = p.firstChunkMs !== null && p.elapsedMs > p.firstChunkMs ? ((p.chunks - 1) * 1000) / (p.elapsedMs - p.firstChunkMs) : 0;
      status.update(
        `${p.chars} 字 · ${p.words} 词 · ${tokensPerSecond.toFixed(1)} tok/s · 首字 ${p.firstChunkMs ?? '-'} ms · ${(p.elapsedMs / 1000).toFixed(1)} s   Ctrl-C 停止`,
      );
    };
    return fromRunnable(chain, { history: past, question }).pipe(
      streamTimeout({ firstChunkMs: options.timeoutMs, idleMs: options.timeoutMs }),
      retryBeforeFirstChunk({ count: 1, delay: 300 }),
      tapProgress(report, { everyMs: 100 }),
    );
  };

  const turn = (question: string): Observable<unknown> =>
    defer(() => {
      turnRunning = true;
      let started = false; // "AI: " is written with the first text, so an error line stands alone
      if (tty) {
        status = createStatusLine(output);
        status.update(`等待首字…   Ctrl-C 停止`);
      }
      return of(question).pipe(
        chatTurns(streamTurn, { history, maxMessages: options.maxHistory, stop$ }),
        tap((event: TurnEvent) => {
          if (event.type === 'chunk') {
            if (!started && event.text) output.write(c.cyan('AI: '));
            started ||= event.text !== '';
            output.write(event.text);
            return;
          }
          status?.close();
          if (event.type === 'done') {
            output.write('\n');
            if (tty) {
              const tps = event.firstChunkMs !== undefined && event.durationMs > event.firstChunkMs
                ? ((event.chunks - 1) * 1000) / (event.durationMs - event.firstChunkMs)
                : 0;
              output.write(c.dim(`[${[...event.text].length} 字 · ${event.chunks} 块 · ${tps.toFixed(1)} tok/s · 首字 ${event.firstChunkMs ?? '-'} ms · ${(event.durationMs / 1000).toFixed(2)} s]`) + '\n');
            }
          } else if (event.type === 'interrupted') {
            output.write(`${started ? '\n' : ''}${c.yellow('[已停止]')} ${c.dim('(this turn was not saved to the history)')}\n`);
          } else {
            output.write(`${started ? '\n' : ''}${c.red('✖ Error:')} ${describeChatError(event.error, cli)}\n`);
          }
          output.write('\n');
        }),
        finalize(() => {
          status?.close();
          status = undefined;
          turnRunning = false;
        }),
      );
    });

  const command = (line: string): Observable<unknown> =>
    defer(() => {
      const [name] = line.split(/\s+/, 1);
      switch (name.toLowerCase()) {
        case '/exit':
        case '/quit':
          closed = true;
          rl.close();
          return EMPTY;
        case '/help':
          output.write(COMMANDS + '\n');
          return EMPTY;
        case '/clear':
          return from(history.clear()).pipe(tap({ complete: () => output.write(c.dim('[history cleared]') + '\n\n') }));
        case '/history':
          return from(history.getMessages()).pipe(
            tap((messages) => {
              if (messages.length === 0) output.write(c.dim('[history is empty]') + '\n\n');
              const seen = new Set(windowHistory(messages, options.maxHistory));
              for (const m of messages) {
                const who = m.getType() === 'human' ? c.green('你: ') : m.getType() === 'ai' ? c.cyan('AI: ') : `${m.getType()}: `;
                const width = Math.max(20, (output.columns ?? 100) - 8);
                output.write(`${seen.has(m) ? ' ' : c.dim('·')} ${who}${fitToWidth(textOf(m).replace(/\s+/g, ' '), width)}\n`);
              }
              if (messages.length > 0) {
                const older = messages.length - seen.size;
                output.write(c.dim(`[${messages.length} messages; the model sees the last ${seen.size}${older > 0 ? `; the ${older} marked · are not sent` : ''}]`) + '\n\n');
              }
            }),
          );
        default:
          output.write(c.yellow(`Unknown command ${name}.`) + '\n' + COMMANDS + '\n');
          return EMPTY;
      }
    });

  const handle = (raw: string): Observable<unknown> => {
    const line = raw.trim();
    if (echo && !closed) {
      if (!promptShown) output.write(userPrompt);
      output.write(`${raw}\n`);
    }
    promptShown = false;
    if (line === '') return EMPTY;
    if (line.startsWith('/') || line.toLowerCase() === 'quit' || line.toLowerCase() === 'exit') {
      return command(line.startsWith('/') ? line : '/exit');
    }
    return turn(line);
  };

  const done = new Promise<number>((resolve) => {
    const subscription: Subscription = lines
      .pipe(
        concatMap((line) =>
          handle(line).pipe(
            finalize(() => {
              queued--;
              if (queued === 0) showPrompt();
            }),
          ),
        ),
      )
      .subscribe({
        error: (err: unknown) => {
          errorOutput.write(`rxjs-langchain chat: ${describeChatError(err, cli)}\n`);
          resolve(1);
        },
        complete: () => {
          output.write(`${promptShown ? '\n' : ''}再见！\n`);
          resolve(0);
        },
      });
    void subscription;
  });

  rl.on('line', (line) => {
    if (closed) return;
    queued++;
    lines.next(line);
  });
  rl.on('close', () => {
    closed = true;
    lines.complete(); // queued questions still run, then the chat ends
  });

  /** Ctrl-C: stop the streaming reply; at a prompt, clear typed text or exit. */
  const interrupt = (): void => {
    if (turnRunning) {
      stop$.next();
      return;
    }
    if (queued > 0) return; // between queued items: nothing streams right now
    if (rl.line) {
      // Some text typed: drop it and prompt again, like a shell.
      output.write('^C\n');
      rl.write(null, { ctrl: true, name: 'e' }); // end of line,
      rl.write(null, { ctrl: true, name: 'u' }); // then delete it: readline redraws an empty prompt on the new row
      return;
    }
    output.write('\n');
    promptShown = false;
    closed = true;
    rl.close();
  };
  rl.on('SIGINT', interrupt);
  signals?.on('SIGINT', interrupt);

  showPrompt();
  try {
    return await done;
  } finally {
    signals?.off('SIGINT', interrupt);
    status?.close();
    rl.close();
  }
}
