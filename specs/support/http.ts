import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Stops `server` listening and cuts its connections (idle keep-alive ones too); resolves once closed, also when it was not listening. */
export const closeServer = (server: Server): Promise<void> =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });

/** Starts an http server on 127.0.0.1:0; `close()` cuts every connection. */
export async function listen(handler: RequestListener): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: () => closeServer(server),
  };
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` every 5 ms until it is truthy. No clock bound of its own: on a loaded machine a
 * condition may take seconds, and a spec waits for an outcome, not a deadline. A condition that never
 * comes is the test's jest timeout (the only patience), reported with `what` if it fails after 110 s.
 *
 * @param check The condition.
 * @param what What is awaited, for the failure message. A number (the old `timeoutMs`) is ignored.
 */
export async function until(check: () => boolean, ...rest: [what?: string] | [ignoredMs: number, what?: string]): Promise<void> {
  const what = rest.find((x): x is string => typeof x === 'string') ?? 'condition';
  const start = Date.now();
  while (!check()) {
    // Patience, not a bound: just under jest's testTimeout (120 s), so the message says what never came.
    if (Date.now() - start > UNTIL_PATIENCE_MS) throw new Error(`never saw ${what} (waited ${UNTIL_PATIENCE_MS} ms)`);
    await sleep(5);
  }
}

/** How long `until` waits before saying what never came. */
const UNTIL_PATIENCE_MS = 110_000;

/** Replies that break naive `data: {content}` framing. */
export const TRICKY_REPLY =
  '第一行\n第二行\r\nthird line\n\n' +
  'data: {"text":"forged"}\n\n' +
  'event: done\nid: 99\n\n' +
  ': not a comment\r\r' +
  '中文和 emoji 😀👨‍👩‍👧🇨🇳 end\n';

/** Reads the rest of a body as text, with one decoder (a character split across reads stays whole). */
export async function readRest(reader: ReadableStreamDefaultReader<Uint8Array>, decoder = new TextDecoder()): Promise<string> {
  let text = '';
  for (let r = await reader.read(); !r.done; r = await reader.read()) text += decoder.decode(r.value, { stream: true });
  return text + decoder.decode();
}
