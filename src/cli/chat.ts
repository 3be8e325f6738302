/**
 * `rxjs-langchain chat`: the command-line chat bot. Replies stream as they
 * arrive; the conversation is kept in a file across runs; Ctrl-C stops the
 * reply that is streaming (the request is aborted) and returns to the prompt;
 * errors print one line and the session goes on. Model text never drives the
 * terminal (`safeText`), and text typed during a reply waits until it ends.
 */
import { createInterface, type Interface } from 'node:readline';
import { ChatPromptTemplate, MessagesPlaceholder } from '@langchain/core/prompts';
import { SystemMessage, type AIMessageChunk } from '@langchain/core/messages';
import { concatMap, defer, EMPTY, finalize, from, Observable, of, Subject, tap } from 'rxjs';
import {
  chatTurns, fromRunnable, retryBeforeFirstChunk, streamAgentTurn, streamTimeout, tapProgress,
  type DecisionTurn, type StreamPart, type TurnEvent, type TurnInput,
} from '../index';
import {
  createColors, createPromptOutput, createStatusLine, safeText, supportsColor,
  type Colors, type PromptOutput, type StatusLine, type TerminalOutput,
} from './terminal';
import type { CliModel } from './model';
import { describeChatError } from './describeError';
import { partPrinter, type PartPrinter } from './agent';
import { createCliApprovals, type CliApprovals } from './approval';
import { InputGate } from './inputGate';
import { setUpChat, type ChatSetup } from './chatSetup';
import { progressLine, showHistory, tallyTool, turnStats, type ToolTally } from './chatScreen';

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

/** Runs the chat until the user leaves; resolves with the exit code. */
export async function runChat(argv: readonly string[], io: Partial<ChatIO> = {}): Promise<number> {
  const streams: Omit<ChatIO, 'model'> = {
    input: io.input ?? process.stdin,
    output: io.output ?? process.stdout,
    errorOutput: io.errorOutput ?? process.stderr,
    env: io.env ?? process.env,
    signals: io.signals ?? (io.input ? undefined : process),
  };
  const setup = await setUpChat(argv, streams, io.model);
  if (typeof setup === 'number') return setup;
  return new ChatLoop(streams, setup).run();
}

/** One chat session: questions read by readline, one turn at a time, until the input ends. */
class ChatLoop {
  private readonly c: Colors;
  private readonly tty: boolean;
  private readonly terminal: boolean;
  private readonly where: { baseURL?: string; historyFile: string };
  private readonly userPrompt: string;
  private readonly lines = new Subject<string>();
  private readonly stop$ = new Subject<void>();
  private queued = 0;
  private turnRunning = false;
  private promptShown = false;
  private closed = false;
  private outputGone = false;
  private status: StatusLine | undefined;
  private gate: InputGate | undefined;
  private promptOutput!: PromptOutput;
  private rl!: Interface;
  private readonly reply: (input: TurnInput) => Observable<AIMessageChunk | StreamPart>;
  /** With --agent the tools are guarded: a turn may stop for a decision, the next line answers it. */
  private readonly approvals: CliApprovals | undefined;

  constructor(private readonly io: Omit<ChatIO, 'model'>, private readonly setup: ChatSetup) {
    this.tty = Boolean(io.output.isTTY);
    this.terminal = Boolean(io.input.isTTY) && this.tty;
    this.c = createColors(supportsColor(io.output, io.env));
    this.where = { baseURL: setup.cli.baseURL, historyFile: setup.options.historyFile };
    this.userPrompt = this.c.green('你: ');
    const { agent, cli, options } = setup;
    const chain = ChatPromptTemplate.fromMessages([
      new SystemMessage(options.system), // a message, not a template: braces in --system stay literal
      new MessagesPlaceholder('history'),
      ['human', '{question}'],
    ]).pipe(cli.model);
    this.approvals = agent && options.approval ? createCliApprovals(agent, (text) => io.output.write(text), this.c) : undefined;
    this.reply = this.approvals?.streamTurn ?? (agent ? streamAgentTurn(agent) : (input) => fromRunnable(chain, { history: input.history, question: input.question }));
  }

