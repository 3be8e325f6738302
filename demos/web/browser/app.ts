// Chat page of the rxjs-langchain web demo, bundled for the browser from the package by
// demos/web/bundle.ts (esbuild). Three transports:
// - SSE: POST /api/chat/stream with the page's conversationId, read by fromServerSentEvents; a
//   dropped connection resumes with Last-Event-ID (on whichever instance answers); Stop posts
//   /api/chat/:id/stop (the instance that runs the model aborts it) and unsubscribes.
// - WebSocket (./wsTurns.ts): one socket to /ws; {type:'ask'|'decide'|'stop', conversationId} in, always
//   with the page's conversation (the chat handler's turn, as in SSE mode), start/chunk/approval-request/done/error out.
// - AI SDK: the AI SDK's own Chat client (DefaultChatTransport, POST /api/chat with the chat's id,
//   the UI message stream), loaded on first use from /ai-chat.js; tool steps are shown as they
//   stream; Stop posts /api/chat/:id/stop and stops the client.
// An agent's tool call that waits for a person (`npm run web -- --agent`) is a card with 批准 / 拒绝
// (./approvals.ts) in every mode; the URL keeps the conversation, so a reload shows
// it again from the server's history (./restore.ts) and it can still be answered.
import type { Subscription } from 'rxjs';
import {
  RemoteStreamError,
  ServerSentEventsResponseError,
  StreamInterruptedError,
  fromServerSentEvents,
} from '../../../src';
import type { DemoChat, DemoMessage } from './aiChat';
import { focusPendingApproval, rejectionMessage, type Decide, type ShownRequest } from './approvals';
import { decisionBatch, type WireRequest } from './sseDecisions';
import { awaitsDecision, renderParts, type ShownPart } from './toolParts';
import { fromUrl, loadHistory, remember, type HistoryMessage, type Mode } from './restore';
import { webSocketTurns, type TurnBody, type TurnView } from './wsTurns';

const byId = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const log = byId<HTMLDivElement>('log');
const form = byId<HTMLFormElement>('ask');
const input = byId<HTMLInputElement>('question');
const sendButton = byId<HTMLButtonElement>('send');
const stopButton = byId<HTMLButtonElement>('stop');
input.focus(); // also where autofocus is ignored (a page restored from the back/forward cache)

type ReplyState = 'done' | 'stopped' | 'error' | 'awaiting';
let current: { bubble: HTMLElement; stop(): void } | null = null; // the reply being streamed

// Follow the reply while the user is at the bottom of the log; once they scroll up, leave them there
// until they scroll back down (or ask again). `autoTop` is where we last scrolled to, so our own
// scrolling (and text arriving) is never mistaken for the user's.
let following = true;
let autoTop = 0;
log.addEventListener('scroll', () => {
  const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 24;
  if (atBottom) following = true;
  else if (log.scrollTop < autoTop - 1) following = false;
});

function follow(): void {
  if (!following) return;
  log.scrollTop = log.scrollHeight;
  autoTop = log.scrollTop;
}

fetch('/api/info')
  .then((r) => r.json() as Promise<{ model: string }>)
  .then((info) => (byId('model').textContent = `模型: ${info.model}`))
  .catch(() => undefined);

const mode = (): Mode => (document.querySelector('input[name="mode"]:checked') as HTMLInputElement).value as Mode;

/** True while a tool call waits for a decision on the page: the question box waits for it. */
const waitingForDecision = (): boolean => log.querySelector('.approval[data-state="pending"], .approval[data-state="sending"]') !== null;

function addMessage(role: string, text: string): HTMLDivElement {
  const el = document.createElement('div');
  el.className = `msg ${role}`;
  el.textContent = text;
  log.appendChild(el);
  follow();
  return el;
}

/** A reply starts streaming: into a new bubble, or into `bubble` again (an answered approval continues its message). */
function startReply(stop: () => void, bubble: HTMLElement = addMessage('assistant', '')): HTMLElement {
  bubble.classList.add('streaming');
  bubble.querySelector('.note')?.remove();
  bubble.dataset.state = 'streaming';
  current = { bubble, stop };
  sendButton.disabled = true;
  stopButton.disabled = false;
  return bubble;
}

function appendText(text: string): void {
  if (!current) return;
  current.bubble.insertBefore(document.createTextNode(text), current.bubble.querySelector('.note'));
  follow();
}

