import { RxLangChainError, StreamInterruptedError, StreamTimeoutError } from '../index';
import { HistoryFileCorruptError, HistoryFileTypeError } from '../node';
import { safeText } from './terminal';
import { MissingPackageError } from './model';

function find<T>(error: unknown, test: (e: Record<string, unknown>) => T | undefined): T | undefined {
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const hit = test(e as Record<string, unknown>);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/** An error's own message without the `Error: ` prefixes some libraries put inside it. */
function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^(?:Error:\s*)+/, '');
}

/** Where the chat was talking to, for the description. */
export interface ErrorContext {
  /** The model's endpoint (undefined: OpenAI's default). */
  baseURL?: string;
  /** The history file, so a failed save names it. */
  historyFile?: string;
}

/**
 * One line that tells a chat user what went wrong and what to do: bad key,
 * unreachable endpoint (with the URL), timeout, a cut reply, a busy port, a history
 * file that cannot be written, or the error's own message. No `Error:` prefix
 * (the caller adds exactly one); control characters from a provider's message are
 * neutralized (`safeText`).
 */
export function describeChatError(error: unknown, where: ErrorContext = {}): string {
  return safeText(describe(error, where).replace(/\s*\n\s*/g, ' '));
}

function describe(error: unknown, where: ErrorContext): string {
  const endpoint = where.baseURL ?? 'the OpenAI API';
  if (error instanceof StreamTimeoutError) {
    return `The model did not answer in time (${error.kind === 'first-chunk' ? 'no first chunk' : error.kind === 'idle' ? 'stalled' : 'too slow overall'} after ${error.ms / 1000} s); this turn was not saved. Try again or raise --timeout.`;
  }
  if (error instanceof StreamInterruptedError) {
    const why = error.reason === 'no-finish' ? 'the stream ended without a finish reason' : `the connection failed: ${messageOf(error.cause)}`;
    return `The reply was cut before the model finished it (${why}); this turn was not saved. Ask again.`;
  }
  if (error instanceof HistoryFileCorruptError || error instanceof HistoryFileTypeError || error instanceof MissingPackageError) return error.message;
  // Redis's and Postgres's own errors name their URL and a hint; their ECONNREFUSED cause is not the model's endpoint.
  if (error instanceof RxLangChainError && /^(REDIS|POSTGRES)_/.test(error.code)) return error.message;
  const status = find(error, (e) => (typeof e.status === 'number' ? e.status : undefined));
  if (status === 401 || status === 403) return `The API key was rejected (HTTP ${status}); check OPENAI_API_KEY.`;
  if (status === 404) return `Not found at ${endpoint} (HTTP 404); check OPENAI_BASE_URL and OPENAI_MODEL.`;
  if (status === 429) return 'Rate limited by the provider (HTTP 429); wait a moment and try again.';
  const code = find(error, (e) => (typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code) ? e.code : undefined));
  const name = find(error, (e) => (typeof e.name === 'string' && /Connection|Timeout/.test(e.name) ? e.name : undefined));
  if (code === 'EADDRINUSE') {
    const port = find(error, (e) => (typeof e.port === 'number' ? e.port : undefined));
    return `Port ${port ?? '(the one asked for)'} is already in use; pick another with --port <n> or PORT=<n> (0 picks a free one).`;
  }
  if (name === 'APIConnectionTimeoutError' || code === 'ETIMEDOUT') return `The request to ${endpoint} timed out; try again.`;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH' || code === 'ECONNRESET' || name === 'APIConnectionError') {
    return `Cannot reach ${endpoint}${code ? ` (${code})` : ''}; is the server running and OPENAI_BASE_URL right?`;
  }
  const path = find(error, (e) => (typeof e.path === 'string' ? e.path : undefined));
  if (code && path !== undefined && path === where.historyFile) {
    return `The history file ${path} cannot be used (${messageOf(error)}); this turn was not saved. Check the file or pass --history-file.`;
  }
  const message = messageOf(error);
  const specific = error instanceof Error && !(error instanceof RxLangChainError) && error.name !== 'Error' ? ` (${error.name})` : '';
  return `${message}${specific}${status ? ` (HTTP ${status})` : ''}`;
}