  async run(): Promise<number> {
    const { output } = this.io;
    const { agent, cli, options, stored } = this.setup;
    output.write(`${this.c.bold(agent ? '=== 流式聊天机器人 (Agent 工具: add, python_release) ===' : '=== 流式聊天机器人 ===')}  ${this.c.dim(`Model: ${cli.description}`)}\n`);
    output.write(
      this.c.dim(`History: ${safeText(options.historyFile)} (${stored} messages, the model sees the last ${options.maxMessages}). /help for commands.`) + '\n\n',
    );
    this.openInput();
    const done = this.loop();
    this.showPrompt();
    try {
      return await done;
    } finally {
      this.closeInput();
    }
  }

  /** Ctrl-C: stop the streaming reply; at a prompt, clear typed text or exit. */
  private readonly onCtrlC = (): void => {
    if (this.turnRunning) {
      this.stop$.next();
      return;
    }
    if (this.queued > 0) return; // between queued items: nothing streams right now
    if (this.rl.line) {
      // Some text typed: drop it and prompt again, like a shell.
      this.io.output.write('^C\n');
      this.rl.write(null, { ctrl: true, name: 'e' }); // end of line,
      this.rl.write(null, { ctrl: true, name: 'u' }); // then delete it: readline redraws an empty prompt on the new row
      return;
    }
    this.io.output.write('\n');
    this.promptShown = false;
    this.closed = true;
    this.rl.close();
  };

  /**
   * The reader of our output went away (`| head -1`: EPIPE): stop the reply that streams (it is
   * not saved), drop what is queued and end quietly, exit 0, as `yes | head -1` does.
   */
  private readonly onOutputError = (): void => {
    if (this.outputGone) return;
    this.outputGone = true;
    this.stop$.next();
    this.closed = true;
    this.rl.close();
  };

  /** readline over the input gate (a terminal) or the input itself (a pipe), and the listeners. */
  private openInput(): void {
    const { input, output, signals } = this.io;
    (output as NodeJS.WritableStream).on('error', this.onOutputError);
    this.gate = this.terminal ? new InputGate(this.onCtrlC) : undefined;
    if (this.gate) {
      input.setRawMode?.(true); // what readline does for a TTY input; it reads the gate instead
      input.on('data', this.gate.receive);
      input.once('end', this.gate.end);
      input.resume();
    }
    this.promptOutput = createPromptOutput(output); // readline redraws on resize only while its prompt is shown
    this.rl = createInterface({
      input: this.gate ? this.gate.stream : input,
      output: this.promptOutput.stream,
      prompt: this.userPrompt,
      terminal: this.terminal,
      historySize: 100,
    });
    this.rl.on('line', (line) => {
      if (this.closed) return;
      this.queued++;
      this.lines.next(line);
    });
    this.rl.on('close', () => {
      this.closed = true;
      this.lines.complete(); // queued questions still run, then the chat ends
    });
    this.rl.on('SIGINT', this.onCtrlC);
    signals?.on('SIGINT', this.onCtrlC);
  }

  private closeInput(): void {
    const { input, signals } = this.io;
    signals?.off('SIGINT', this.onCtrlC);
    this.status?.close();
    this.rl.close();
    this.promptOutput.close();
    if (this.gate) {
      input.off('data', this.gate.receive);
      input.off('end', this.gate.end);
      input.setRawMode?.(false);
      input.pause();
    }
  }

  private showPrompt(): void {
    if (this.closed || this.promptShown) return;
    this.promptShown = true;
    this.promptOutput.setPromptShown(true);
    if (this.approvals) this.rl.setPrompt(this.approvals.prompt(this.userPrompt));
    this.rl.prompt();
  }

  /** Each line in order, one at a time; resolves with the exit code when the input has ended. */
  private loop(): Promise<number> {
    return new Promise<number>((resolve) => {
      this.lines
        .pipe(
          concatMap((line) =>
            this.handle(line).pipe(
              finalize(() => {
                this.queued--;
                if (this.queued === 0) this.showPrompt();
                this.gate?.release(); // what was typed during the reply, now at the prompt
              }),
            ),
          ),
        )
        .subscribe({
          error: (err: unknown) => {
            this.io.errorOutput.write(`rxjs-langchain chat: ${describeChatError(err, this.where)}\n`);
            resolve(1);
          },
          complete: () => {
            if (!this.outputGone) this.io.output.write(`${this.promptShown ? '\n' : ''}再见！\n`);
            resolve(0);
          },
        });
    });
  }

