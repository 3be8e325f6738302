/** A real EventSource whose first connection drops mid-reply and which resumes on another instance. */
import { EventSource } from 'eventsource';
import { NOT_CROSS_SITE } from './sse';

export interface SseEvent {
  type: string;
  id: string;
  data: string;
}

/** Parses an SSE body into events (comments and retry: skipped). */
export function parseEvents(body: string): SseEvent[] {
  return body
    .split('\n\n')
    .filter((frame) => /^(id|event|data):/m.test(frame))
    .map((frame) => {
      const field = (name: string): string => frame.split('\n').filter((l) => l.startsWith(`${name}: `)).map((l) => l.slice(name.length + 2)).join('\n');
      return { type: field('event') || 'message', id: field('id'), data: field('data') };
    });
}

/**
 * POSTs `body` to `first`/api/chat/stream with the `eventsource` client; its
 * first connection is cut right after the `cutAfter`-th chunk frame (nothing of
 * the next frame arrives), and every reconnect (the client's own, with
 * `Last-Event-ID`) goes to `then`. Resolves with every event it dispatched, on
 * `done` or on an `error` event (with data); rejects on a failure without one.
 */
export function readCutAndResume(
  first: string,
  then: string,
  body: unknown,
  cutAfter: number,
): Promise<{ events: SseEvent[]; requests: Array<{ to: string; lastEventId: string | null }>; cut: boolean }> {
  const requests: Array<{ to: string; lastEventId: string | null }> = [];
  const events: SseEvent[] = [];
  let cut = false;
  return new Promise((resolve, reject) => {
    const es = new EventSource(`${first}/api/chat/stream`, {
      fetch: async (_input, init) => {
        const to = requests.length === 0 ? first : then;
        const headers: Record<string, string> = {};
        new Headers(init?.headers).forEach((value, key) => (headers[key] = value));
        requests.push({ to, lastEventId: headers['last-event-id'] ?? null });
        const res = await fetch(`${to}/api/chat/stream`, {
          ...init,
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json', ...NOT_CROSS_SITE },
          body: JSON.stringify(body),
        });
        if (requests.length > 1) return res;
        const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
        let seen = '';
        let sent = 0;
        return new Response(
          new ReadableStream<Uint8Array>({
            async pull(controller) {
              const { value, done } = await reader.read();
              if (done) return controller.close();
              seen += value;
              let at = 0;
              for (let n = 0; n < cutAfter; n++) {
                const next = seen.indexOf('event: chunk', at);
                const end = next < 0 ? -1 : seen.indexOf('\n\n', next);
                if (end < 0) {
                  at = -1;
                  break;
                }
                at = end + 2;
              }
              const upTo = at < 0 ? seen.length : at;
              controller.enqueue(new TextEncoder().encode(seen.slice(sent, upTo)));
              sent = upTo;
              if (at >= 0) {
                cut = true; // the connection is gone right after that frame
                void reader.cancel();
                controller.close();
              }
            },
          }),
          { status: res.status, headers: res.headers },
        );
      },
    });
    const record = (e: MessageEvent): void => void events.push({ type: e.type, id: e.lastEventId, data: e.data as string });
    es.addEventListener('start', record);
    es.addEventListener('chunk', record);
    es.addEventListener('done', (e) => {
      record(e);
      es.close();
      resolve({ events, requests, cut });
    });
    es.addEventListener('error', (e) => {
      const data = (e as unknown as { data?: string }).data;
      if (data !== undefined) {
        events.push({ type: 'error', id: '', data });
        es.close();
        return resolve({ events, requests, cut });
      }
      if (requests.length > 4) {
        es.close();
        reject(new Error(`EventSource failed: ${e.message}`));
      }
    });
  });
}
