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

export interface ClientRun {
  readonly threadId: string;
  /** From the stream's open to the root's terminal event, ms. */
  readonly ms: number;
  /** Root terminal lifecycle event: `completed` (or `failed`, with the bench failing loud). */
  readonly outcome: string;
  /** What the SDK handed the listener (once per event id, as it promises). */
  readonly events: readonly Event[];
  /** Droppers: ms from the drop to the first event the listener had not heard before. */
  readonly dropToFirstNewEventMs?: number;
}

type Thread = ReturnType<Client['threads']['stream']>;

const rootTerminal = (e: Event): string | undefined => {
  if (e.method !== 'lifecycle' || e.params.namespace.length !== 0) return undefined;
  const { event } = e.params.data as { event: string };
  return event === 'completed' || event === 'failed' || event === 'interrupted' ? event : undefined;
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
    const outcome = await end;
    return { threadId: thread.threadId, ms: performance.now() - started, outcome, events, dropToFirstNewEventMs: firstNew };
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
    await end;
    return events;
  } finally {
    await thread.close().catch(() => undefined);
  }
}