  private handle(raw: string): Observable<unknown> {
    const line = raw.trim();
    if (!this.terminal) {
      // Nobody saw it typed: shown when its turn starts (also a line queued behind a reply, or read before the input ended).
      if (!this.promptShown) this.io.output.write(this.approvals?.prompt(this.userPrompt) ?? this.userPrompt);
      this.io.output.write(`${safeText(raw)}\n`);
    }
    this.promptShown = false;
    this.promptOutput.setPromptShown(false);
    if (line === '' || this.outputGone) return EMPTY;
    if (line.startsWith('/') || line.toLowerCase() === 'quit' || line.toLowerCase() === 'exit') {
      return this.command(line.startsWith('/') ? line : '/exit');
    }
    if (this.approvals?.pending) {
      const decision = this.approvals.answer(line);
      return decision ? this.turn(decision) : EMPTY;
    }
    return this.turn(line);
  }

  private command(line: string): Observable<unknown> {
    return defer(() => {
      const { output } = this.io;
      const { history, options } = this.setup;
      const [name] = line.split(/\s+/, 1);
      switch (name.toLowerCase()) {
        case '/exit':
        case '/quit':
          this.closed = true;
          this.rl.close();
          return EMPTY;
        case '/help':
          output.write(COMMANDS + '\n');
          return EMPTY;
        case '/clear':
          return from(history.clear()).pipe(tap({ complete: () => output.write(this.c.dim('[history cleared]') + '\n\n') }));
        case '/history':
          return from(history.getMessages()).pipe(tap((messages) => showHistory(output, this.c, messages, options.maxMessages)));
        default:
          output.write(this.c.yellow(`Unknown command ${safeText(name)}.`) + '\n' + COMMANDS + '\n');
          return EMPTY;
      }
    });
  }

  /** The model's reply (or the agent's run) to one turn, with timeouts, one retry and progress. */
  private readonly streamTurn = (input: TurnInput): Observable<AIMessageChunk | StreamPart> => {
    const { timeoutMs } = this.setup.options;
    return this.reply(input).pipe(
      streamTimeout({ firstChunkMs: timeoutMs, idleMs: timeoutMs }),
      retryBeforeFirstChunk({ count: 1, delay: 300 }),
      tapProgress((p) => {
        if (this.status?.enabled && !p.done) this.status.update(progressLine(p));
      }, { everyMs: 100 }),
    );
  };

  /** One turn: its reply printed as it streams, then its statistics, a stop or an error line. */
  private turn(question: string | DecisionTurn): Observable<unknown> {
    return defer(() => {
      const { history, options } = this.setup;
      this.turnRunning = true;
      this.gate?.hold();
      if (this.tty) {
        this.status = createStatusLine(this.io.output);
        this.status.update('等待首字…   Ctrl-C 停止');
      }
      return of(question).pipe(
        chatTurns(this.streamTurn, { history, maxMessages: options.maxMessages, stop$: this.stop$, requireCompletion: options.requireCompletion }),
        tap(this.turnPrinter()),
        finalize(() => {
          this.status?.close();
          this.status = undefined;
          this.turnRunning = false;
        }),
      );
    });
  }

  /** Prints one turn's events; `AI: ` comes with the first text, so an error line stands alone. */
  private turnPrinter(): (event: TurnEvent) => void {
    const { output } = this.io;
    const c = this.c;
    let started = false;
    // An agent turn: tool calls as their arguments stream, results, then the answer.
    const printer: PartPrinter | undefined = this.setup.agent ? partPrinter(output, c) : undefined;
    const tools: ToolTally | undefined = printer ? { ran: 0, denied: 0 } : undefined;
    const endLine = (): void => {
      if (printer) printer.endLine();
      else if (started) output.write('\n');
    };
    return (event) => {
      if (event.type === 'chunk') {
        if (event.part !== undefined) {
          if (tools) tallyTool(tools, event.part);
          return void printer?.write(event.part);
        }
        if (!started && event.text) output.write(c.cyan('AI: '));
        started ||= event.text !== '';
        return void output.write(safeText(event.text));
      }
      this.status?.close();
      if (event.type === 'done') {
        if (printer) printer.endLine();
        else output.write('\n');
        if (this.tty) output.write(c.dim(turnStats(event, tools)) + '\n');
      } else if (event.type === 'stopped') {
        endLine();
        output.write(`${c.yellow('[已停止]')} ${c.dim('(this turn was not saved to the history)')}\n`);
      } else if (event.type === 'awaiting') {
        endLine();
        this.approvals?.awaiting(event);
      } else if (event.type === 'error') {
        endLine();
        output.write(`${c.red('✖ Error:')} ${describeChatError(event.error, this.where)}\n`);
      }
      output.write('\n');
    };
  }
}
