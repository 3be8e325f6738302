import { graphemesOf } from '../internal/graphemes';
import { describe } from '../internal/validate';

/**
 * Splits text into realistic streaming tokens, the way an LLM's output looks:
 * a Latin word with its leading space, punctuation alone, newlines alone,
 * CJK one or two characters per token (alternating), and every other grapheme
 * (emoji, ZWJ sequences, flags) whole. Never splits a surrogate pair or a
 * grapheme, and `tokenize(t).join('') === t` always holds.
 *
 * @example
 * ```ts
 * import { tokenize } from 'rxjs-langchain/offline';
 *
 * tokenize('Hello, 世界 👋🏽!'); // ['Hello', ',', ' 世', '界', ' 👋🏽', '!']
 * ```
 *
 * @see {@link ScriptedChatModel}, which streams these tokens.
 *
 * @param text Any text.
 * @returns The tokens, in order; joined they give `text` back.
 */
export function tokenize(text: string): string[] {
  if (typeof text !== 'string') throw new TypeError(`tokenize: text must be a string, got ${describe(text)}.`);
  const tokens: string[] = [];
  let pending = ''; // whitespace that prefixes the next token, as in BPE vocabularies
  let prev: Kind = 'none';
  let cjkTarget = 2; // alternates 1, 2, 1, 2 … characters per CJK token
  let cjkInToken = 0;

  for (const segment of graphemesOf(text)) {
    const kind = classify(segment);
    const canExtend = !pending && tokens.length > 0 && prev === kind;
    if (kind === 'newline') {
      if (pending) tokens.push(pending);
      pending = '';
      tokens.push(segment);
    } else if (kind === 'space') {
      pending += segment;
    } else if (kind === 'word' && canExtend) {
      tokens[tokens.length - 1] += segment;
    } else if (kind === 'cjk' && canExtend && cjkInToken < cjkTarget) {
      tokens[tokens.length - 1] += segment;
      cjkInToken++;
    } else {
      if (kind === 'cjk') {
        cjkTarget = cjkTarget === 1 ? 2 : 1;
        cjkInToken = 1;
      }
      tokens.push(pending + segment);
      pending = '';
    }
    prev = kind;
  }
  if (pending) tokens.push(pending);
  return tokens;
}

type Kind = 'word' | 'cjk' | 'space' | 'newline' | 'other' | 'none';

const WORD = /^[\p{L}\p{N}_'-]+$/u;
const CJK = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+$/u;
const SPACE = /^\s+$/u;

function classify(g: string): Kind {
  if (g === '\n' || g === '\r\n' || g === '\r') return 'newline';
  if (SPACE.test(g)) return 'space';
  if (CJK.test(g)) return 'cjk';
  if (WORD.test(g)) return 'word';
  return 'other';
}
