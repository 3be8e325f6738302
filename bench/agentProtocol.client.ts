/**
 * One bench client, driven by `@langchain/langgraph-sdk`'s own protocol client (`ThreadStream`, what
 * `useStream` sits on): opens a new thread's event stream with the channels `useStream`'s root pump
 * asks for, starts a run, and waits for the root `completed` (or `failed`). A dropper cuts its
 * network at the answer's first text delta and lets the SDK reconnect — to the link's other
 * instance — timing the first event on the wire and the first event it had not heard.
 * `readThread` reads a finished thread anew (what a fresh client gets), to count what a dropper lost.
 */
import { Client } from '@langchain/langgraph-sdk';
import type { Event } from '@langchain/protocol';
import { BENCH_QUESTION } from './agentProtocol.graph';
import type { ClientLink } from './agentProtocol.link';

const CHANNELS = ['values', 'checkpoints', 'lifecycle', 'input', 'messages', 'tools'] as const;

/** How long a client waits for its run's end before it reports `stuck` (a bench may give up; a spec may not). */
const PATIENCE_MS = Number(process.env.CLIENT_PATIENCE_MS ?? 180_000);

/** `end`, or `stuck` once `PATIENCE_MS` passed without it. */
async function patiently(end: Promise<string>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const giveUp = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('stuck'), PATIENCE_MS)));
  try {
    return await Promise.race([end, giveUp]);
  } finally {
    clearTimeout(timer);
  }
}

export interface ClientRun {
  readonly threadId: string;
  /** From the stream's open to the root's terminal event, ms. */
  readonly ms: number;
  /** Root terminal lifecycle event (`completed`, `failed`, `interrupted`), or `stuck`: none came in `CLIENT_PATIENCE_MS`. */
  readonly outcome: string;
  /** What the SDK handed the listener (once per event id, as it promises). */
  readonly events: readonly Event[];
  /** The text of every `text-delta` it heard, in order: the answer, when nothing was lost or doubled. */
  readonly text: string;
  /** Droppers: ms from the drop to the first event the listener had not heard before. */
  readonly dropToFirstNewEventMs?: number;
}

type Thread = ReturnType<Client['threads']['stream']>;

const rootTerminal = (e: Event): string | undefined => {
  if (e.method !== 'lifecycle' || e.params.namespace.length !== 0) return undefined;
  const { event, error } = e.params.data as { event: string; error?: string };
  if (event === 'failed') return `failed: ${error ?? '(no message)'}`;
  return event === 'completed' || event === 'interrupted' ? event : undefined;
};

const isTextDelta = (e: Event): boolean =>
  e.method === 'messages' && (e.params.data as { event?: string; delta?: { type?: string } }).delta?.type === 'text-delta';

function open(link: ClientLink, threadId?: string): Thread {
  const client = new Client({ apiUrl: 'http://bench.invalid', apiKey: null, callerOptions: { fetch: link.fetch, maxRetries: 0 } });
  const options = { assistantId: 'agent', fetch: link.fetch, reconnectDelayMs: () => 0, streamIdleReconnect: 0 as const };
  return threadId ? client.threads.stream(threadId, options) : client.threads.stream(options);
}

/** Listens until the root's terminal event; `onEach` sees every event first. */
function listen(thread: Thread, onEach: (e: Event) => void): { events: Event[]; end: Promise<string> } {
  const events: Event[] = [];
  const end = new Promise<string>((resolve, reject) => {
    thread.onError(reject);
    thread.onEvent((e) => {
      events.push(e);
      onEach(e);
      const terminal = rootTerminal(e);
      if (terminal) resolve(terminal);
    });
  });
  return { events, end };
}

/** One run on a new thread; `dropTo`: cut the network at the first text delta and reconnect there. */
export async function runClient(link: ClientLink, dropTo?: string): Promise<ClientRun> {
  const thread = open(link);
  const started = performance.now();
  let firstNew: number | undefined;
  const { events, end } = listen(thread, (e) => {
    if (link.droppedAt !== undefined) firstNew ??= performance.now() - link.droppedAt;
    else if (dropTo !== undefined && isTextDelta(e)) queueMicrotask(() => link.drop(dropTo));
  });
  try {
    await thread.subscribe(CHANNELS);
    await thread.run.start({ input: { messages: [{ role: 'user', content: BENCH_QUESTION }] } });
    const outcome = await patiently(end);
    const text = events.filter(isTextDelta).map((e) => (e.params.data as { delta: { text: string } }).delta.text).join('');
    return { threadId: thread.threadId, ms: performance.now() - started, outcome, events, text, dropToFirstNewEventMs: firstNew };
  } finally {
    await thread.close().catch(() => undefined);
  }
}

/** Every event of a finished thread, as a fresh client on `link` reads it (replay up to the root's terminal event). */
export async function readThread(link: ClientLink, threadId: string): Promise<readonly Event[]> {
  const thread = open(link, threadId);
  const { events, end } = listen(thread, () => undefined);
  try {
    await thread.subscribe(CHANNELS);
    await patiently(end);
    return events;
  } finally {
    await thread.close().catch(() => undefined);
  }
}
