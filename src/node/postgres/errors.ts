import { RxLangChainError } from '../../errors';

const HINT = 'Is Postgres running there, and are the URL (DATABASE_URL), user, password and database right?';

/** An error's message; duck-typed, since socket errors may come from another realm (jest's sandbox). */
function messageOf(error: unknown): string | undefined {
  const { message, code } = (error ?? {}) as { message?: unknown; code?: unknown };
  if (typeof message === 'string' && message !== '') return message;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Postgres could not be reached, or refused us, within the connect deadline
 * (`connectPostgresCheckpointer`): a wrong URL, a server that is not running, a wrong
 * password or database. Thrown once, at start-up, instead of failing the first run. The URL's
 * password is redacted.
 *
 * @example
 * ```ts
 * import { connectPostgresCheckpointer, PostgresUnreachableError } from 'rxjs-langchain/node';
 *
 * try {
 *   await connectPostgresCheckpointer('postgresql://app:secret@10.0.0.9:5432/app', { connectTimeoutMs: 3000 });
 * } catch (e) {
 *   if (e instanceof PostgresUnreachableError) console.error(e.message); // … postgresql://app:***@10.0.0.9:5432/app …
 * }
 * ```
 *
 * @see {@link connectPostgresCheckpointer}
 *
 * @param url The URL tried, password redacted.
 * @param ms The connect deadline.
 * @param cause The connection error (ECONNREFUSED, a timeout, a refused password, a missing database).
 */
export class PostgresUnreachableError extends RxLangChainError {
  readonly url: string;

  constructor(url: string, ms: number, cause: unknown) {
    const why = messageOf(cause) ?? String(cause);
    super('POSTGRES_UNREACHABLE', `Cannot use Postgres at ${url} within ${ms} ms (${why}). ${HINT}`, { cause });
    this.url = url;
  }
}
