// Chat page of the rxjs-langchain web demo, bundled for the browser from the package by
// demos/web/bundle.ts (esbuild). Three transports:
// - SSE: POST /api/chat/stream with the page's conversationId, read by fromServerSentEvents; a
//   dropped connection resumes with Last-Event-ID (on whichever instance answers); Stop posts
//   /api/chat/:id/stop (the instance that runs the model aborts it) and unsubscribes.
// - WebSocket: one socket to /ws, {type:'ask', conversationId} / {type:'stop', conversationId} in (the page's conversation), start/chunk/done/error out.
// - AI SDK: the AI SDK's own Chat client (DefaultChatTransport, POST /api/chat with the chat's id,
//   the UI message stream), loaded on first use from /ai-chat.js; tool steps are shown as they
//   stream; Stop posts /api/chat/:id/stop and stops the client.
import type { Subscription } from 'rxjs';
import {
  RemoteStreamError,
  ServerSentEventsResponseError,
  StreamInterruptedError,
  fromServerSentEvents,
} from '../../../src';
import type { DemoChat, DemoMessage } from './aiChat';

const byId = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const log = byId<HTMLDivElement>('log');
const form = byId<HTMLFormElement>('ask');
const input = byId<HTMLInputElement>('question');
const sendButton = byId<HTMLButtonElement>('send');
const stopButton = byId<HTMLButtonElement>('stop');
input.focus(); // also where autofocus is ignored (a page restored from the back/forward cache)

type ReplyState = 'done' | 'stopped' | 'error';
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

const mode = (): string => (document.querySelector('input[name="mode"]:checked') as HTMLInputElement).value;

function addMessage(role: string, text: string): HTMLDivElement {
  const el = document.createElement('div');
  el.className = `msg ${role}`;
  el.textContent = text;
  log.appendChild(el);
  follow();
  return el;
}

function startReply(stop: () => void): HTMLElement {
  const bubble = addMessage('assistant streaming', '');
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

function finishReply(state: ReplyState, note?: string): void {
  if (!current) return;
  const { bubble } = current;
  bubble.classList.remove('streaming');
  bubble.dataset.state = state;
  if (state === 'error') bubble.classList.add('error');
  if (note) {
    const n = document.createElement('span');
    n.className = 'note';
    n.textContent = note;
    bubble.appendChild(n);
    follow();
  }
  current = null;
  sendButton.disabled = false;
  stopButton.disabled = true;
  input.focus();
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

// One conversation per page load: the server keeps its history (in Redis with REDIS_URL).
const conversationId = crypto.randomUUID();

function askOverSSE(question: string): void {
  let subscription: Subscription | undefined = undefined;
  startReply(() => {
    // The model runs on the server whether or not we read: ask it to stop (any instance passes it
    // on to the one that runs it), then stop reading.
    fetch(`/api/chat/${encodeURIComponent(conversationId)}/stop`, { method: 'POST' }).catch(() => undefined);
    subscription?.unsubscribe(); // aborts the fetch
    finishReply('stopped', '已停止');
  });
  subscription = fromServerSentEvents('/api/chat/stream', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ question, conversationId }),
    parse: 'events',
    // A dropped connection is sent again with Last-Event-ID: whichever instance answers replays the rest.
    resume: { attempts: 5, delayMs: 500 },
  }).subscribe({
    next: ({ event, data }) => {
      if (event === 'chunk') appendText((data as { text: string }).text);
      else if (event === 'done') {
        const stopped = (data as { stopped?: boolean } | null)?.stopped === true;
        finishReply(stopped ? 'stopped' : 'done', stopped ? '已停止' : '');
      }
    },
    complete: () => finishReply('done'),
    error: (error: unknown) => finishReply('error', describe(error)),
  });
}

// ---- WebSocket -----------------------------------------------------------------

let socket: WebSocket | null = null;
let socketReady: Promise<WebSocket> | null = null;

