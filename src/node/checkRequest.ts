import type { IncomingMessage } from 'node:http';
import { describe } from '../internal/validate';

/**
 * Which `Host` headers a server answers. Default: the address the request came in on
 * and `localhost`, `127.0.0.1`, `[::1]`, each with the server's port. Entries are host
 * names accepted on any port (`'chat.example.com'`; a leading dot, `'.example.com'`,
 * also accepts every subdomain); `'any'` accepts every Host (a proxy in front checks it);
 * a function decides alone.
 */
export type AllowedHosts = readonly string[] | 'any' | ((host: string, request: IncomingMessage) => boolean);

/**
 * Which `Origin` headers may reach an endpoint that runs the model. Default: the same
 * origin only. An array accepts these origins (exact, e.g. `'https://app.example.com'`)
 * besides the same origin; a function decides alone, also for requests without `Origin`.
 */
export type AllowedOrigins = readonly string[] | ((origin: string | undefined, request: IncomingMessage) => boolean);

/** Options of {@link checkRequest}. Both server adapters take the same two. */
export interface RequestCheckOptions {
  /** The `Host` allow-list (DNS rebinding). See {@link AllowedHosts}. */
  allowedHosts?: AllowedHosts;
  /** Origins allowed besides the same origin. See {@link AllowedOrigins}. */
  allowedOrigins?: AllowedOrigins;
  /**
   * Whether the request would run the model. Then a request without `Origin`
   * (what `<img src>` or a no-cors `fetch` from any site sends) must show it is
   * not a simple cross-site request: `Sec-Fetch-Site: same-origin`, a POST with
   * `Content-Type: application/json`, or an `X-Requested-With` header (a WebSocket
   * upgrade needs none of these: browsers always send `Origin` on it). Default true.
   */
  runsModel?: boolean;
}

/** Why {@link checkRequest} refused a request, and the status to answer with. */
export interface RequestRefusal {
  /** 400 bad request target or Host header, 421 Host not allowed, 403 cross-site. */
  status: 400 | 403 | 421;
  message: string;
}

