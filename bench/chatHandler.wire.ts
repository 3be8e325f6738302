/**
 * What the chat-handler bench's clients send and read, shared by the bench process (scenario 1) and
 * the SSE clients' child process of scenario 2 (bench/chatHandler.clients.ts): the HTTP agent, the
 * AI SDK's body of a new user turn, and a body reader that can leave mid-reply.
 *
 * The HTTP clients use an undici Agent that never reuses a kept-alive socket: the previous harness
 * (global fetch) saw many SSE POSTs fail with "other side closed", the symptom of a request sent on
 * a socket the server is closing after an aborted response. With one connection per request, a
 * failure the bench counts is the server's. `FETCH=global` runs the old way, to compare.
 */
import { Agent, fetch as undiciFetch } from 'undici';

/**
 * Both sides' servers listen with this backlog (Node's default is 511): a burst of 2,000 connections
 * then waits in the kernel's queue instead of losing SYNs that come back 1, 3, 7 s later (decision
 * 0420; `docs/deploy.md`). BACKLOG=511: Node's default.
 */
export const LISTEN_BACKLOG = Number(process.env.BACKLOG ?? 4096);

/** The clients' connections: one per request, never a kept-alive socket reused. */
const CLIENTS = new Agent({ pipelining: 0, connections: null });
export type Fetch = (url: string, init?: RequestInit) => Promise<Response>;
const clientFetch: Fetch = (url, init) => undiciFetch(url, { ...(init as object), dispatcher: CLIENTS }) as unknown as Promise<Response>;
/** The clients' HTTP; FETCH=global: the global fetch instead (to see the harness failure the Agent avoids). */
export const http: Fetch = process.env.FETCH === 'global' ? (url, init) => fetch(url, init) : clientFetch;
/** Closes the clients' connections (at the end of a process's bench). */
export const closeClients = (): Promise<void> => CLIENTS.close();

/** The AI SDK's body for a new user message of conversation `id`. */
export const userTurn = (id: string, i: number): string =>
  JSON.stringify({ id, trigger: 'submit-message', messages: [{ id: `m-${i}`, role: 'user', parts: [{ type: 'text', text: '什么是Python' }] }] });

/** Reads a response body; with `cutAt`, aborts once that many bytes came (only whole lines kept). */
export async function readBody(response: Response, abort: AbortController, cutAt?: number): Promise<{ sse: string; wire: number }> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let sse = '';
  let wire = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      wire += value.byteLength;
      sse += decoder.decode(value, { stream: true });
      if (cutAt !== undefined && wire >= cutAt) {
        abort.abort();
        return { sse: sse.slice(0, sse.lastIndexOf('\n\n') + 2), wire };
      }
    }
  } catch {
    // aborted
  }
  return { sse, wire };
}
