import type { ResumedCalls } from '../decode/assembly/interrupts';
import { describe } from '../internal/validate';
import { resumedCallsOfResume } from './approvalResume';

/**
 * What `fromAgentServer`'s `respond` answers: one interrupt (`{ interruptId, response }`), or
 * several at once as a map interrupt id → response, the value {@link approvalResume} makes
 * (`{ [interruptId]: { decisions: [...] } }`), which is what the protocol's `input.respond`
 * resumes the graph with.
 */
export type AgentServerResponse = { readonly interruptId: string; readonly response: unknown; readonly namespace?: readonly string[] } | Readonly<Record<string, unknown>>;

/** The `input.respond` params for `respond`, and the tool calls it answers (when `approvalResume` made it). */
export interface RespondCommand {
  readonly params: Record<string, unknown>;
  readonly resumed?: ResumedCalls;
}

const SINGLE_KEYS: ReadonlySet<string> = new Set(['interruptId', 'response', 'namespace']);

/** `{ interruptId, response, namespace? }` and nothing else: the single form (LangGraph's interrupt ids are never these words). */
function isSingle(respond: object): respond is { interruptId: string; response: unknown; namespace?: readonly string[] } {
  const keys = Object.keys(respond);
  return keys.includes('interruptId') && keys.every((k) => SINGLE_KEYS.has(k));
}

/**
 * Checks `respond` and turns it into `input.respond` params: the single form as it is, a map
 * as the protocol's batch form `{ responses: [{ namespace: [], interrupt_id, response }] }`
 * (one command, so the interrupts of one checkpoint are resumed together; servers key the
 * resume by interrupt id, the namespace is informative).
 */
export function respondCommand(respond: unknown): RespondCommand {
  const at = 'fromAgentServer: respond';
  if (typeof respond !== 'object' || respond === null || Array.isArray(respond)) {
    throw new TypeError(`${at} must be { interruptId, response } or approvalResume(decisions), got ${describe(respond)}.`);
  }
  if (isSingle(respond)) {
    const { interruptId, response, namespace = [] } = respond;
    if (typeof interruptId !== 'string' || interruptId === '') throw new TypeError(`${at}.interruptId must be a non-empty string, got ${describe(interruptId)}.`);
    if (!Array.isArray(namespace) || !namespace.every((s) => typeof s === 'string')) throw new TypeError(`${at}.namespace must be an array of strings, got ${describe(namespace)}.`);
    return { params: { namespace: [...namespace], interrupt_id: interruptId, response } };
  }
  const entries = Object.entries(respond);
  if (entries.length === 0) throw new TypeError(`${at} answers no interrupt: give approvalResume(decisions) (a map interrupt id → response) or { interruptId, response }.`);
  const responses = entries.map(([interruptId, response]) => ({ namespace: [], interrupt_id: interruptId, response }));
  return { params: { responses }, resumed: resumedCallsOfResume(respond) };
}
