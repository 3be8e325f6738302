/**
 * Approvals in the CLI's agent mode (`rxjs-langchain chat --agent`, and demo 14): the agent's
 * tools are guarded by `langchain`'s `humanInTheLoopMiddleware`; a turn that stops for a decision
 * shows each request and asks `批准 / 拒绝 / 修改?`; the next line answers it (a decision turn on
 * the turn's own thread). Each asked turn runs on a fresh thread (MemorySaver), so the history file
 * stays the conversation, as without approvals.
 */
import { HumanMessage } from '@langchain/core/messages';
import type { Observable } from 'rxjs';
import {
  approvalResume, fromAgent, type ApprovalDecision, type ApprovalRequestPart, type DecisionTurn, type StreamPart, type TurnAwaitingEvent, type TurnInput,
} from '../index';
import { safeText, type Colors } from './terminal';
import type { LoadPackage } from './model';

/** What the CLI asks when a tool call waits for a decision. */
export const APPROVAL_QUESTION = '批准 / 拒绝 / 修改? ';

/** The tools the CLI guards: every tool of the embedded agent. */
export const GUARDED_TOOLS = ['add', 'python_release'] as const;

type Langchain = typeof import('langchain');
type Langgraph = typeof import('@langchain/langgraph');

/** `createAgent` options that guard the offline tools: the HITL middleware and a checkpointer (it needs one). */
export function guardedAgentOptions(langchain: Langchain, load: LoadPackage): { middleware: ReturnType<Langchain['humanInTheLoopMiddleware']>[]; checkpointer: InstanceType<Langgraph['MemorySaver']> } {
  const { MemorySaver } = load('@langchain/langgraph') as Langgraph;
  const interruptOn = Object.fromEntries(GUARDED_TOOLS.map((name) => [name, { allowedDecisions: ['approve', 'edit', 'reject'] as ('approve' | 'edit' | 'reject')[] }]));
  return { middleware: [langchain.humanInTheLoopMiddleware({ interruptOn })], checkpointer: new MemorySaver() };
}

/** The CLI's side of approvals: the streamTurn of agent turns, the question, the answer. */
export class CliApprovals {
  private turns = 0;
  private threadId = '';
  private requests: readonly ApprovalRequestPart[] = [];

  constructor(
    private readonly agent: Parameters<typeof fromAgent>[0],
    private readonly Command: new (args: { resume: unknown }) => unknown,
    private readonly write: (text: string) => void,
    private readonly c: Colors,
  ) {}

  /** A `streamTurn`: a question starts a run on a fresh thread; a decision turn continues that thread. */
  readonly streamTurn = (input: TurnInput): Observable<StreamPart> => {
    if (input.decisions !== undefined) {
      return fromAgent(this.agent, new this.Command({ resume: approvalResume(input.decisions) }), { configurable: { thread_id: this.threadId } });
    }
    this.threadId = `cli-${process.pid}-${++this.turns}`;
    return fromAgent(this.agent, { messages: [...input.history, new HumanMessage(input.question)] }, { configurable: { thread_id: this.threadId } });
  };

  /** True while a decision is pending: the next line answers it. */
  get pending(): boolean {
    return this.requests.length > 0;
  }

  /** The prompt to show now. */
  prompt(userPrompt: string): string {
    return this.pending ? this.c.yellow(APPROVAL_QUESTION) : userPrompt;
  }

  /** The turn stopped for a decision: show what waits. */
  awaiting(event: TurnAwaitingEvent): void {
    this.requests = event.requests;
    for (const r of event.requests) {
      this.write(`${this.c.yellow('⏸ 需要批准:')} ${safeText(r.toolName ?? 'interrupt')} ${safeText(JSON.stringify(r.input ?? r.value))}\n`);
    }
    this.write(this.c.dim('  批准 (y)、拒绝 (n [原因])、修改 (修改 {"参数":…})') + '\n');
  }

  /**
   * The decision turn for a line typed at the question, or undefined (with a hint written) when the
   * line is not an answer: `批准` / `y`, `拒绝 [原因]` / `n [reason]`, `修改 {json}` / `edit {json}`.
   */
  answer(line: string): DecisionTurn | undefined {
    const text = line.trim();
    let decisions: ApprovalDecision[] | undefined;
    const reject = /^(?:拒绝|n|no|reject)(?:\s+(.+))?$/i.exec(text);
    const edit = /^(?:修改|e|edit)\s+(\{.*\})$/is.exec(text);
    if (/^(?:批准|同意|y|yes|approve)$/i.test(text)) {
      decisions = this.requests.map((request) => ({ type: 'approve', request }));
    } else if (reject) {
      decisions = this.requests.map((request) => ({ type: 'reject', request, message: `用户拒绝了 ${request.toolName ?? '这次'} 调用${reject[1] ? `：${reject[1]}` : ''}` }));
    } else if (edit && this.requests.length === 1) {
      let args: unknown;
      try {
        args = JSON.parse(edit[1]);
      } catch {
        args = undefined;
      }
      if (typeof args === 'object' && args !== null && !Array.isArray(args)) decisions = [{ type: 'edit', request: this.requests[0], args: args as Record<string, unknown> }];
    }
    if (decisions === undefined) {
      this.write(`${this.c.yellow('请回答')} 批准、拒绝 [原因] 或 修改 {"参数":…}${this.requests.length > 1 ? '（修改只用于一个请求）' : ''}\n`);
      return undefined;
    }
    this.requests = [];
    return { decisions };
  }
}

/** The CLI's approvals for `agent` (a guarded `createCliAgent`); LangGraph's `Command` is loaded here, as `langchain` is. */
export function createCliApprovals(
  agent: Parameters<typeof fromAgent>[0], write: (text: string) => void, c: Colors, load: LoadPackage = (name) => require(name),
): CliApprovals {
  const { Command } = load('@langchain/langgraph') as Langgraph;
  return new CliApprovals(agent, Command, write, c);
}
