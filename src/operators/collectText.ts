import { reduce, type OperatorFunction } from 'rxjs';
import { textOf, type TextLike } from '../decode/text';

/**
 * Emits the whole text once, on completion ('' for an empty stream). Accepts
 * strings, message chunks or parts (a {@link TextInputError} for anything else:
 * pipe LangGraph tuples and content-block events through `toParts()` first).
 * Nothing is emitted if the source errors.
 *
 * @example
 * ```ts
 * import { lastValueFrom } from 'rxjs';
 * import { ChatPromptTemplate } from '@langchain/core/prompts';
 * import { ChatOpenAI } from '@langchain/openai';
 * import { fromRunnable, collectText } from 'rxjs-langchain';
 *
 * const chain = ChatPromptTemplate.fromMessages([['human', '介绍一下{lang}']]).pipe(new ChatOpenAI({ model: 'gpt-4o-mini' }));
 * const answer = await lastValueFrom(fromRunnable(chain, { lang: 'Python' }).pipe(collectText()));
 * ```
 *
 * @see {@link textContent} for the text as it streams.
 * @see {@link collectMessage} for one merged `AIMessageChunk`.
 *
 * @returns A function that returns an Observable emitting the concatenated text once, when the source completes.
 */
export function collectText(): OperatorFunction<TextLike, string> {
  return reduce((all: string, value: TextLike) => {
    const text = textOf(value, 'collectText');
    return text.length === 0 ? all : all + text;
  }, '');
}
