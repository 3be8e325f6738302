/**
 * `@langchain/langgraph`, loaded when a handler is created, never when the root entry is imported
 * (specs/package/platform-neutral.spec.ts): its platform-neutral `web` entry and `stream` helpers.
 */
export interface LangGraphModules {
  readonly web: typeof import('@langchain/langgraph/web');
  readonly stream: typeof import('@langchain/langgraph/stream');
}

let loaded: LangGraphModules | undefined;

export function loadLangGraph(where: string): LangGraphModules {
  if (loaded) return loaded;
  try {
    /* eslint-disable @typescript-eslint/no-require-imports -- lazy: the root entry does not load LangGraph until a handler needs it */
    loaded = {
      web: require('@langchain/langgraph/web') as LangGraphModules['web'],
      stream: require('@langchain/langgraph/stream') as LangGraphModules['stream'],
    };
    /* eslint-enable @typescript-eslint/no-require-imports */
    return loaded;
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code !== 'MODULE_NOT_FOUND') throw error;
    throw new Error(`${where} needs the peer dependency "@langchain/langgraph" (>= 1.7): run \`npm install @langchain/langgraph\`.`, { cause: error });
  }
}
