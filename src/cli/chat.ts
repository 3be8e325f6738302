/**
 * `rxjs-langchain chat`: the command-line chat bot. Replies stream as they
 * arrive; the conversation is kept in a file across runs; Ctrl-C stops the
 * reply that is streaming (the request is aborted) and returns to the prompt;
 * errors print one line and the session goes on. Model text never drives the
 * terminal (`safeText`), and text typed during a reply waits until it ends.
 */
import { createInterface, type Interface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { ChatPromptTemplate, MessagesPlaceholder } from '@langchain/core/prompts';
import { AIMessage, SystemMessage, type AIMessageChunk, type BaseMessage } from '@langchain/core/messages';
import { concatMap, defer, EMPTY, finalize, from, Observable, of, Subject, tap, type Subscription } from 'rxjs';
import {
  chatTurns, fromRunnable, retryBeforeFirstChunk, streamAgentTurn, streamTimeout, tapProgress, windowHistory,
  type DecisionTurn, type ProgressEvent, type StreamPart, type TurnEvent, type TurnInput,
} from '../index';
import { FileChatMessageHistory, HistoryFileCorruptError } from '../node';
import { createColors, createPromptOutput, createStatusLine, fitToWidth, safeText, supportsColor, type StatusLine, type TerminalOutput } from './terminal';
import { CHAT_USAGE, parseChatArgs, UsageError, type ChatCliOptions } from './args';
import { createCliModel, type CliModel } from './model';
import { describeChatError } from './describeError';
import { createCliAgent, partPrinter, type CliAgent, type PartPrinter } from './agent';
import { createCliApprovals } from './approval';

/** Where the chat reads and writes; defaults to the process's stdio. */
export interface ChatIO {
  input: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
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
Ctrl-C while a reply streams stops it. What you type during a reply waits below it.
`;

const CTRL_C = 0x03;

/**
 * Between a terminal and readline: while a reply streams, keystrokes are held
 * (so nothing is echoed into the reply) except Ctrl-C, which stops the reply;
 * when it ends they are handed to readline up to the first Enter, so one queued
 * line at a time appears at the prompt (`你: …`) just as its turn starts.
 */
class InputGate {
  readonly stream = new PassThrough();
  private held: number[] = [];
  private holding = false;

  constructor(private readonly onCtrlC: () => void) {}

  readonly receive = (data: Buffer | string): void => {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    if (!this.holding) {
      // One line at a time even when several arrive at once (typed ahead, pasted): the rest
      // waits until that line has been handled, so its echo never lands in a reply.
      const enter = bytes.findIndex((b) => b === 0x0d || b === 0x0a);
      if (enter < 0 || enter === bytes.length - 1) {
        this.stream.write(bytes);
        return;
      }
      // Hold before handing the line over: a command or an empty line is handled inside
      // this write and releases the gate before it returns (setting it after lost the rest).
      this.holding = true;
      this.stream.write(bytes.subarray(0, enter + 1));
      this.receive(bytes.subarray(enter + 1));
      return;
    }
    for (const byte of bytes) {
      if (byte === CTRL_C) this.onCtrlC();
      else this.held.push(byte);
    }
  };

  /** The terminal's input ended: so does readline's, after what is held. */
  readonly end = (): void => {
    this.holding = false;
    if (this.held.length > 0) this.stream.write(Buffer.from(this.held));
    this.held = [];
    this.stream.end();
  };

  hold(): void {
    this.holding = true;
  }

  /** Stops holding and hands over what was typed, up to and including the first Enter. */
  release(): void {
    this.holding = false;
    if (this.held.length === 0) return;
    const enter = this.held.findIndex((b) => b === 0x0d || b === 0x0a);
    const upTo = enter < 0 ? this.held.length : enter + 1;
    const now = this.held.slice(0, upTo);
    this.held = this.held.slice(upTo);
    if (enter >= 0 && this.held.length > 0) this.holding = true; // the rest waits for the next turn
    this.stream.write(Buffer.from(now));
  }
}

/** Runs the chat until the user leaves; resolves with the exit code. */
export async function runChat(argv: readonly string[], io: Partial<ChatIO> = {}): Promise<number> {
  const input = io.input ?? process.stdin;
  const output = io.output ?? process.stdout;
  const errorOutput = io.errorOutput ?? process.stderr;
  const env = io.env ?? process.env;
  const signals = io.signals ?? (io.input ? undefined : process);
  const fail = (line: string): number => {
    errorOutput.write(`rxjs-langchain chat: ${line}\n`);
    return 1;
  };

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

  let cli: CliModel;
  try {
    cli = io.model ?? createCliModel(env);
  } catch (err) {
    return fail(describeChatError(err));
  }
  let agent: CliAgent | undefined;
  try {
    agent = options.agent ? createCliAgent(cli.model, options.system, undefined, options.approval) : undefined;
  } catch (err) {
    return fail(describeChatError(err));
  }
  const history = new FileChatMessageHistory(options.historyFile);
  let stored: number;
  try {
    // Up front, so a bad path or a foreign file is one line now, not a hang or a loss mid-chat.
    await history.ensureWritable();
    stored = (await history.getMessages()).length;
  } catch (err) {
    if (err instanceof HistoryFileCorruptError) return fail(describeChatError(err));
    return fail(`cannot use the history file ${safeText(options.historyFile)}: ${describeChatError(err)} (pass --history-file or set RXJS_LANGCHAIN_HISTORY)`);
  }

  const tty = Boolean(output.isTTY);
  const terminal = Boolean(input.isTTY) && tty;
  const c = createColors(supportsColor(output, env));
  const prompt = ChatPromptTemplate.fromMessages([
    new SystemMessage(options.system), // a message, not a template: braces in --system stay literal
    new MessagesPlaceholder('history'),
    ['human', '{question}'],
  ]);
  const chain = prompt.pipe(cli.model);
  const where = { baseURL: cli.baseURL, historyFile: options.historyFile };

  output.write(`${c.bold(agent ? '=== 流式聊天机器人 (Agent 工具: add, python_release) ===' : '=== 流式聊天机器人 ===')}  ${c.dim(`Model: ${cli.description}`)}\n`);
  output.write(
    c.dim(`History: ${safeText(options.historyFile)} (${stored} messages, the model sees the last ${options.maxMessages}). /help for commands.`) + '\n\n',
  );

  const lines = new Subject<string>();
  const stop$ = new Subject<void>();
  let queued = 0;
  let turnRunning = false;
  let promptShown = false;
  let closed = false;
  let status: StatusLine | undefined;

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

  // The reader of our output went away (`| head -1`: EPIPE): stop the reply that streams (it is
  // not saved), drop what is queued and end quietly, exit 0, as `yes | head -1` does.
  let outputGone = false;
  const onOutputError = (): void => {
    if (outputGone) return;
    outputGone = true;
    stop$.next();
    closed = true;
    rl.close();
  };
  (output as NodeJS.WritableStream).on('error', onOutputError);

  const gate = terminal ? new InputGate(interrupt) : undefined;
  if (gate) {
    input.setRawMode?.(true); // what readline does for a TTY input; it reads the gate instead
    input.on('data', gate.receive);
    input.once('end', gate.end);
    input.resume();
  }
  const userPrompt = c.green('你: ');
  const promptOutput = createPromptOutput(output); // readline redraws on resize only while its prompt is shown
  const rl: Interface = createInterface({
    input: gate ? gate.stream : input,
    output: promptOutput.stream,
    prompt: userPrompt,
    terminal,
    historySize: 100,
  });
  const echo = !terminal; // nobody sees what was typed: echo it when its turn starts

  const showPrompt = (): void => {
    if (closed || promptShown) return;
    promptShown = true;
    promptOutput.setPromptShown(true);
    if (approvals) rl.setPrompt(approvals.prompt(userPrompt));
    rl.prompt();
  };

  // With --agent the tools are guarded: a turn may stop for a decision, the next line answers it.
  const approvals = agent && options.approval ? createCliApprovals(agent, (text) => output.write(text), c) : undefined;
  const agentTurn = approvals?.streamTurn ?? (agent ? streamAgentTurn(agent) : undefined);
  const streamTurn = (input: TurnInput): Observable<AIMessageChunk | StreamPart> => {
    const { history: past, question } = input;
    const report = (p: ProgressEvent): void => {
      if (!status?.enabled || p.done) return;
      const tokensPerSecond = p.firstChunkMs !== null && p.elapsedMs > p.firstChunkMs ? ((p.chunks - 1) * 1000) / (p.elapsedMs - p.firstChunkMs) : 0;
      status.update(
        `${p.chars} 字 · ${p.words} 词 · ${tokensPerSecond.toFixed(1)} tok/s · 首字 ${p.firstChunkMs === null ? '-' : Math.round(p.firstChunkMs)} ms · ${(p.elapsedMs / 1000).toFixed(1)} s   Ctrl-C 停止`,
      );
    };
    const reply$: Observable<AIMessageChunk | StreamPart> = agentTurn ? agentTurn(input) : fromRunnable(chain, { history: past, question });
    return reply$.pipe(
      streamTimeout({ firstChunkMs: options.timeoutMs, idleMs: options.timeoutMs }),
      retryBeforeFirstChunk({ count: 1, delay: 300 }),
      tapProgress(report, { everyMs: 100 }),
    );
  };

  const turn = (question: string | DecisionTurn): Observable<unknown> =>
    defer(() => {
      turnRunning = true;
      gate?.hold();
      let started = false; // "AI: " is written with the first text, so an error line stands alone
      // An agent turn: tool calls as their arguments stream, results, then the answer.
      const printer: PartPrinter | undefined = agent ? partPrinter(output, c) : undefined;
      const endLine = (): void => {
        if (printer) printer.endLine();
        else if (started) output.write('\n');
      };
      if (tty) {
        status = createStatusLine(output);
        status.update('等待首字…   Ctrl-C 停止');
      }
      return of(question).pipe(
        chatTurns(streamTurn, { history, maxMessages: options.maxMessages, stop$, requireCompletion: options.requireCompletion }),
        tap((event: TurnEvent) => {
          if (event.type === 'chunk' && event.part !== undefined) {
            printer?.write(event.part);
            return;
          }
          if (event.type === 'chunk') {
            if (!started && event.text) output.write(c.cyan('AI: '));
            started ||= event.text !== '';
            output.write(safeText(event.text));
            return;
          }
          status?.close();
          if (event.type === 'done') {
            if (printer) printer.endLine();
            else output.write('\n');
            if (tty) {
              const first = event.firstChunkMs;
              const tps = first !== null && event.durationMs > first ? ((event.chunks - 1) * 1000) / (event.durationMs - first) : 0;
              output.write(
                c.dim(`[${[...event.text].length} 字 · ${event.chunks} 块${agent ? ` · ${toolCalls(event.messages)} 次工具调用` : ''} · ${tps.toFixed(1)} tok/s · 首字 ${first === null ? '-' : Math.round(first)} ms · ${(event.durationMs / 1000).toFixed(2)} s]`) + '\n',
              );
            }
          } else if (event.type === 'stopped') {
            endLine();
            output.write(`${c.yellow('[已停止]')} ${c.dim('(this turn was not saved to the history)')}\n`);
          } else if (event.type === 'awaiting') {
            endLine();
            approvals?.awaiting(event);
          } else if (event.type === 'error') {
            endLine();
            output.write(`${c.red('✖ Error:')} ${describeChatError(event.error, where)}\n`);
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

  const showHistory = (messages: BaseMessage[]): void => {
    if (messages.length === 0) output.write(c.dim('[history is empty]') + '\n\n');
    const seen = new Set(windowHistory(messages, options.maxMessages));
    const width = Math.max(20, (output.columns ?? 100) - 8);
    for (const m of messages) {
      const type = m.getType();
      const who = type === 'human' ? c.green('你: ') : type === 'ai' ? c.cyan('AI: ') : type === 'tool' ? c.green('   ↳ ') : `${safeText(type)}: `;
      const calls = m instanceof AIMessage ? (m.tool_calls ?? []).map((call) => `🔧 ${call.name} ${JSON.stringify(call.args)}`).join(' ') : '';
      const partial = (m.response_metadata as Record<string, unknown> | undefined)?.partial === true ? c.yellow(' [partial]') : '';
      const line = [m.text, calls].filter((t) => t.length > 0).join(' ');
      output.write(`${seen.has(m) ? ' ' : c.dim('·')} ${who}${fitToWidth(safeText(line).replace(/\s+/g, ' '), width)}${partial}\n`);
    }
    if (messages.length > 0) {
      const older = messages.length - seen.size;
      output.write(c.dim(`[${messages.length} messages; the model sees the last ${seen.size}${older > 0 ? `; the ${older} marked · are not sent` : ''}]`) + '\n\n');
    }
  };

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
          return from(history.getMessages()).pipe(tap(showHistory));
        default:
          output.write(c.yellow(`Unknown command ${safeText(name)}.`) + '\n' + COMMANDS + '\n');
          return EMPTY;
      }
    });

  const handle = (raw: string): Observable<unknown> => {
    const line = raw.trim();
    if (echo) {
      // Shown when its turn starts (also a line queued behind a reply, or read before the input ended).
      if (!promptShown) output.write(approvals?.prompt(userPrompt) ?? userPrompt);
      output.write(`${safeText(raw)}\n`);
    }
    promptShown = false;
    promptOutput.setPromptShown(false);
    if (line === '' || outputGone) return EMPTY;
    if (line.startsWith('/') || line.toLowerCase() === 'quit' || line.toLowerCase() === 'exit') {
      return command(line.startsWith('/') ? line : '/exit');
    }
    if (approvals?.pending) {
      const decision = approvals.answer(line);
      return decision ? turn(decision) : EMPTY;
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
              gate?.release(); // what was typed during the reply, now at the prompt
            }),
          ),
        ),
      )
      .subscribe({
        error: (err: unknown) => {
          errorOutput.write(`rxjs-langchain chat: ${describeChatError(err, where)}\n`);
          resolve(1);
        },
        complete: () => {
          if (!outputGone) output.write(`${promptShown ? '\n' : ''}再见！\n`);
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
  rl.on('SIGINT', interrupt);
  signals?.on('SIGINT', interrupt);

  showPrompt();
  try {
    return await done;
  } finally {
    signals?.off('SIGINT', interrupt);
    status?.close();
    rl.close();
    promptOutput.close();
    if (gate) {
      input.off('data', gate.receive);
      input.off('end', gate.end);
      input.setRawMode?.(false);
      input.pause();
    }
  }
}

/** Tool calls in a run's saved messages. */
function toolCalls(messages: readonly BaseMessage[]): number {
  return messages.reduce((n, m) => n + (m instanceof AIMessage ? (m.tool_calls ?? []).length : 0), 0);
}
