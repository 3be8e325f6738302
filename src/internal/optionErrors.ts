/**
 * An options object with a key the function does not know: a misspelt option (`maxConcurentRuns`)
 * would otherwise be ignored and its default used, silently. A `TypeError`, as every other bad
 * option of the library is, with a stable `code` like {@link RxLangChainError}'s, the key, and the
 * closest known name when one is near (decision 0401).
 *
 * @example
 * ```ts
 * import { createChatHandler, UnknownOptionError } from 'rxjs-langchain';
 * import { ScriptedChatModel } from 'rxjs-langchain/offline';
 *
 * try {
 *   createChatHandler({ model: new ScriptedChatModel(), maxConcurentRuns: 8 } as never);
 * } catch (error) {
 *   if (error instanceof UnknownOptionError) console.error(error.option, '→', error.suggestion); // maxConcurentRuns → maxConcurrentRuns
 * }
 * ```
 *
 * @see {@link RxLangChainError}, whose `code` this error carries too; docs/errors.md.
 *
 * @param where The function or class whose options these are, e.g. `'createChatHandler'`.
 * @param option The unknown key.
 * @param known The option names `where` takes.
 * @param suggestion The closest known name, if one is close.
 */
export class UnknownOptionError extends TypeError {
  /** Stable machine-readable code. */
  readonly code = 'UNKNOWN_OPTION';

  constructor(
    readonly where: string,
    readonly option: string,
    readonly known: readonly string[],
    readonly suggestion?: string,
  ) {
    super(
      suggestion === undefined
        ? `${where}: unknown option ${JSON.stringify(option)}; the options are ${known.join(', ')}.`
        : `${where}: unknown option ${JSON.stringify(option)}; did you mean ${JSON.stringify(suggestion)}?`,
    );
    this.name = 'UnknownOptionError';
  }
}
