import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { checkHost, checkOrigin, isAllowedOrigin } from './chatHandler/requestPolicy';
import type { ChatAllowedHosts, ChatAllowedOrigins } from './chatHandler/types';

/** Who may call a handler: its `Host` allow-list and the other origins it serves (CORS). */
export interface RequestPolicyOptions {
  readonly allowedHosts?: ChatAllowedHosts;
  readonly allowedOrigins?: ChatAllowedOrigins;
}

/** How a handler answers a refusal (its own JSON shape). */
export type Refuse = (status: number, message: string) => Response;

/**
 * The request policy of the Web handlers (chat and agent protocol) as three Hono middlewares, in
 * the order they run: `host` (DNS rebinding: 400/421), `cors` (the allowed origins' preflight and
 * headers), `origin` (a cross-site request is a 403). `withoutOrigin: 'allow'` lets requests with no
 * `Origin` through: browsers send one on every POST, so what comes without is a non-browser client
 * (the SDK in Node) or a same-origin GET whose answer another site cannot read.
 */
export function requestPolicy(
  options: RequestPolicyOptions,
  refuse: Refuse,
  corsOptions: { allowMethods: string[]; allowHeaders: string[]; exposeHeaders: string[] },
  withoutOrigin: 'proof' | 'allow' = 'proof',
): { host: MiddlewareHandler; cors: MiddlewareHandler; origin: MiddlewareHandler } {
  return {
    host: async (c, next) => {
      const refusal = checkHost(c.req.raw, options.allowedHosts);
      if (refusal) return refuse(refusal.status, refusal.message);
      await next();
    },
    cors: cors({
      origin: (origin, c) => (isAllowedOrigin(origin, c.req.raw, options.allowedOrigins) ? origin : null),
      ...corsOptions,
      credentials: true,
      maxAge: 600,
    }),
    origin: async (c, next) => {
      const skip = withoutOrigin === 'allow' && !c.req.raw.headers.has('origin') && typeof options.allowedOrigins !== 'function';
      const refusal = skip ? undefined : checkOrigin(c.req.raw, options.allowedOrigins);
      if (refusal) return refuse(refusal.status, refusal.message);
      await next();
    },
  };
}
