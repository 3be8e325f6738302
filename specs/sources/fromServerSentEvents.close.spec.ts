/**
 * After the last event (`done`, `[DONE]`) the response body is read to its end instead of being
 * cancelled: the server's own end reaches the client, so a browser logs a normal close, not
 * `net::ERR_ABORTED` (specs/demos/page.e2e.spec.ts checks that in Chromium). The Observable still
 * completes at the last event.
 */
import type { ServerResponse } from 'node:http';
import { lastValueFrom, toArray } from 'rxjs';
import { fromServerSentEvents } from '../../src';
import { listen } from '../support/http';
import { useCleanup } from '../support/cleanup';

const cleanup = useCleanup();

/** A server that sends `first` and `last`, then ends the body only once the client has completed. */
async function serverEndingAfterTheClient(first: string, last: string) {
  let release!: () => void;
  const clientDone = new Promise<void>((resolve) => (release = resolve));
  const http = await listen((_req, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(first + last);
    void clientDone.then(() => res.end(': bye\n\n'));
  });
  return { http, release };
}

/** The global fetch, watched: was its signal aborted, was its body cancelled, or read to its end? */
function watchedFetch() {
  const seen = { aborted: false, cancelled: false, readToEnd: false };
  let ended!: () => void;
  const settled = new Promise<void>((resolve) => (ended = resolve));
  const fetchFn = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    init?.signal?.addEventListener('abort', () => ((seen.aborted = true), ended()));
    const response = await fetch(input, init);
    const reader = response.body!.getReader();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const read = await reader.read().catch(() => ({ done: true as const, value: undefined }));
        if (read.done) {
          seen.readToEnd = !seen.aborted;
          controller.close();
          ended();
        } else controller.enqueue(read.value);
      },
      cancel(reason) {
        seen.cancelled = true;
        ended();
        return reader.cancel(reason);
      },
    });
    return new Response(body, { status: response.status, headers: response.headers });
  };
  return { fetchFn, seen, settled };
}

describe('fromServerSentEvents after the last event', () => {
  test.each([
    ['events', 'event: chunk\ndata: {"text":"你好"}\n\n', 'event: done\ndata: {}\n\n'],
    ['ui-message', 'data: {"type":"start"}\n\n', 'data: {"type":"finish"}\n\ndata: [DONE]\n\n'],
  ] as const)("parse '%s': completes at the last event, then reads the body to the server's end (no abort, no cancel)", async (parse, first, last) => {
    const { http, release } = await serverEndingAfterTheClient(first, last);
    const { fetchFn, seen, settled } = watchedFetch();
    cleanup(() => http.close());
    const source = fromServerSentEvents(http.url, { parse: parse as 'events', fetch: fetchFn });
    const values = await lastValueFrom(source.pipe(toArray()));
    expect(values.length).toBeGreaterThan(0);
    release(); // the client has completed: only now does the server end its body
    await settled;
    expect(seen).toEqual({ aborted: false, cancelled: false, readToEnd: true });
  });

  test('unsubscribing before the last event still aborts the request (the server sees the close)', async () => {
    let closed!: (finished: boolean) => void;
    const seen = new Promise<boolean>((resolve) => (closed = resolve));
    const http = await listen((_req, res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: chunk\ndata: {"text":"你好"}\n\n');
      res.on('close', () => closed(res.writableFinished));
    });
    cleanup(() => http.close());
    const subscription = fromServerSentEvents(http.url).subscribe({ next: () => subscription.unsubscribe() });
    expect(await seen).toBe(false);
  });
});
