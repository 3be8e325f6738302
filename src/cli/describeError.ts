import { RxLangChainError, StreamTimeoutError } from '../errors';

function find<T>(error: unknown, test: (e: Record<string, unknown>) => T | undefined): T | undefined {
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const hit = test(e as Record<string, unknown>);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/**
 * One line that tells a chat user what went wrong and what to do: bad key,
 * unreachable endpoint, timeout, rate limit, or the error's own message.
 */
export function describeChatError(error: unknown, where: { baseURL?: string } = {}): string {
  const endpoint = where.baseURL ?? 'the OpenAI API';
  if (error instanceof StreamTimeoutError) {
    return `The model did not answer in time (${error.kind === 'first-chunk' ? 'no first chunk' : 'stalled'} after ${error.ms / 1000} s); try again or raise --timeout.`;
  }
  const status = find(error, (e) => (typeof e.status === 'number' ? e.status : undefined));
  if (status === 401 || status === 403) return `The API key was rejected (HTTP ${status}); check OPENAI_API_KEY.`;
  if (status === 404) return `Not found at ${endpoint} (HTTP 404); check OPENAI_BASE_URL and OPENAI_MODEL.`;
  if (status === 429) return 'Rate limited by the provider (HTTP 429); wait a moment and try again.';
  const code = find(error, (e) => (typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code) ? e.code : undefined));
  const name = find(error, (e) => (typeof e.name === 'string' && /Connection|Timeout/.test(e.name) ? e.name : undefined));
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH' || name === 'APIConnectionError') {
    return `Cannot reach ${endpoint}${code ? ` (${code})` : ''}; is the server running and OPENAI_BASE_URL right?`;
  }
  if (name === 'APIConnectionTimeoutError' || code === 'ETIMEDOUT') return `The request to ${endpoint} timed out; try again.`;
  const message = error instanceof Error ? error.message : String(error);
  const prefix = error instanceof RxLangChainError || !(error instanceof Error) ? '' : `${error.name}: `;
  return `${prefix}${message}${status ? ` (HTTP ${status})` : ''}`.replace(/\s*\n\s*/g, ' ');
}