function addNote(bubble: HTMLElement, note: string): void {
  const n = document.createElement('span');
  n.className = 'note';
  n.textContent = note;
  bubble.appendChild(n);
  follow();
}

function finishReply(state: ReplyState, note?: string): void {
  if (!current) return;
  const { bubble } = current;
  bubble.classList.remove('streaming');
  bubble.dataset.state = state;
  if (state === 'error') bubble.classList.add('error');
  if (note) addNote(bubble, note);
  current = null;
  sendButton.disabled = waitingForDecision();
  stopButton.disabled = true;
  // A request that waits takes the keyboard (批准 is one Enter away); else back to the question box.
  if (!focusPendingApproval(bubble)) input.focus();
}

/** What the page says about a failed reply. */
function describe(error: unknown): string {
  if (error instanceof ServerSentEventsResponseError) {
    try {
      return (JSON.parse(error.bodyText) as { error?: string }).error ?? `HTTP ${error.status}`;
    } catch {
      return `HTTP ${error.status}`;
    }
  }
  if (error instanceof StreamInterruptedError) return '连接在回复结束前断开';
  if (error instanceof RemoteStreamError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

// ---- SSE: an RxJS pipeline ---------------------------------------------------

// One conversation per page (its id in the URL, so a reload continues it): the server keeps its
// history (in Redis with REDIS_URL). The WebSocket mode shares it.
let conversationId: string = crypto.randomUUID();

/** The view of a turn streaming into `bubble`: text, the cards of an `approval-request`, the end. */
function turnView(bubble: HTMLElement): TurnView {
  return {
    chunk: appendText,
    approvalRequest: (requests) => {
      showRequests(bubble, requests.map((r) => ({ id: r.id, toolName: r.toolName ?? 'interrupt', input: r.input ?? r.value })), requests);
      finishReply('awaiting', '等待批准');
    },
    done: (stopped) => finishReply(stopped ? 'stopped' : 'done', stopped ? '已停止' : ''),
    failed: (message) => finishReply('error', message),
  };
}

/**
 * One turn of the conversation over SSE or the WebSocket (the radio; both run the chat handler's
 * turn of the same conversation): a question, or the decisions about the tool calls it waits for.
 * Streams into a new bubble; an `approval-request` ends it with a card per request. Resolves once
 * the server answered with a message of the turn, rejects if it refused it first (a decision
 * answered already: 409), so an approval card can say so.
 */
function conversationTurn(body: TurnBody): Promise<void> {
  const overSocket = mode() === 'ws';
  remember(overSocket ? 'ws' : 'sse', conversationId);
  if (!overSocket) return turnOverSSE(body);
  const bubble = startReply(() => {
    sockets.stop(conversationId);
    stopButton.disabled = true; // the server answers with done {stopped: true}
  });
  return sockets.send(conversationId, body, turnView(bubble));
}

/** {@link conversationTurn} over SSE: `POST /api/chat/stream`, read by fromServerSentEvents. */
function turnOverSSE(body: TurnBody): Promise<void> {
  let subscription: Subscription | undefined = undefined;
  let answered: { resolve(): void; reject(error: Error): void } | undefined;
  const accepted = new Promise<void>((resolve, reject) => (answered = { resolve, reject }));
  const bubble = startReply(() => {
    // The model runs on the server whether or not we read: ask it to stop (any instance passes it
    // on to the one that runs it), then stop reading.
    fetch(`/api/chat/${encodeURIComponent(conversationId)}/stop`, { method: 'POST' }).catch(() => undefined);
    subscription?.unsubscribe(); // aborts the fetch
    finishReply('stopped', '已停止');
  });
  const view = turnView(bubble);
  subscription = fromServerSentEvents('/api/chat/stream', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...body, conversationId }),
    parse: 'events',
    // A dropped connection is sent again with Last-Event-ID: whichever instance answers replays the rest.
    resume: { count: 5, delayMs: 500 },
  }).subscribe({
    next: ({ event, data }) => {
      answered?.resolve();
      if (event === 'chunk') view.chunk((data as { text: string }).text);
      else if (event === 'approval-request') view.approvalRequest((data as { requests: WireRequest[] }).requests);
      else if (event === 'done') view.done((data as { stopped?: boolean } | null)?.stopped === true);
    },
    complete: () => {
      answered?.resolve();
      finishReply('done');
    },
    error: (error: unknown) => {
      answered?.reject(new Error(describe(error)));
      view.failed(describe(error));
    },
  });
  return accepted;
}

