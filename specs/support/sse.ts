import { EventSource } from 'eventsource';

export interface Received {
  chunks: string[];
  ids: string[];
  done?: unknown;
  error?: unknown;
}

/** A program, not a browser page: `X-Requested-With` passes the adapter's cross-site check (see checkRequest). */
export const NOT_CROSS_SITE = { 'x-requested-with': 'spec' };
export const eventSourceInit: ConstructorParameters<typeof EventSource>[1] = {
  fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, ...NOT_CROSS_SITE } }),
};

/** Reads a whole stream with the real `eventsource` client; resolves on the done or error event. */
export function readWithEventSource(url: string, init: ConstructorParameters<typeof EventSource>[1] = eventSourceInit): Promise<Received> {
  return new Promise((resolve, reject) => {
    const es = new EventSource(url, init);
    const got: Received = { chunks: [], ids: [] };
    es.addEventListener('chunk', (e) => {
      got.chunks.push((JSON.parse(e.data) as { text: string }).text);
      got.ids.push(e.lastEventId);
    });
    es.addEventListener('done', (e) => {
      got.done = JSON.parse(e.data);
      es.close();
      resolve(got);
    });
    es.addEventListener('error', (e) => {
      es.close();
      if ((e as unknown as { data?: string }).data !== undefined) {
        got.error = JSON.parse((e as unknown as { data: string }).data);
        resolve(got);
      } else reject(new Error(`EventSource failed: ${e.message ?? e.code}`));
    });
  });
}
