/**
 * What the chat handler specs share: a gated model run (a reply stays running for as long as a
 * spec needs), the `ai` package's own transport pointed at any fetch, and readers of its streams.
 */
import { randomUUID } from 'node:crypto';
import { AIMessageChunk, type BaseMessage } from '@langchain/core/messages';
import { DefaultChatTransport, readUIMessageStream, type UIMessage, type UIMessageChunk } from 'ai';
import { Observable } from 'rxjs';
import type { ChatStream } from '../../src';

/** The reply, in the pieces the model streams: newlines, emoji, quotes, a backslash, Chinese. */
export const PIECES = ['第一行\n', '第二行 ', '😀', '👩‍💻 ', '“引号” ', '"双引号" ', '\\ 反斜杠\n', 'Python ', '🐍', '\n\n', ...Array.from({ length: 12 }, (_, i) => `词${i} `), '完。'];
export const REPLY = PIECES.join('');
/** The model waits for its gate after this many pieces. */
export const HALF = 8;

/** What the gated model saw and did. */
export interface Runs {
  started: number;
  completed: number;
  /** Unsubscribed before it completed: the model request was aborted. */
  aborted: number;
  seen: BaseMessage[][];
  /** Resolves the gate of every run (now and later). */
  open(): void;
}

/** A `stream` whose runs send HALF pieces, wait for `runs.open()`, then the rest with a finish reason. */
export function gatedStream(): { runs: Runs; stream: ChatStream } {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const runs: Runs = { started: 0, completed: 0, aborted: 0, seen: [], open: () => open() };
  const stream: ChatStream = ({ messages }) =>
    new Observable<AIMessageChunk>((subscriber) => {
      runs.started++;
      runs.seen.push(messages);
      let done = false;
      void (async () => {
        for (let i = 0; i < PIECES.length; i++) {
          if (i === HALF) await gate;
          await new Promise((resolve) => setImmediate(resolve));
          if (subscriber.closed) return;
          const last = i === PIECES.length - 1;
          subscriber.next(new AIMessageChunk({ content: PIECES[i], ...(last && { response_metadata: { finish_reason: 'stop' } }) }));
        }
        done = true;
        runs.completed++;
        subscriber.complete();
      })();
      return () => {
        if (!done) runs.aborted++;
      };
    });
  return { runs, stream };
}

export const NOT_CROSS_SITE = { 'x-requested-with': 'spec' };
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** The `ai` package's transport on `api`, sending through `fetch` (a server's, or a handler's own). */
export function transport(api: string, fetch?: FetchLike, headers: Record<string, string> = {}): DefaultChatTransport<UIMessage> {
  return new DefaultChatTransport<UIMessage>({ api, headers: { ...NOT_CROSS_SITE, ...headers }, ...(fetch && { fetch: fetch as typeof globalThis.fetch }) });
}

export const user = (text: string): UIMessage => ({ id: randomUUID(), role: 'user', parts: [{ type: 'text', text }] });
export const textOf = (message: UIMessage | undefined): string => (message?.parts ?? []).map((p) => (p.type === 'text' ? p.text : '')).join('');
/** A conversation id a client would make: random, long enough to be a capability. */
export const newChatId = (): string => randomUUID();

/** The chunks of a stream and the message readUIMessageStream (what useChat runs) builds from them. */
export async function readAll(stream: ReadableStream<UIMessageChunk>): Promise<{ chunks: UIMessageChunk[]; message: UIMessage | undefined }> {
  const chunks: UIMessageChunk[] = [];
  const tapped = stream.pipeThrough(new TransformStream<UIMessageChunk, UIMessageChunk>({ transform: (chunk, controller) => void (chunks.push(chunk), controller.enqueue(chunk)) }));
  let message: UIMessage | undefined;
  for await (const snapshot of readUIMessageStream({ stream: tapped })) message = snapshot;
  return { chunks, message };
}

/** Sends one message with the SDK's transport and reads until `deltas` text deltas arrived. */
export async function startReply(t: DefaultChatTransport<UIMessage>, chatId: string, question: string, deltas: number, trigger: 'submit-message' | 'regenerate-message' = 'submit-message') {
  const abort = new AbortController();
  const stream = await t.sendMessages({ chatId, messages: [user(question)], trigger, messageId: undefined, abortSignal: abort.signal });
  const reader = stream.getReader();
  const seen: UIMessageChunk[] = [];
  while (seen.filter((c) => c.type === 'text-delta').length < deltas) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the reply ended after ${seen.length} chunks`);
    seen.push(value);
  }
  return {
    seen,
    /** The client drops: its connection closes mid-reply. */
    drop: async () => {
      abort.abort();
      await reader.cancel().catch(() => undefined);
    },
    /** Reads the rest of this response. */
    rest: async (): Promise<UIMessageChunk[]> => {
      const more: UIMessageChunk[] = [];
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return more;
        more.push(value);
      }
    },
  };
}

/** The text of the text deltas of some chunks. */
export const deltasText = (chunks: readonly UIMessageChunk[]): string => chunks.map((c) => (c.type === 'text-delta' ? c.delta : '')).join('');

/** Waits until `condition()` holds, checking after each turn of the event loop (no wall clock). */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}