/** How the cards of one interrupt in `bubble` answer: one turn with all their decisions; once sent, the bubble no longer waits. */
function decideInTurn(bubble: HTMLElement, requests: readonly WireRequest[]): Decide {
  const decide = decisionBatch(requests, (decisions) => conversationTurn({ decisions }));
  const answered: Decide = (request, decision) =>
    decide(request, decision).then(() => {
      bubble.querySelector('.note')?.remove();
      bubble.dataset.state = 'done';
    });
  answered.canEdit = decide.canEdit;
  return answered;
}

/** Cards for the requests of one `approval-request` event (or a reloaded message); their decisions go out together. */
function showRequests(bubble: HTMLElement, shown: readonly ShownRequest[], wire: readonly WireRequest[]): void {
  const decide = decideInTurn(bubble, wire);
  const parts: ShownPart[] = shown.map((r) => ({ type: 'dynamic-tool', toolName: r.toolName, input: r.input, state: 'approval-requested', approval: { id: r.id } }));
  const holder = document.createElement('div');
  renderParts(holder, parts, decide);
  bubble.insertBefore(holder, bubble.querySelector('.note'));
  holder.replaceWith(...Array.from(holder.childNodes));
  follow();
}

// ---- WebSocket: ./wsTurns.ts, one socket for the page --------------------------------

const sockets = webSocketTurns(`${location.protocol === 'https:' ? 'wss://' : 'ws://'}${location.host}/ws`);

// ---- AI SDK (useChat protocol) ---------------------------------------------------

let chat: Promise<DemoChat> | null = null;
let aiStopped = false;
/** The bubble of the assistant message the client is writing (a new reply, or one continued after an approval). */
let aiBubble: HTMLElement | null = null;

/** The AI SDK client (bundled apart: it is large), loaded on first use; `init` continues a stored chat. */
function loadChat(init?: { id: string; messages: DemoMessage[] }): Promise<DemoChat> {
  chat ??= import('/ai-chat.js' as string).then((m: typeof import('./aiChat')) => {
    const client = m.createDemoChat('/api/chat', init);
    client.onUpdate = (message) => aiBubble && render(aiBubble, message);
    // Every response ends here, the one the client sends by itself after an approval too.
    client.onStatus = (status) => (status === 'ready' || status === 'error') && settleAi(client);
    return client;
  });
  return chat;
}

function settleAi(client: DemoChat): void {
  const last = client.messages.at(-1);
  if (client.error) finishReply('error', client.error.message);
  else if (aiStopped) finishReply('stopped', '已停止');
  else if (last?.role === 'assistant' && awaitsDecision(last.parts)) finishReply('awaiting', '等待批准');
  else finishReply('done', '');
}

function stopAi(): void {
  aiStopped = true;
  void chat?.then((c) => {
    // The reply runs into the server's log whether or not we read (a dropped client can resume):
    // the stop route ends it on whichever instance runs it; the SDK's stop() ends our reading.
    fetch(`/api/chat/${encodeURIComponent(c.id)}/stop`, { method: 'POST' }).catch(() => undefined);
    return c.stop();
  });
}

/**
 * How a card in `bubble` (of a message with `parts`) answers: `addToolApprovalResponse` (修改: with
 * the part's input changed first); once no call of the message waits any more, the client sends
 * the answers by itself and the reply continues in the same bubble.
 */
function decideOverAiSdk(bubble: HTMLElement, parts: readonly ShownPart[]): Decide {
  const decide: Decide = async (request, decision) => {
    const client = await loadChat();
    const parts = client.messages.find((m) => m.parts.some((p) => (p as ShownPart).approval?.id === request.id))?.parts ?? [];
    const othersWait = (parts as ShownPart[]).some((p) => p.state === 'approval-requested' && p.approval?.id !== request.id);
    if (!othersWait) {
      aiStopped = false;
      aiBubble = bubble;
      startReply(stopAi, bubble);
    }
    const reason = decision.type === 'reject' ? { reason: rejectionMessage(request.toolName, decision.reason) } : {};
    // 修改: the approval goes out with the edited input, which the server reads as an edit (decision 0286).
    if (decision.type === 'edit') client.editToolInput(request.id, decision.args);
    await client.addToolApprovalResponse({ id: request.id, approved: decision.type !== 'reject', ...reason });
  };
  // A signed request binds its input (the server would refuse an edited one, 403): 批准 / 拒绝 only.
  decide.canEdit = (id) => parts.some((p) => p.approval?.id === id && p.approval.signature === undefined);
  return decide;
}

