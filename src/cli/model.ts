import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { ChatOpenAI, ChatOpenAIFields } from '@langchain/openai';
import { ScriptedChatModel, REALISTIC_LATENCY } from '../offline';

/** The model the CLI talks to and one line describing it. */
export interface CliModel {
  model: BaseChatModel;
  description: string;
  offline: boolean;
  /** The endpoint, for error messages (undefined for OpenAI's default and offline). */
  baseURL?: string;
}

/** `@langchain/openai` or `dotenv` is needed for what the environment asks for but is not installed. */
export class MissingPackageError extends Error {
  override readonly name = 'MissingPackageError';
  constructor(readonly packageName: string, why: string) {
    super(`${why}, but ${packageName} is not installed; install it with \`npm install ${packageName}\`.`);
  }
}

/** How optional packages are loaded (a parameter so a spec can take one away). */
export type LoadPackage = (name: string) => unknown;

const loadPackage: LoadPackage = (name) => require(name);

function isMissing(error: unknown, name: string): boolean {
  const e = error as { code?: unknown; message?: unknown };
  return e?.code === 'MODULE_NOT_FOUND' && typeof e.message === 'string' && e.message.includes(`'${name}'`);
}

/** Options of {@link createCliModel}. */
export interface CliModelOptions {
  /**
   * Retries of the OpenAI client itself. Default 0: the CLI retries only before the
   * first chunk (`retryBeforeFirstChunk`), so an unreachable endpoint is reported at once.
   */
  maxRetries?: number;
  /** Loads an optional package. Default `require`. */
  load?: LoadPackage;
  /** Where a warning line goes (a `.env` file without dotenv). Default stderr. */
  warn?: (line: string) => void;
}

/**
 * Latency of the offline model from `DEMO_LATENCY`: unset → realistic
 * (350 ms to the first chunk, 25 ms per chunk), `0` → none, `slow` → 300 ms /
 * 80 ms (for trying Ctrl-C), or `<first>,<per-token>` in ms.
 */
export function offlineLatency(value: string | undefined): { firstChunkDelayMs: number; chunkDelayMs: number } {
  if (value === undefined || value === '') return { ...REALISTIC_LATENCY };
  if (value === '0') return { firstChunkDelayMs: 0, chunkDelayMs: 0 };
  if (value === 'slow') return { firstChunkDelayMs: 300, chunkDelayMs: 80 };
  const m = /^(\d+),(\d+)$/.exec(value);
  if (m) return { firstChunkDelayMs: Number(m[1]), chunkDelayMs: Number(m[2]) };
  throw new RangeError(`DEMO_LATENCY must be 0, slow or "<first ms>,<per-token ms>", got "${value}".`);
}

/**
 * Reads `.env` from the working directory into `process.env` with dotenv, when
 * dotenv is installed. Without dotenv a `.env` file that exists is reported once
 * through `warn` (the environment alone is used).
 */
export function loadDotEnv(warn: (line: string) => void, load: LoadPackage = loadPackage, cwd = process.cwd()): void {
  let dotenv: { config(options: { quiet?: boolean }): unknown };
  try {
    dotenv = load('dotenv') as typeof dotenv;
  } catch (e) {
    if (!isMissing(e, 'dotenv')) throw e;
    if (existsSync(join(cwd, '.env'))) warn(new MissingPackageError('dotenv', 'A .env file is here').message + ' Using the environment only.');
    return;
  }
  dotenv.config({ quiet: true });
}

/**
 * The same choice as the demos: the embedded offline model unless
 * OPENAI_API_KEY is set (environment or `.env`); OPENAI_BASE_URL and
 * OPENAI_MODEL select an OpenAI-compatible endpoint and model. `@langchain/openai`
 * is an optional peer dependency, loaded only then: when it is missing this throws
 * a {@link MissingPackageError} whose message says what to install. With
 * `env === process.env`, `.env` is read first (see {@link loadDotEnv}).
 */
export function createCliModel(env: NodeJS.ProcessEnv = process.env, options: CliModelOptions = {}): CliModel {
  const load = options.load ?? loadPackage;
  if (env === process.env) loadDotEnv(options.warn ?? ((line) => process.stderr.write(line + '\n')), load);
  const apiKey = env.OPENAI_API_KEY;
  if (apiKey) {
    const name = env.OPENAI_MODEL || 'gpt-4o-mini';
    const baseURL = env.OPENAI_BASE_URL || undefined;
    let openai: { ChatOpenAI: new (fields: ChatOpenAIFields) => ChatOpenAI };
    try {
      openai = load('@langchain/openai') as typeof openai;
    } catch (e) {
      if (isMissing(e, '@langchain/openai')) throw new MissingPackageError('@langchain/openai', 'OPENAI_API_KEY is set');
      throw e;
    }
    return {
      model: new openai.ChatOpenAI({
        apiKey,
        model: name,
        temperature: 0.7,
        maxRetries: options.maxRetries ?? 0,
        streamUsage: true,
        configuration: baseURL ? { baseURL } : undefined,
      }) as unknown as BaseChatModel,
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
