import { RxLangChainError } from '../errors';

/**
 * The approval responses of an AI SDK request cannot be used: malformed (400), a signature that is
 * missing or does not match the call (403), or an approval id nothing waits for — answered already
 * or never asked (409). `status` is the HTTP status to answer with.
 *
 * @example
 * ```ts
 * import { fromUIApprovals, ApprovalResponseError } from 'rxjs-langchain';
 *
 * export async function POST(request: Request): Promise<Response> {
 *   const { messages } = (await request.json()) as { messages: unknown };
 *   try {
 *     const answer = await fromUIApprovals(messages);
 *     return Response.json({ decisions: answer?.decisions.length ?? 0 });
 *   } catch (e) {
 *     if (e instanceof ApprovalResponseError) return Response.json({ error: e.message }, { status: e.status });
 *     throw e;
 *   }
 * }
 * ```
 *
 * @see {@link fromUIApprovals}
 *
 * @param path Where the problem is, e.g. `messages[3].parts[1].approval`.
 * @param problem What is wrong.
 * @param status 400, 403 or 409.
 */
export class ApprovalResponseError extends RxLangChainError {
  /** Where the problem is, e.g. `messages[3].parts[1].approval`. */
  readonly path: string;
  /** The HTTP status to answer with. */
  readonly status: 400 | 403 | 409;

  constructor(path: string, problem: string, status: 400 | 403 | 409 = 400) {
    super('APPROVAL_RESPONSE', `${path}: ${problem}`);
    this.path = path;
    this.status = status;
  }
}