/** Redraws a bubble from the assistant message's parts: text, tool steps, approval cards. */
function render(bubble: HTMLElement, message: DemoMessage): void {
  renderParts(bubble, message.parts as ShownPart[], decideOverAiSdk(bubble, message.parts as ShownPart[]));
  follow();
}

async function askOverAiSdk(question: string): Promise<void> {
  aiStopped = false;
  aiBubble = startReply(stopAi);
  try {
    const client = await loadChat();
    remember('ai', client.id);
    await client.sendMessage(question); // its end is settled by onStatus
  } catch (err) {
    finishReply('error', (err as Error).message);
  }
}

// ---- a reload ----------------------------------------------------------------------

/** Draws a stored conversation; cards of calls that still wait answer through the conversation's mode. */
function drawHistory(messages: readonly HistoryMessage[], decideFor: (bubble: HTMLElement, parts: readonly ShownPart[]) => Decide): void {
  for (const message of messages) {
    if (message.role === 'user') addMessage('user', message.parts.map((p) => p.text ?? '').join(''));
    if (message.role !== 'assistant') continue;
    const bubble = addMessage('assistant', '');
    renderParts(bubble, message.parts, decideFor(bubble, message.parts));
    const waits = awaitsDecision(message.parts);
    bubble.dataset.state = waits ? 'awaiting' : 'done';
    if (waits) addNote(bubble, '等待批准');
  }
  follow();
}

/** The conversation the URL names, read back from the server (the page was reloaded). */
async function restore(): Promise<void> {
  const { mode: saved, ids } = fromUrl();
  const id = saved && ids[saved];
  if (!saved || !id) return;
  (document.querySelector(`input[name="mode"][value="${saved}"]`) as HTMLInputElement).checked = true;
  const { messages, pendingApprovals } = await loadHistory(id);
  if (saved === 'ai') {
    await loadChat({ id, messages: messages as unknown as DemoMessage[] });
    drawHistory(messages, (bubble, parts) => decideOverAiSdk(bubble, parts));
  } else {
    conversationId = id;
    // The cards of the calls that wait answer together, as the approval-request event's would.
    drawHistory(messages, (bubble) => decideInTurn(bubble, pendingApprovals));
  }
  sendButton.disabled = waitingForDecision();
  if (!focusPendingApproval(log)) input.focus();
}

// ---- UI --------------------------------------------------------------------------

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const question = input.value.trim();
  if (waitingForDecision()) return void focusPendingApproval(log); // answer the tool call first
  if (!question || current) return;
  following = true; // asking again brings the conversation back into view
  addMessage('user', question);
  input.value = '';
  if (mode() === 'ai') void askOverAiSdk(question);
  else conversationTurn({ question }).catch(() => undefined); // the bubble shows the error
});

void restore().catch(() => undefined); // a conversation the server forgot: the page starts empty

stopButton.addEventListener('click', () => current?.stop());

// ---- 智能体协议 (Agent Streaming Protocol): a React app of its own, loaded on first use -----------
let agentMode: Promise<() => void> | null = null; // resolves to the mode's teardown
function showAgentMode(on: boolean): void {
  const agent = byId<HTMLDivElement>('agent');
  [agent.hidden, log.hidden, form.hidden] = [!on, on, on];
  if (on && !agentMode) {
    agentMode = import(/* React + useStream, bundled apart */ '/agent-protocol.js' as string).then((m: typeof import('./agentPage')) => m.startAgentMode(agent));
  } else if (!on && agentMode) {
    void agentMode.then((leave) => leave());
    agentMode = null;
  }
}
document.querySelectorAll('input[name="mode"]').forEach((radio) => radio.addEventListener('change', () => showAgentMode((mode() as string) === 'agent')));
if (new URLSearchParams(location.search).get('mode') === 'agent') {
  (document.querySelector('input[name="mode"][value="agent"]') as HTMLInputElement).checked = true;
  showAgentMode(true);
}
