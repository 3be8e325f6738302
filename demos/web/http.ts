/**
 * HTTP plumbing of the web demo, in one place so every route (SSE, the AI SDK's
 * `POST /api/chat`, the page and its scripts) gets the same checks: a route table, the request target parsed
 * defensively (400), `checkRequest`'s Host allow-list (421) and cross-site test
 * (403) before any route runs the model, and one capped body reader (413 after
 * draining, so the client reads the answer instead of an EPIPE).
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { checkRequest, parseRequestTarget, type RequestCheckOptions } from '../../src/node';

/** What a route handler gets. */
export interface RouteRequest {
  req: IncomingMessage;
  res: ServerResponse;
  /** The parsed request target (path and query). */
  url: URL;
  /** The `:name` segments of the route's path, decoded (e.g. `{ id }` for `/api/chat/:id/stop`). */
  params: Record<string, string>;
}

/** One entry of the route table. */
export interface Route {
  /** Exact path, e.g. `/api/chat/stream`, or with `:name` segments, e.g. `/api/chat/:id/stop`. */
  path: string;
  /** Methods it answers; others get 405 with `Allow`. `GET` implies `HEAD`. */
  methods: readonly string[];
  /** True when it runs the model: the request must then pass the cross-site test too. */
  runsModel: boolean;
  handle(request: RouteRequest): void | Promise<void>;
}

/** The Host / Origin policy of every route and of the WebSocket endpoint. */
export type RequestPolicy = Omit<RequestCheckOptions, 'runsModel'>;

/** An error that knows its HTTP status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Past the body cap the rest is read and dropped (so the client can finish sending
 * and read the 413), up to this many bytes; beyond it the connection is cut.
 */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;

/** Answers with a JSON body; only ends the response when headers are gone already. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  if (res.headersSent) return void res.end();
  const data = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers, 'content-length': String(Buffer.byteLength(data)) });
  res.end(data);
}

/**
 * The request body, at most `maxBytes`. Over the cap it rejects with a 413
 * `HttpError` once the client has finished sending (the rest is drained, not
 * kept), so answering then closes the connection cleanly; a body declared or
 * sent beyond 64 MiB is cut at once.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tooLarge = (): HttpError => new HttpError(413, `Request body over ${maxBytes} bytes.`);
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > DRAIN_LIMIT_BYTES) {
      req.socket.destroySoon?.();
      return reject(tooLarge());
    }
    const parts: Buffer[] = [];
    let size = 0;
    let over = declared > maxBytes;
    let ended = false;
    req.on('data', (part: Buffer) => {
      size += part.length;
      if (size > maxBytes && !over) {
        over = true;
        parts.length = 0;
      }
      if (over) {
        if (size > DRAIN_LIMIT_BYTES) req.destroy();
        return;
      }
      parts.push(part);
    });
    req.on('end', () => {
      ended = true;
      if (over) reject(tooLarge());
      else resolve(Buffer.concat(parts));
    });
    req.on('error', reject);
    req.on('close', () => {
      if (!ended) reject(new HttpError(400, 'The request body was cut off.'));
    });
  });
}

/** A JSON body of at most `maxBytes`: 413 past it, 400 when it is not JSON (the message shows `example`). */
export async function readJsonBody(req: IncomingMessage, maxBytes: number, example = '{"question": "…"}'): Promise<unknown> {
  const body = await readBody(req, maxBytes);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, `Request body must be JSON like ${example}.`);
  }
}

/**
 * The server's request listener: parse the target (400), check the Host of every
 * request (421), find the route (404) and the method (405), and for a route that
 * runs the model the Origin / cross-site test (403). A handler that throws an
 * `HttpError` answers with its status; anything else is a 500, and the server goes on.
 */
export function routeRequests(routes: readonly Route[], policy: RequestPolicy): RequestListener {
  const byPath = new Map(routes.filter((route) => !route.path.includes('/:')).map((route) => [route.path, route]));
  const patterns = routes.filter((route) => route.path.includes('/:')).map((route) => ({ route, match: pathPattern(route.path) }));
  return (req, res) => {
    const url = parseRequestTarget(req);
    if (!url) return sendJson(res, 400, { error: 'Bad request target.' }, { connection: 'close' });
    let params: Record<string, string> = {};
    let route = byPath.get(url.pathname);
    for (const pattern of route ? [] : patterns) {
      const found = pattern.match(url.pathname);
      if (found) {
        route = pattern.route;
        params = found;
        break;
      }
    }
    const refusal = checkRequest(req, { ...policy, runsModel: false }); // the Host, for every request
    if (refusal) return sendJson(res, refusal.status, { error: refusal.message });
    if (!route) return sendJson(res, 404, { error: `Not found: ${req.method} ${url.pathname}` });
    const methods = route.methods.includes('GET') ? [...route.methods, 'HEAD'] : route.methods;
    if (!methods.includes(req.method ?? '')) {
      return sendJson(res, 405, { error: `Use ${route.methods.join(' or ')}.` }, { allow: methods.join(', ') });
    }
    const crossSite = route.runsModel && checkRequest(req, { ...policy, runsModel: true });
    if (crossSite) return sendJson(res, crossSite.status, { error: crossSite.message });
    Promise.resolve()
      .then(() => route.handle({ req, res, url, params }))
      .catch((error: unknown) => {
        const status = error instanceof HttpError ? error.status : 500;
        // After a refused body the connection closes: the client may have sent more than we read.
        sendJson(res, status, { error: error instanceof Error ? error.message : String(error) }, status === 413 ? { connection: 'close' } : {});
      });
  };
}

/** A matcher for a path with `:name` segments: each matches one non-empty segment, percent-decoded. */
function pathPattern(path: string): (pathname: string) => Record<string, string> | null {
  const names: string[] = [];
  const source = path
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(segment.slice(1));
      return '([^/]+)';
    })
    .join('/');
  const regex = new RegExp(`^${source}$`);
  return (pathname) => {
    const match = regex.exec(pathname);
    if (!match) return null;
    const params: Record<string, string> = {};
    try {
      names.forEach((name, i) => (params[name] = decodeURIComponent(match[i + 1])));
    } catch {
      return null; // a malformed escape: no route
    }
    return params;
  };
}
