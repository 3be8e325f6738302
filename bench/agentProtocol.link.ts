/**
 * One bench client's network: a `fetch` for `@langchain/langgraph-sdk` that sends every request to
 * the instance the link points at (`base`), and can cut the client's open event streams the way a
 * network drop does (the body errors; the SDK reconnects, now to wherever `base` points). It times
 * reconnect → first event on the wire: from the drop to the first `data:` byte of a stream opened
 * after it (the SDK reconnects at once here: `reconnectDelayMs: () => 0`).
 *
 * Requests go through an undici Agent of its own, as in bench/chatHandler.bench.ts, so a request is
 * never sent on a kept-alive socket the server is closing after a cut stream.
 */
import { Agent, fetch as undiciFetch } from 'undici';

const CLIENTS = new Agent({ pipelining: 0, connections: null });

/** Closes the clients' connection pool (end of the bench). */
export const closeClientConnections = (): Promise<void> => CLIENTS.close();

export class ClientLink {
  /** Where requests go now (an instance's base URL). */
  base: string;
  /** performance.now() of the drop; undefined while not dropped. */
  droppedAt?: number;
  /** ms from the drop to the first event's bytes on a stream opened after it. */
  reconnectToFirstEventMs?: number;
  readonly #cut = new Set<() => void>();

  constructor(base: string) {
    this.base = base;
  }

  /** What the SDK calls instead of the global fetch. */
  readonly fetch = (async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const response = (await undiciFetch(`${this.base}${url.pathname}${url.search}`, { ...(init as object), dispatcher: CLIENTS })) as unknown as Response;
    if (!url.pathname.endsWith('/stream/events') || !response.body) return response;
    return new Response(this.#watched(response.body, this.droppedAt !== undefined), { status: response.status, statusText: response.statusText, headers: response.headers });
  }) as typeof fetch;

  /** Cuts every open event stream (their bodies error, their connections close); later requests go to `base`. */
  drop(base: string): void {
    this.droppedAt = performance.now();
    this.base = base;
    for (const cut of [...this.#cut]) cut();
  }

  /** The body as the SDK reads it: cut by `drop()`; a stream opened after the drop times its first event. */
  #watched(body: ReadableStream<Uint8Array>, afterDrop: boolean): ReadableStream<Uint8Array> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let cut = (): void => undefined;
    let gone = false; // cut: a read still pending must not touch the errored controller
    return new ReadableStream<Uint8Array>({
      start: (controller) => {
        cut = () => {
          gone = true;
          this.#cut.delete(cut);
          controller.error(new Error('bench: network drop'));
          void reader.cancel().catch(() => undefined);
        };
        this.#cut.add(cut);
      },
      pull: async (controller) => {
        const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
        if (gone) return;
        if (done) {
          this.#cut.delete(cut);
          return controller.close();
        }
        if (afterDrop && this.reconnectToFirstEventMs === undefined && decoder.decode(value, { stream: true }).includes('data:')) {
          this.reconnectToFirstEventMs = performance.now() - this.droppedAt!;
        }
        controller.enqueue(value);
      },
      cancel: () => {
        gone = true;
        this.#cut.delete(cut);
        return reader.cancel();
      },
    });
  }
}
