// How the web demo draws a UI message's parts (the AI SDK's client messages, and the server's
// history after a reload): text as text, a tool step as a row, a call that waits for a person as
// an approval card (./approvals.ts), a rejected call as a row that says so.
import { approvalCard, describeCall, type Decide } from './approvals';

/** The fields of a `UIMessage` part the page reads (text, `tool-<name>`, `dynamic-tool`). */
export interface ShownPart {
  readonly type: string;
  readonly text?: string;
  readonly toolName?: string;
  readonly toolCallId?: string;
  readonly state?: string;
  readonly input?: unknown;
  readonly output?: unknown;
  readonly errorText?: string;
  readonly approval?: { readonly id: string; readonly approved?: boolean; readonly reason?: string; readonly signature?: string };
}

/** True for a tool step (`tool-<name>` or `dynamic-tool`). */
export const isToolPart = (part: ShownPart): boolean => part.type === 'dynamic-tool' || part.type.startsWith('tool-');

/** A tool step's name. */
export const toolNameOf = (part: ShownPart): string => part.toolName ?? part.type.slice('tool-'.length);

/** What follows the call on a tool row. */
function resultText(part: ShownPart): string {
  switch (part.state) {
    case 'output-available':
      // A tool's string output (our tools' results) is shown as is, anything else as JSON.
      return ` → ${typeof part.output === 'string' ? part.output : JSON.stringify(part.output)}`;
    case 'output-error':
      return ` → ${part.errorText ?? ''}`;
    case 'output-denied':
      return ` → ${part.approval?.reason ?? '已拒绝'}`; // the reason is the whole message (用户拒绝了 …)
    default:
      return ' …';
  }
}

/**
 * The element of one tool step: an approval card while it waits for a decision (or was just
 * answered and has no result yet), else a row `🔧 name(input) → result`.
 *
 * @param part The tool part.
 * @param decide Where a pending card sends its decision (undefined: the card has no buttons).
 */
export function toolPartView(part: ShownPart, decide?: Decide): HTMLElement {
  const name = toolNameOf(part);
  if ((part.state === 'approval-requested' || part.state === 'approval-responded') && part.approval) {
    const state = part.state === 'approval-requested' ? 'pending' : part.approval.approved ? 'approved' : 'rejected';
    return approvalCard({ id: part.approval.id, toolName: name, input: part.input }, state, decide);
  }
  const row = document.createElement('div');
  row.className = 'tool';
  row.dataset.state = part.state ?? '';
  row.dataset.tool = name;
  row.textContent = `${describeCall(name, part.input)}${resultText(part)}`;
  return row;
}

/** Draws `parts` into `bubble` (replacing what it held, keeping its `.note`). */
export function renderParts(bubble: HTMLElement, parts: readonly ShownPart[], decide?: Decide): void {
  const note = bubble.querySelector('.note');
  bubble.replaceChildren();
  for (const part of parts) {
    if (part.type === 'text') bubble.appendChild(document.createTextNode(part.text ?? ''));
    else if (isToolPart(part)) bubble.appendChild(toolPartView(part, decide));
  }
  if (note) bubble.appendChild(note);
}

/** True when a part of `parts` waits for a decision. */
export const awaitsDecision = (parts: readonly ShownPart[]): boolean => parts.some((p) => isToolPart(p) && p.state === 'approval-requested');
