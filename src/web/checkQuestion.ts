import { assertPositiveInteger } from '../internal/validate';

/** Why {@link checkQuestion} refused a question. */
export interface QuestionProblem {
  /** `missing`: not a string, or only white space; `too-long`: over the limit. */
  reason: 'missing' | 'too-long';
  /** One sentence for the client, the same on every transport. */
  message: string;
}

/** Default longest question, characters (code points). */
export const DEFAULT_MAX_QUESTION_CHARS = 4000;

/** Code points of `text`: UTF-16 units minus surrogate pairs (an emoji is one character, as `[...text].length` counts). */
function codePoints(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/**
 * Checks a question a client sent: a string with something besides white
 * space, at most `maxChars` characters counted in code points (3,000 emoji are
 * 3,000 characters, not 6,000 UTF-16 units). The one rule and the one message
 * of every transport: `serveChatOverWebSocket` uses it for `maxQuestionChars`,
 * and an SSE route should too.
 *
 * @example
 * ```ts
 * import { checkQuestion } from 'rxjs-langchain';
 *
 * export async function POST(request: Request): Promise<Response> {
 *   const body = (await request.json()) as { question?: unknown };
 *   const problem = checkQuestion(body.question, 4000);
 *   if (problem) return Response.json({ error: problem.message }, { status: problem.reason === 'too-long' ? 413 : 400 });
 *   return new Response('ok');
 * }
 * ```
 *
 * @param question What the client sent (any JSON value).
 * @param maxChars Longest question, characters (code points); an integer >= 1. Default 4000.
 * @returns The problem, or `undefined` when the question may go to the model.
 * @see serveChatOverWebSocket
 */
export function checkQuestion(question: unknown, maxChars: number = DEFAULT_MAX_QUESTION_CHARS): QuestionProblem | undefined {
  assertPositiveInteger('checkQuestion: maxChars', maxChars, false);
  if (typeof question !== 'string' || question.trim() === '') {
    return { reason: 'missing', message: 'The question must be a non-empty string.' };
  }
  if (question.length <= maxChars) return undefined; // code points <= UTF-16 units
  const chars = codePoints(question);
  if (chars <= maxChars) return undefined;
  return { reason: 'too-long', message: `The question is ${chars} characters long; the limit is ${maxChars}.` };
}