const HOST = /^(\[[0-9a-f:.]+\]|[a-z0-9_.~!$&'()*+,;=%-]+)(?::(\d{1,5}))?$/i;
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/**
 * The request target of `request` as a URL (path and query; the host part is
 * a placeholder), or `undefined` when it cannot be one: `GET //a:b`, `GET http://[`,
 * `OPTIONS *`. Never throws, so one malformed request cannot end the process
 * (`new URL(req.url, base)` does throw on these). Answer `undefined` with 400.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { parseRequestTarget } from 'rxjs-langchain/node';
 *
 * createServer((req, res) => {
 *   const url = parseRequestTarget(req);
 *   if (!url) return void res.writeHead(400).end();
 *   const question = url.searchParams.get('question');
 * });
 * ```
 *
 * @param request The incoming request (only `url` is read).
 * @returns The parsed target, or `undefined` for a target that is not a path or an absolute URL.
 * @see checkRequest
 */
export function parseRequestTarget(request: Pick<IncomingMessage, 'url'>): URL | undefined {
  const target = request.url;
  if (typeof target !== 'string' || target === '') return undefined;
  try {
    // Origin-form ("/a?b"): prefix our own authority so "//a:b" stays a path instead of becoming a host.
    if (target.startsWith('/')) return new URL(`http://request.invalid${target}`);
    // Absolute-form ("http://host/a", what proxies send): only http(s).
    const url = new URL(target);
    return url.protocol === 'http:' || url.protocol === 'https:' ? new URL(`http://request.invalid${url.pathname}${url.search}`) : undefined;
  } catch {
    return undefined;
  }
}

/** Lower-case host name and port of a Host header, or undefined when it is not one. */
function splitHost(value: string): { name: string; port: number | undefined } | undefined {
  const m = HOST.exec(value.trim());
  if (!m) return undefined;
  const port = m[2] === undefined ? undefined : Number(m[2]);
  if (port !== undefined && port > 65535) return undefined;
  return { name: m[1].toLowerCase(), port };
}

/** The local address of a socket as a Host name: IPv4-mapped IPv6 unwrapped, IPv6 in brackets. */
function localName(address: string | undefined): string | undefined {
  if (!address) return undefined;
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (v4) return v4[1];
  return address.includes(':') ? `[${address.toLowerCase()}]` : address;
}

function hostAllowed(host: { name: string; port: number | undefined }, raw: string, request: IncomingMessage, allowed: AllowedHosts | undefined): boolean {
  if (allowed === 'any') return true;
  if (typeof allowed === 'function') return allowed(raw, request);
  const local = request.socket?.localPort;
  const names = [...LOOPBACK_NAMES, localName(request.socket?.localAddress)];
  if (names.includes(host.name) && (host.port ?? 80) === local) return true;
  return (allowed ?? []).some((entry) => {
    const name = entry.toLowerCase();
    return name.startsWith('.') ? host.name === name.slice(1) || host.name.endsWith(name) : host.name === name;
  });
}

/** True when `origin` is the origin of a page served under `host` (scheme aside: a proxy may end TLS). */
function sameOrigin(origin: URL, host: { name: string; port: number | undefined }): boolean {
  if (origin.hostname.toLowerCase() !== host.name) return false; // IPv6 keeps its brackets in both
  const originPort = origin.port === '' ? (origin.protocol === 'https:' ? 443 : 80) : Number(origin.port);
  return host.port === undefined ? originPort === 80 || originPort === 443 : originPort === host.port;
}

function isJson(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}

/**
 * Checks that a request is meant for this server and, when it runs the model,
 * that no other site made the browser send it. Returns why not, or `undefined`:
 *
 * 1. the `Host` header must be allowed (`allowedHosts`; default: the bound address and
 *    `localhost` with the port): else 421, which stops DNS rebinding, where a site
 *    the user visits re-points its own name at 127.0.0.1;
 * 2. an `Origin` header must be the same origin or allowed (`allowedOrigins`): else 403;
 * 3. without `Origin`, a request that runs the model must be one no page of another
 *    site can send: `Sec-Fetch-Site: same-origin`, a POST with a JSON content type, or an
 *    `X-Requested-With` header; else 403. WebSocket upgrades always carry `Origin` from
 *    a browser, so one without it comes from a program and passes.
 *
 * `sendServerSentEvents` and `serveChatOverWebSocket` run this check themselves
 * (docs/decisions/0080). Call it in your own routes, before reading a body.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { checkRequest } from 'rxjs-langchain/node';
 *
 * createServer((req, res) => {
 *   const refusal = checkRequest(req, { allowedHosts: ['chat.example.com'] });
 *   if (refusal) return void res.writeHead(refusal.status, { 'content-type': 'text/plain' }).end(refusal.message);
 *   // … run the model
 * });
 * ```
 *
 * @param request The incoming request (headers, method and socket addresses are read).
 * @param options `allowedHosts`, `allowedOrigins`, `runsModel` (default true).
 * @returns The refusal (status and message), or `undefined` when the request may go on.
 * @see parseRequestTarget
 */
export function checkRequest(request: IncomingMessage, options: RequestCheckOptions = {}): RequestRefusal | undefined {
  const rawHost = request.headers.host;
  if (typeof rawHost !== 'string' || rawHost === '') return { status: 400, message: 'The request has no Host header.' };
  const host = splitHost(rawHost);
  if (!host) return { status: 400, message: 'The Host header is not a host name.' };
  if (!hostAllowed(host, rawHost, request, options.allowedHosts)) {
    return {
      status: 421,
      message: `This server does not answer to the host ${JSON.stringify(rawHost.slice(0, 100))}; add it to allowedHosts if it is yours.`,
    };
  }

  const origin = request.headers.origin;
  const allowed = options.allowedOrigins;
  if (typeof allowed === 'function') {
    return allowed(origin, request) ? undefined : crossSite(origin);
  }
  if (origin !== undefined) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined; // "null" (sandboxed frames, file:) and garbage
    }
    if (parsed && (sameOrigin(parsed, host) || (allowed ?? []).includes(parsed.origin))) return undefined;
    return crossSite(origin);
  }
  if (options.runsModel === false || request.headers.upgrade !== undefined) return undefined;
  if (request.headers['sec-fetch-site'] === 'same-origin') return undefined;
  if (WITH_BODY.has(request.method ?? '') && isJson(request.headers['content-type'])) return undefined;
  if (request.headers['x-requested-with'] !== undefined) return undefined;
  return {
    status: 403,
    message:
      'Refused a request that may come from another site: send it from the page\'s own origin, ' +
      'as a POST with Content-Type: application/json, or with an X-Requested-With header.',
  };
}

function crossSite(origin: string | undefined): RequestRefusal {
  return {
    status: 403,
    message: origin === undefined ? 'Requests without an Origin header are not allowed here.' : `Requests from the origin ${JSON.stringify(origin.slice(0, 100))} are not allowed here.`,
  };
}

/** Call-time check of the two options, with messages that say what to pass. */
export function assertRequestCheckOptions(where: string, options: RequestCheckOptions): void {
  const hosts = options.allowedHosts;
  if (hosts !== undefined && hosts !== 'any' && typeof hosts !== 'function') {
    if (!Array.isArray(hosts) || hosts.some((h) => typeof h !== 'string' || h === '' || /[/:\s]/.test(h.replace(/^\[.*\]$/, '')))) {
      throw new TypeError(
        `${where}: allowedHosts must be 'any', a function, or an array of host names such as "chat.example.com" (no scheme or port), got ${describe(hosts)}.`,
      );
    }
  }
  const origins = options.allowedOrigins;
  if (origins !== undefined && typeof origins !== 'function') {
    if (!Array.isArray(origins)) {
      throw new TypeError(`${where}: allowedOrigins must be an array of origins or a function, got ${describe(origins)}.`);
    }
    for (const origin of origins) {
      let ok = false;
      try {
        ok = typeof origin === 'string' && new URL(origin).origin === origin;
      } catch {
        ok = false;
      }
      if (!ok) {
        throw new TypeError(`${where}: allowedOrigins entries must be origins such as "http://127.0.0.1:3000" (scheme, host, port; no path), got ${describe(origin)}.`);
      }
    }
  }
}
