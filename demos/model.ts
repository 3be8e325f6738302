import { createCliModel, type CliModel } from '../src/cli/model';

export type DemoModel = CliModel;

/**
 * The model every demo uses, chosen exactly as the CLI chooses it: the
 * embedded offline model (latency from DEMO_LATENCY: unset → realistic, `0`,
 * `slow`, or `<first>,<per-token>` ms) unless OPENAI_API_KEY is set (in the
 * environment or .env), then ChatOpenAI; OPENAI_BASE_URL points it at any
 * OpenAI-compatible server (Ollama, vLLM), OPENAI_MODEL picks the model.
 * Demos pipe no retry operator, so the OpenAI client keeps two retries.
 */
export function createDemoModel(env: NodeJS.ProcessEnv = process.env): DemoModel {
  return createCliModel(env, { maxRetries: 2 });
}
