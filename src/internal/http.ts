import type { IncomingMessage, ServerResponse } from 'node:http';

/** An error carrying the HTTP status to answer with. */
export type HttpError = Error & { status: number };

const httpError = (status: number, message: string): HttpError => Object.assign(new Error(message), { status });

/**
 * The request body as UTF-8, at most `max` bytes. Past the cap (declared or
 * actual) it rejects with status 413 without buffering the rest, which it
 * drains so the socket is not left paused.
 */
export function readBodyText(req: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > max) {
      req.resume();
      return reject(httpError(413, `Request body over ${max} bytes.`));
    }
    const parts: Buffer[] = [];
    let size = 0;
    const onData = (part: Buffer): void => {
      size += part.length;
      if (size > max) {
        req.off('data', onData);
        req.resume(); // discard the rest
        reject(httpError(413, `Request body over ${max} bytes.`));
      } else parts.push(part);
    };
    req.on('data', onData);
    req.on('end', () => {
      if (size <= max) resolve(Buffer.concat(parts).toString('utf8'));
    });
    req.on('error', reject);
  });
}

/** Answers with a JSON body; a no-op (or just the end) when headers are gone already. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  if (res.headersSent) return void res.end();
  const data = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers, 'content-length': String(Buffer.byteLength(data)) });
  res.end(data);
}
