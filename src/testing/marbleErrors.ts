import { assertNonNegative, describe } from '../internal/validate';

/** Options of {@link providerError}. */
export interface ProviderErrorOptions {
  /** Sets the `retry-after-ms` header and `retry-after` (whole seconds, rounded up). */
  retryAfterMs?: number;
  /** The provider's message. Default: a typical one for the status. */
  message?: string;
  /** `error.code` of the body, e.g. `'rate_limit_exceeded'`. */
  code?: string | null;
  /** `error.type` of the body, e.g. `'requests'`. */
  type?: string;
  /** Extra response headers. */
  headers?: Record<string, string>;
}

const NAMES: Record<number, string> = {
  400: 'BadRequestError',
  401: 'AuthenticationError',
  403: 'PermissionDeniedError',
  404: 'NotFoundError',
  409: 'ConflictError',
  422: 'UnprocessableEntityError',
  429: 'RateLimitError',
};

const MESSAGES: Record<number, string> = {
  400: 'Invalid request.',
  401: 'Incorrect API key provided.',
  403: 'You are not allowed to use this model.',
  404: 'The model does not exist.',
  409: 'Conflict.',
  422: 'Unprocessable entity.',
  429: 'Rate limit reached for requests.',
  500: 'The server had an error while processing your request.',
  503: 'The server is overloaded. Please try again later.',
};

/** LangChain's `lc_error_code` as `ChatOpenAI` stamps it on the SDK error. */
const LC_CODES: Record<number, string> = { 401: 'MODEL_AUTHENTICATION', 404: 'MODEL_NOT_FOUND', 429: 'MODEL_RATE_LIMIT' };

/**
 * A provider HTTP error shaped like the OpenAI SDK's `APIError` (which is what
 * `ChatOpenAI` throws): `status`, `headers` (a WHATWG `Headers`, read with
 * `headers.get('retry-after')`), `error` (the body), `code`, `type`, `param`,
 * `requestID`, message `"<status> <message>"`, `name` as the SDK's subclass
 * (`RateLimitError`, `InternalServerError`, …) and LangChain's `lc_error_code`.
 * Create it with {@link providerError}.
 *
 * @example
 * ```ts
 * import { ProviderError } from 'rxjs-langchain/testing';
 *
 * const error = new ProviderError(429, { retryAfterMs: 2000 });
 * console.log(error.name, error.status, error.headers.get('retry-after')); // RateLimitError 429 2
 * ```
 *
 * @see {@link providerError}
 *
 * @param status The HTTP status (100–599).
 * @param options `retryAfterMs`, `message`, `code`, `type` and extra `headers`.
 */
export class ProviderError extends Error {
  readonly status: number;
  readonly headers: Headers;
  readonly error: { message: string; type?: string; code?: string | null; param?: string | null };
  readonly code: string | null | undefined;
  readonly type: string | undefined;
  readonly param: string | null | undefined;
  readonly requestID: string | null;
  readonly lc_error_code?: string;

  constructor(status: number, options: ProviderErrorOptions = {}) {
    const message = options.message ?? MESSAGES[status] ?? (status >= 500 ? MESSAGES[500] : 'Request failed.');
    super(`${status} ${message}`);
    this.name = NAMES[status] ?? (status >= 500 ? 'InternalServerError' : 'APIError');
    this.status = status;
    this.headers = new Headers({ 'x-request-id': 'req_marble', ...options.headers });
    if (options.retryAfterMs !== undefined) {
      this.headers.set('retry-after-ms', String(options.retryAfterMs));
      this.headers.set('retry-after', String(Math.ceil(options.retryAfterMs / 1000)));
    }
    this.error = { message, type: options.type, code: options.code ?? null, param: null };
    this.code = options.code ?? null;
    this.type = options.type;
    this.param = null;
    this.requestID = this.headers.get('x-request-id');
    if (LC_CODES[status]) this.lc_error_code = LC_CODES[status];
  }
}

/**
 * A typed provider error for the `#` of a marble diagram, e.g. a 429 with
 * `retry-after`, so retry logic can be tested in virtual time.
 *
 * Throws a RangeError for a status outside 100–599 or a negative `retryAfterMs`.
 *
 * @example
 * ```ts
 * import { marbleChatModel, providerError } from 'rxjs-langchain/testing';
 *
 * const model = marbleChatModel(['--#', '-a|'], { a: 'ok' }, {
 *   error: providerError(429, { retryAfterMs: 2000 }),
 * });
 * ```
 *
 * @see {@link marbleChatModel}
 * @see `retryBeforeFirstChunk` (`rxjs-langchain`), which honours its `retry-after`.
 *
 * @param status The HTTP status (100–599).
 * @param options `retryAfterMs`, `message`, `code`, `type` and extra `headers`.
 * @returns The error.
 */
export function providerError(status: number, options?: ProviderErrorOptions): ProviderError {
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) {
    throw new RangeError(`providerError: status must be an HTTP status code (an integer 100–599), got ${describe(status)}.`);
  }
  assertNonNegative('providerError: options.retryAfterMs', options?.retryAfterMs);
  return new ProviderError(status, options);
}
