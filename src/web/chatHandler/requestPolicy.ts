import type { ChatAllowedHosts, ChatAllowedOrigins } from './types';

/** Why a request was refused before any route ran. */
export interface PolicyRefusal {
  status: 400 | 403 | 421;
  message: string;
}

const HOST = /^(\[[0-9a-f:.]+\]|[a-z0-9_.~!$&'()*+,;=%-]+)(?::(\d{1,5}))?$/i;
const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/** The lower-case host name of a Host header, or undefined when it is not one. */
function hostName(raw: string): string | undefined {
  const m = HOST.exec(raw.trim());
  return m && (m[2] === undefined || Number(m[2]) <= 65535) ? m[1].toLowerCase() : undefined;
}

/** The Host the client sent: the header, else the request URL's (runtimes that build the URL from it). */
function hostOf(request: Request): string {
  const header = request.headers.get('host');
  if (header) return header;
  try {
    return new URL(request.url).host;
  } catch {
    return '';
  }
}

/**
 * The `Host` rule (DNS rebinding): the host name must be allowed. Default: the loopback names on
 * any port, which is what a local server needs; a deployed one lists its names (or `'any'` behind a
 * proxy that checks them). Same rule as `checkRequest` in `rxjs-langchain/node`, over a Web `Request`.
 */
export function checkHost(request: Request, allowed: ChatAllowedHosts | undefined): PolicyRefusal | undefined {
  const raw = hostOf(request);
  const name = hostName(raw);
  if (!name) return { status: 400, message: 'The Host header is not a host name.' };
  if (allowed === 'any') return undefined;
  if (typeof allowed === 'function') return allowed(raw, request) ? undefined : hostRefusal(raw);
  const ok = LOOPBACK.includes(name) || (allowed ?? []).some((entry) => {
    const e = entry.toLowerCase();
    return e.startsWith('.') ? name === e.slice(1) || name.endsWith(e) : name === e;
  });
  return ok ? undefined : hostRefusal(raw);
}

function hostRefusal(raw: string): PolicyRefusal {
  return { status: 421, message: `This server does not answer to the host ${JSON.stringify(raw.slice(0, 100))}; add it to allowedHosts if it is yours.` };
}

/** True when `origin` is one of the allowed other origins (they also get CORS headers). */
export function isAllowedOrigin(origin: string, request: Request, allowed: ChatAllowedOrigins | undefined): boolean {
  if (typeof allowed === 'function') return allowed(origin, request);
  return (allowed ?? []).includes(origin);
}

/** True when `origin` is the origin of the page the request's Host serves (scheme aside: a proxy may end TLS). */
function sameOrigin(origin: string, request: Request): boolean {
  try {
    return new URL(origin).host.toLowerCase() === hostOf(request).trim().toLowerCase();
  } catch {
    return false; // "null" (sandboxed frames, file:) and garbage
  }
}

/**
 * The cross-site rule of every route (they all run the model or read a user's reply): an
 * `Origin` must be the same origin or allowed; without one, the request must be one no page of
 * another site can send: `Sec-Fetch-Site: same-origin`, a POST with a JSON content type, or an
 * `X-Requested-With` header (docs/decisions/0080).
 */
export function checkOrigin(request: Request, allowed: ChatAllowedOrigins | undefined): PolicyRefusal | undefined {
  const origin = request.headers.get('origin') ?? undefined;
  if (typeof allowed === 'function') return allowed(origin, request) ? undefined : crossSite(origin);
  if (origin !== undefined) return sameOrigin(origin, request) || isAllowedOrigin(origin, request, allowed) ? undefined : crossSite(origin);
  const headers = request.headers;
  if (headers.get('sec-fetch-site') === 'same-origin') return undefined;
  if (WITH_BODY.has(request.method) && isJson(headers.get('content-type'))) return undefined;
  if (headers.has('x-requested-with')) return undefined;
  return {
    status: 403,
    message:
      "Refused a request that may come from another site: send it from the page's own origin, " +
      'as a POST with Content-Type: application/json, or with an X-Requested-With header.',
  };
}

export function isJson(contentType: string | null): boolean {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}

function crossSite(origin: string | undefined): PolicyRefusal {
  return {
    status: 403,
    message: origin === undefined ? 'Requests without an Origin header are not allowed here.' : `Requests from the origin ${JSON.stringify(origin.slice(0, 100))} are not allowed here.`,
  };
}
