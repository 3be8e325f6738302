// The web demo's approval card: a tool call that waits for a person (an agent's guarded tool),
// shown with 批准 / 拒绝 buttons and an optional reason, in every mode that can answer it (the AI
// SDK's `tool-approval-request`, our SSE `approval-request` event, a page reloaded while it waits).
// Text goes in with textContent only: a tool's input is the model's words, never markup.

/** A tool call that waits for a decision, as the page shows it. */
export interface ShownRequest {
  /** The approval id (the AI SDK's `approvalId`; ours: `<interruptId>:<index>`). */
  readonly id: string;
  readonly toolName: string;
  readonly input: unknown;
}

/** What the person decided: approve, reject (with a reason), or run the call with other arguments. */
export type PageDecision =
  | { readonly type: 'approve' }
  | { readonly type: 'reject'; readonly reason?: string }
  | { readonly type: 'edit'; readonly args: Record<string, unknown> };

/**
 * Where a card sends its decision; a rejection (e.g. 409: answered already) shows its message on
 * the card. `canEdit(id)`: whether that request can be answered with other arguments (a 修改 button).
 */
export interface Decide {
  (request: ShownRequest, decision: PageDecision): Promise<void>;
  canEdit?: (id: string) => boolean;
}

/** How a card looks: waiting, being sent, or decided (also a card read back from the history). */
export type CardState = 'pending' | 'sending' | 'approved' | 'rejected' | 'edited';

const LABEL: Readonly<Record<CardState, string>> = { pending: '⏸ 需要批准', sending: '⏳ 正在发送…', approved: '✓ 已批准', rejected: '✗ 已拒绝', edited: '✎ 已修改并批准' };
const DECIDED: Readonly<Record<PageDecision['type'], CardState>> = { approve: 'approved', reject: 'rejected', edit: 'edited' };

function button(text: string, action: string): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  b.dataset.action = action;
  return b;
}

/**
 * What the agent is told of a rejection, in both modes: `用户拒绝了 <tool> 调用[：<reason>]`, as the
 * CLI says it (and what the offline agent recognises as a rejection; langchain's own default is English).
 */
export function rejectionMessage(toolName: string, reason?: string): string {
  return `用户拒绝了 ${toolName} 调用${reason ? `：${reason}` : ''}`;
}

/** One line: the tool and its input as JSON (Chinese and emoji as they are). */
export function describeCall(toolName: string, input: unknown): string {
  return `🔧 ${toolName}(${input === undefined ? '' : JSON.stringify(input)})`;
}

/**
 * The card of one request. A pending card has 批准 / 拒绝 and a reason box (and 修改 where the
 * request allows other arguments); a click disables them all at once (a second click cannot send
 * a second answer), sends the decision and marks the card; a failed send says why and enables them again.
 *
 * @param request What waits.
 * @param state `'pending'`, or how it was decided (a card redrawn after the answer).
 * @param decide Sends the decision; undefined for a card that cannot be answered from here.
 * @returns The card element (`.approval`, `data-state`, `data-approval-id`).
 */
export function approvalCard(request: ShownRequest, state: CardState, decide?: Decide): HTMLDivElement {
  const card = document.createElement('div');
  card.className = 'approval';
  card.dataset.approvalId = request.id;
  card.dataset.state = state;
  card.setAttribute('role', 'group');
  const title = document.createElement('div');
  title.className = 'approval-title';
  title.textContent = LABEL[state];
  const call = document.createElement('div');
  call.className = 'approval-call';
  call.textContent = describeCall(request.toolName, request.input);
  card.append(title, call);
  card.setAttribute('aria-label', `${LABEL[state]}: ${call.textContent}`);
  if (state === 'pending' && decide) attachActions(card, title, request, decide);
  return card;
}

/** The buttons of a pending card and what a click does. */
function attachActions(card: HTMLDivElement, title: HTMLElement, request: ShownRequest, decide: Decide): void {
  const reason = document.createElement('input');
  reason.className = 'approval-reason';
  reason.placeholder = '拒绝原因（可选）';
  reason.autocomplete = 'off';
  const approve = button('批准', 'approve');
  const reject = button('拒绝', 'reject');
  const edit = decide.canEdit?.(request.id) ? button('修改', 'edit') : undefined;
  const args = document.createElement('textarea');
  args.className = 'approval-args';
  args.hidden = true;
  args.value = JSON.stringify(request.input ?? {});
  const error = document.createElement('div');
  error.className = 'approval-error';
  const row = document.createElement('div');
  row.className = 'approval-actions';
  row.append(...[approve, reject, edit, reason].filter((e) => e !== undefined));
  card.append(args, row, error);
  const controls = [approve, reject, reason, args, ...(edit ? [edit] : [])];

  const send = (decision: PageDecision): void => {
    if (card.dataset.state !== 'pending') return;
    for (const control of controls) control.disabled = true;
    card.dataset.state = 'sending';
    title.textContent = LABEL.sending;
    error.textContent = '';
    decide(request, decision).then(
      () => {
        card.dataset.state = DECIDED[decision.type];
        title.textContent = LABEL[DECIDED[decision.type]];
        row.remove(); // decided: as a card drawn from the history after the answer
        args.remove();
      },
      (failure: unknown) => {
        card.dataset.state = 'pending';
        title.textContent = LABEL.pending;
        error.textContent = failure instanceof Error ? failure.message : String(failure);
        for (const control of controls) control.disabled = false;
      },
    );
  };
  const rejection = (): PageDecision => ({ type: 'reject', ...(reason.value.trim() && { reason: reason.value.trim() }) });
  approve.addEventListener('click', () => send({ type: 'approve' }));
  reject.addEventListener('click', () => send(rejection()));
  reason.addEventListener('keydown', (event) => event.key === 'Enter' && send(rejection()));
  edit?.addEventListener('click', () => {
    if (args.hidden) return void ((args.hidden = false), (edit.textContent = '用修改后的参数批准'), args.focus());
    const edited = parseArgs(args.value);
    if (edited === undefined) error.textContent = '参数要是一个 JSON 对象，例如 {"a":1,"b":2}';
    else send({ type: 'edit', args: edited });
  });
}

/** The edited arguments: a JSON object, else undefined. */
function parseArgs(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Moves the keyboard to the first pending card's 批准 (a request that just arrived, or one found on load). */
export function focusPendingApproval(root: ParentNode): boolean {
  const approve = root.querySelector<HTMLButtonElement>('.approval[data-state="pending"] button[data-action="approve"]');
  approve?.focus();
  return approve !== null;
}
