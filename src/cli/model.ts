import { config } from 'dotenv';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { ChatOpenAI } from '@langchain/openai';
import { ScriptedChatModel, REALISTIC_LATENCY } from '../testing';

/** The model the CLI talks to and one line describing it. */
export interface CliModel {
  model: BaseChatModel;
  description: string;
  offline: boolean;
  /** The endpoint, for error messages (undefined for OpenAI's default and offline). */
  baseURL?: string;
}

/**
 * Latency of the offline model from `DEMO_LATENCY`: unset → realistic
 * (350 ms to the first token, 25 ms per token), `0` → none, `slow` → 300 ms /
 * 80 ms (for trying Ctrl-C), or `<first>,<per-token>` in ms.
 */
export function offlineLatency(value: string | undefined): { firstTokenMs: number; tokenMs: number } {
  if (value === undefined || value === '') return { ...REALISTIC_LATENCY };
  if (value === '0') return { firstTokenMs: 0, tokenMs: 0 };
  if (value === 'slow') return { firstTokenMs: 300, tokenMs: 80 };
  const m = /^(\d+),(\d+)$/.exec(value);
  if (m) return { firstTokenMs: Number(m[1]), tokenMs: Number(m[2]) };
  throw new RangeError(`DEMO_LATENCY must be 0, slow or "<first ms>,<per-token ms>", got "${value}".`);
}

/**
 * The same choice as the demos: the embedded offline model unless
 * OPENAI_API_KEY is set (environment or `.env`); OPENAI_BASE_URL and
 * OPENAI_MODEL select an OpenAI-compatible endpoint and model. By default the
 * client does not retry by itself (the CLI retries only before the first
 * chunk); `client.maxRetries` turns the OpenAI client's own retries back on.
 */
export function createCliModel(env: NodeJS.ProcessEnv = process.env, client: { maxRetries?: number } = {}): CliModel {
  if (env === process.env) config({ quiet: true });
  const apiKey = env.OPENAI_API_KEY;
  if (apiKey) {
    const name = env.OPENAI_MODEL || 'gpt-4o-mini';
    const baseURL = env.OPENAI_BASE_URL || undefined;
    return {
      model: new ChatOpenAI({
        apiKey,
        model: name,
        temperature: 0.7,
        maxRetries: client.maxRetries ?? 0,
        streamUsage: true,
        configuration: baseURL ? { baseURL } : undefined,
      }),
      description: `ChatOpenAI ${name}${baseURL ? ` at ${baseURL}` : ''}`,
      offline: false,
      baseURL,
    };
  }
  return {
    model: new ScriptedChatModel(offlineLatency(env.DEMO_LATENCY)),
    description: 'offline ScriptedChatModel (set OPENAI_API_KEY to use a real model)',
    offline: true,
  };
}