function openSocket(): Promise<WebSocket> {
  if (socket && socket.readyState <= WebSocket.OPEN && socketReady) return socketReady;
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss://' : 'ws://'}${location.host}/ws`);
  socket = ws;
  socketReady = new Promise((resolve, reject) => {
    ws.addEventListener('open', () => resolve(ws), { once: true });
    ws.addEventListener('error', () => reject(new Error('WebSocket 连接失败')), { once: true });
  });
  ws.addEventListener('message', (event: MessageEvent<string>) => {
    const message = JSON.parse(event.data) as { type: string; text?: string; stopped?: boolean; message?: string };
    if (message.type === 'chunk') appendText(message.text ?? '');
    else if (message.type === 'done') finishReply(message.stopped ? 'stopped' : 'done', message.stopped ? '已停止' : '');
    else if (message.type === 'stop' && !message.stopped) finishReply('stopped', '已停止'); // nothing ran any more
    else if (message.type === 'error') finishReply('error', message.message);
  });
  ws.addEventListener('close', () => {
    socket = null;
    finishReply('error', '连接已关闭');
  });
  return socketReady;
}

async function askOverWebSocket(question: string): Promise<void> {
  startReply(() => {
    socket?.send(JSON.stringify({ type: 'stop', conversationId }));
    stopButton.disabled = true; // the server answers with done {stopped: true}
  });
  try {
    // With the page's conversationId: the same conversation as the SSE mode (history, stop from any instance).
    (await openSocket()).send(JSON.stringify({ type: 'ask', question, conversationId }));
  } catch (err) {
    finishReply('error', (err as Error).message);
  }
}

// ---- AI SDK (useChat protocol) ---------------------------------------------------

let chat: Promise<DemoChat> | null = null;

/** Redraws a bubble from the assistant message's parts: text as text, tool steps as rows. */
function render(bubble: HTMLElement, message: DemoMessage): void {
  const note = bubble.querySelector('.note');
  bubble.replaceChildren();
  for (const part of message.parts) {
    if (part.type === 'text') bubble.appendChild(document.createTextNode(part.text));
    else if (part.type === 'dynamic-tool' || part.type.startsWith('tool-')) {
      const tool = part as { type: string; toolName?: string; state: string; input?: unknown; output?: unknown; errorText?: string };
      const name = tool.toolName ?? tool.type.slice('tool-'.length);
      const row = document.createElement('div');
      row.className = 'tool';
      row.dataset.state = tool.state;
      row.dataset.tool = name;
      // A tool's string output (our tools' results) is shown as is, anything else as JSON.
      const output = typeof tool.output === 'string' ? tool.output : JSON.stringify(tool.output);
      const result = tool.state === 'output-available' ? ` → ${output}` : tool.state === 'output-error' ? ` → ${tool.errorText}` : ' …';
      row.textContent = `🔧 ${name}(${tool.input === undefined ? '' : JSON.stringify(tool.input)})${result}`;
      bubble.appendChild(row);
    }
  }
  if (note) bubble.appendChild(note);
  follow();
}

async function askOverAiSdk(question: string): Promise<void> {
  let stopped = false;
  const bubble = startReply(() => {
    stopped = true;
    void chat?.then((c) => {
      // The reply runs into the server's log whether or not we read (a dropped client can resume):
      // the stop route ends it on whichever instance runs it; the SDK's stop() ends our reading.
      fetch(`/api/chat/${encodeURIComponent(c.id)}/stop`, { method: 'POST' }).catch(() => undefined);
      return c.stop();
    });
  });
  chat ??= import(/* the AI SDK client, bundled apart: it is large */ '/ai-chat.js' as string).then((m: typeof import('./aiChat')) => m.createDemoChat('/api/chat'));
  try {
    const client = await chat;
    client.onUpdate = (message) => render(bubble, message);
    await client.sendMessage(question);
    if (client.error) finishReply('error', client.error.message);
    else finishReply(stopped ? 'stopped' : 'done', stopped ? '已停止' : '');
  } catch (err) {
    finishReply('error', (err as Error).message);
  }
}

// ---- UI --------------------------------------------------------------------------

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const question = input.value.trim();
  if (!question || current) return;
  following = true; // asking again brings the conversation back into view
  addMessage('user', question);
  input.value = '';
  if (mode() === 'ws') void askOverWebSocket(question);
  else if (mode() === 'ai') void askOverAiSdk(question);
  else askOverSSE(question);
});

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
document.querySelectorAll('input[name="mode"]').forEach((radio) => radio.addEventListener('change', () => showAgentMode(mode() === 'agent')));
if (new URLSearchParams(location.search).get('mode') === 'agent') {
  (document.querySelector('input[name="mode"][value="agent"]') as HTMLInputElement).checked = true;
  showAgentMode(true);
}
