/**
 * The end of an SSE response after its last event (`done`, `[DONE]`): the server closes the body
 * right after it, so read the body to its end instead of cancelling it. A cancelled body (or an
 * aborted fetch) shows in a browser's network log as a failed request (`net::ERR_ABORTED`) even
 * though the stream finished; read to its end, it is a normal close.
 */

/** How long a server may keep the body open after its last event before it is cancelled. */
const GRACE_MS = 1000;
/** How much a server may still send after its last event (heartbeats, say) before it is cancelled. */
const MAX_BYTES = 65_536;

/**
 * A fetch's own abort controller that follows `parent` until {@link LinkedAbort.unlink}: the
 * subscription's teardown aborts `parent`, which must stop a fetch mid-stream but not one
 * whose stream has ended and whose body is being read to its end.
 */
export interface LinkedAbort {
  readonly signal: AbortSignal;
  abort(): void;
  unlink(): void;
}

export function linkedAbort(parent: AbortSignal): LinkedAbort {
  const controller = new AbortController();
  const follow = (): void => controller.abort(parent.reason);
  if (parent.aborted) follow();
  else parent.addEventListener('abort', follow, { once: true });
  return {
    signal: controller.signal,
    abort: () => controller.abort(),
    unlink: () => parent.removeEventListener('abort', follow),
  };
}

/**
 * Reads what is left of `reader` and drops it, in the background: until the body ends, or
 * for at most {@link GRACE_MS} / {@link MAX_BYTES}, after which the request is aborted.
 */
export function drainBody(reader: ReadableStreamDefaultReader<Uint8Array>, request: LinkedAbort): void {
  request.unlink();
  const timer = setTimeout(() => request.abort(), GRACE_MS);
  (timer as { unref?: () => void }).unref?.(); // never what keeps a Node process alive
  void (async (): Promise<void> => {
    let bytes = 0;
    try {
      for (;;) {
        const read = await reader.read();
        if (read.done) return;
        bytes += read.value.byteLength;
        if (bytes > MAX_BYTES) {
          request.abort();
          return;
        }
      }
    } catch {
      // aborted after the grace, or the connection dropped: the stream had already ended
    } finally {
      clearTimeout(timer);
      reader.cancel().catch(() => undefined);
    }
  })();
}
