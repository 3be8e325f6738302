import type { ApprovalDecisionType, ApprovalRequestPart, PartOrigin, ToolCallPart } from '../../parts/types';

/** The finish reason of a run that stopped for a person's decision (glossary: awaiting a decision). */
export const AWAITING_DECISION = 'awaiting-decision';

/** The decisions `langchain`'s HITL middleware knows. */
const HITL_DECISIONS: ReadonlySet<string> = new Set(['approve', 'edit', 'reject']);

/** What the decoder of a resumed run knows of the decisions it resumes with. */
export interface ResumedCalls {
  /** Ids of the tool calls the decisions answer: their message comes back whole and is not a new step. */
  readonly calls: ReadonlySet<string>;
  /** Ids of the rejected calls: their result is the rejection (`denied: true`). */
  readonly rejected: ReadonlySet<string>;
}

interface SeenCall {
  readonly step: number;
  readonly part: ToolCallPart;
}

/**
 * Decodes LangGraph's `__interrupt__` updates (`[{ id, value }]`) into `approval-request`
 * parts, one place for what the assembler hands on (decision 0195): `langchain`'s HITL
 * payload (`actionRequests` + `reviewConfigs`) becomes one part per guarded call, matched to
 * the call's id among the tool calls of the run's latest step with calls (the payload has
 * names and arguments only); any other interrupt is one part carrying its value. An
 * interrupt seen twice (a subgraph's, then its parent's) counts once.
 */
export class InterruptDecoder {
  private readonly calls: SeenCall[] = [];
  private readonly matched = new Set<string>();
  private readonly interrupts = new Set<string>();
  /** An `approval-request` part was emitted: the run ends awaiting a decision. */
  awaiting = false;

  constructor(
    private readonly emit: (part: ApprovalRequestPart) => void,
    readonly resumed?: ResumedCalls,
  ) {}

  /** A complete tool call of step `step` (a candidate for the next interrupt). */
  seeCall(step: number, part: ToolCallPart): void {
    this.calls.push({ step, part });
  }

  /** True for a whole message of a resumed run that is the interrupted message coming back. */
  isResumedMessage(toolCalls: ReadonlyArray<{ id?: unknown }> | undefined): boolean {
    const resumed = this.resumed;
    if (resumed === undefined || toolCalls === undefined) return false;
    return toolCalls.some((c) => typeof c.id === 'string' && resumed.calls.has(c.id));
  }

  /** True when the result answers a call a person rejected. */
  isRejected(toolCallId: string): boolean {
    return this.resumed?.rejected.has(toolCallId) === true;
  }

  /** Decodes the value of an `__interrupt__` update. */
  decode(value: unknown, origin: PartOrigin | undefined): void {
    const list = Array.isArray(value) ? value : [value];
    for (const item of list) {
      if (typeof item !== 'object' || item === null) continue;
      const { id, value: payload } = item as { id?: unknown; value?: unknown };
      const interruptId = typeof id === 'string' && id.length > 0 ? id : `interrupt-${this.interrupts.size}`;
      if (this.interrupts.has(interruptId)) continue;
      this.interrupts.add(interruptId);
      this.awaiting = true;
      const actions = hitlActions(payload);
      if (actions === undefined) {
        this.emit(withOrigin({
          type: 'approval-request', id: `${interruptId}:0`, interruptId, index: 0, count: 1, allowedDecisions: ['respond'], value: payload,
        }, origin));
        continue;
      }
      const candidates = this.latestCalls();
      actions.forEach((action, index) => {
        const call = this.match(candidates, action.name, action.args);
        const part: ApprovalRequestPart = {
          type: 'approval-request',
          id: `${interruptId}:${index}`,
          interruptId,
          index,
          count: actions.length,
          ...(call !== undefined && { toolCallId: call.id }),
          toolName: action.name,
          input: action.args,
          ...(action.description !== undefined && { description: action.description }),
          allowedDecisions: action.allowedDecisions,
          ...(action.argsSchema !== undefined && { argsSchema: action.argsSchema }),
          value: payload,
        };
        this.emit(withOrigin(part, origin));
      });
    }
  }

  /** The calls of the latest step that had calls. */
  private latestCalls(): ToolCallPart[] {
    const last = this.calls.at(-1);
    if (last === undefined) return [];
    return this.calls.filter((c) => c.step === last.step).map((c) => c.part);
  }

  /** The first unmatched call with this name and these arguments (or, failing that, this name). */
  private match(candidates: readonly ToolCallPart[], name: string, args: Record<string, unknown>): ToolCallPart | undefined {
    const free = candidates.filter((c) => c.name === name && !this.matched.has(c.id));
    const json = JSON.stringify(args);
    const call = free.find((c) => JSON.stringify(c.args) === json) ?? free[0];
    if (call !== undefined) this.matched.add(call.id);
    return call;
  }
}

interface HitlAction {
  readonly name: string;
  readonly args: Record<string, unknown>;
  readonly description?: string;
  readonly allowedDecisions: readonly ApprovalDecisionType[];
  readonly argsSchema?: Record<string, unknown>;
}

/** `langchain`'s HITL request (`{ actionRequests, reviewConfigs }`) as actions; undefined for any other payload. */
function hitlActions(payload: unknown): HitlAction[] | undefined {
  if (!isObject(payload) || !Array.isArray(payload.actionRequests) || !Array.isArray(payload.reviewConfigs)) return undefined;
  const configs = payload.reviewConfigs.filter(isObject);
  const out: HitlAction[] = [];
  for (const request of payload.actionRequests) {
    if (!isObject(request) || typeof request.name !== 'string') return undefined;
    // reviewConfigs are per action, in order; one per tool name in older payloads.
    const config = configs[out.length]?.actionName === request.name ? configs[out.length] : configs.find((c) => c.actionName === request.name);
    const allowed = Array.isArray(config?.allowedDecisions)
      ? config!.allowedDecisions.filter((d): d is ApprovalDecisionType => typeof d === 'string' && HITL_DECISIONS.has(d))
      : (['approve', 'edit', 'reject'] as ApprovalDecisionType[]);
    out.push({
      name: request.name,
      args: isObject(request.args) ? request.args : {},
      ...(typeof request.description === 'string' && { description: request.description }),
      allowedDecisions: allowed,
      ...(isObject(config?.argsSchema) && { argsSchema: config!.argsSchema as Record<string, unknown> }),
    });
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function withOrigin(part: ApprovalRequestPart, origin: PartOrigin | undefined): ApprovalRequestPart {
  if (origin === undefined) return part;
  return { ...part, ...(origin.node !== undefined && { node: origin.node }), ...(origin.namespace !== undefined && { namespace: origin.namespace }) };
}
