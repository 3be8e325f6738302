import { describe } from '../internal/validate';
import type { RequestPolicyOptions } from './requestPolicyMiddleware';

/**
 * Call-time checks of a Web handler's request policy options (`allowedHosts`, `allowedOrigins`),
 * shared by `createChatHandler` and `createAgentProtocolHandler`: a wrong value is a TypeError
 * naming `where` and what to pass, at construction rather than on the first request.
 */
export function checkRequestPolicyOptions(where: string, options: RequestPolicyOptions): void {
  const hosts = options.allowedHosts;
  if (hosts !== undefined && hosts !== 'any' && typeof hosts !== 'function' && (!Array.isArray(hosts) || hosts.some((h) => typeof h !== 'string' || h === ''))) {
    throw new TypeError(`${where}: allowedHosts must be 'any', a function, or an array of host names such as "chat.example.com", got ${describe(hosts)}.`);
  }
  const origins = options.allowedOrigins;
  if (origins !== undefined && typeof origins !== 'function' && (!Array.isArray(origins) || origins.some((o) => typeof o !== 'string' || !/^https?:\/\/[^/]+$/.test(o)))) {
    throw new TypeError(`${where}: allowedOrigins must be a function or an array of origins such as "https://app.example.com" (no path), got ${describe(origins)}.`);
  }
}
