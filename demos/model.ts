import { config } from 'dotenv';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { ChatOpenAI } from '@langchain/openai';
import { ScriptedChatModel, REALISTIC_LATENCY } from '../src/testing';

export interface DemoModel {
  model: BaseChatModel;
  /** One line for the user: which model the demo talks to. */
  description: string;
  offline: boolean;
}

export interface DemoModelOptions {
  temperature?: number;
  /** Offline latency; defaults to realistic, or to none when DEMO_LATENCY=0 (used by the specs). */
  latency?: { firstTokenMs: number; tokenMs: number };
  env?: NodeJS.ProcessEnv;
}

/**
 * The model every demo uses: the embedded offline model by default, ChatOpenAI
 * when OPENAI_API_KEY is set (in the environment or .env). OPENAI_BASE_URL
 * points it at any OpenAI-compatible server (Ollama, vLLM), OPENAI_MODEL picks
 * the model.
 */
export function createDemoModel(options: DemoModelOptions = {}): DemoModel {
  const env = options.env ?? process.env;
  if (env === process.env) config({ quiet: true });
  const apiKey = env.OPENAI_API_KEY;
  if (apiKey) {
    const name = env.OPENAI_MODEL || 'gpt-4o-mini';
    const baseURL = env.OPENAI_BASE_URL || undefined;
    return {
      model: new ChatOpenAI({ apiKey, model: name, temperature: options.temperature, configuration: baseURL ? { baseURL } : undefined }),
      description: `ChatOpenAI ${name}${baseURL ? ` at ${baseURL}` : ''}`,
      offline: false,
    };
  }
  const latency = options.latency ?? (env.DEMO_LATENCY === '0' ? { firstTokenMs: 0, tokenMs: 0 } : REALISTIC_LATENCY);
  return {
    model: new ScriptedChatModel(latency),
    description: `offline ScriptedChatModel (set OPENAI_API_KEY to use a real model)`,
    offline: true,
  };
}
