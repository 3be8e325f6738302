import type { ScriptedReply } from './agentScript';

const NUMBER = String.raw`-?\d+(?:\.\d+)?`;
// `a 加 b`, `a 加上 b`, `a + b`, `a plus b`; `a 减 b`, `a 减去 b`, `a - b`, `a minus b`.
const EXPRESSION = new RegExp(String.raw`(?<![\d.\-])(${NUMBER})\s*(加上|加|\+|plus|减去|减|-|minus)\s*(${NUMBER})(?![\d.\-])`, 'i');
// Asking for a result, or nothing but the expression: not a date such as 1991-02-20 in a sentence.
const ASKS_RESULT = /等于|多少|几|计算|算一下|=|what\s+is|what's|how\s+much|calculate|sum/i;
const HAS_CJK = /\p{Script=Han}/u;

/** A sum the offline `add` tool can compute: `b` is negative for a subtraction. */
export interface Arithmetic {
  readonly a: number;
  readonly b: number;
  /** As the question wrote it: `+` or `-`. */
  readonly op: '+' | '-';
  readonly chinese: boolean;
}

/**
 * The addition or subtraction `question` asks for (`123 加 456 等于多少？`, `What is 12
 * plus 30?`, `7 + 8 = ?`), or undefined. Other operations are not recognised: the
 * offline tools can only add.
 */
export function arithmeticIn(question: string): Arithmetic | undefined {
  const m = EXPRESSION.exec(question);
  if (!m) return undefined;
  const rest = question.replace(m[0], '').replace(/[\s?？。.!！,，:：]/g, '');
  if (rest !== '' && !ASKS_RESULT.test(question)) return undefined;
  const minus = /^(减去|减|-|minus)$/i.test(m[2]);
  const a = Number(m[1]);
  const b = Number(m[3]);
  return { a, b: minus ? -b : b, op: minus ? '-' : '+', chinese: HAS_CJK.test(question) };
}

/**
 * The offline agent's steps for an arithmetic question: call `add`, then answer from
 * its result (or say the tool failed).
 */
export function arithmeticReply(sum: Arithmetic, result: { content: string; isError: boolean } | undefined): ScriptedReply {
  if (result === undefined) {
    return {
      reasoning: sum.chinese ? '这是一道算术题，用 add 工具计算，不心算。' : 'An arithmetic question: compute it with the add tool.',
      toolCalls: [{ name: 'add', args: { a: sum.a, b: sum.b } }],
    };
  }
  const expression = `${sum.a} ${sum.op} ${Math.abs(sum.b)}`;
  if (result.isError) return { text: sum.chinese ? `add 工具出错了，没能算出 ${expression}。` : `The add tool failed, so ${expression} is not computed.` };
  return { text: sum.chinese ? `${expression} = ${result.content}。🧮` : `${expression} = ${result.content}. 🧮` };
}
